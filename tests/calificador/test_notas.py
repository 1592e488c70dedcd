"""La carpeta de notas: se escribe siempre (nombres hostiles incluidos), al lado y de una vez, con los ajustes.

Aquí las calificaciones se arman a mano (sin cajas): lo que se prueba es lo que se
escribe. Las hojas del aula vuelven con su cabecera y sus filas intactas, salvo la
nota y los comentarios de cada entrega; recalificar una entrega no toca la
retroalimentación de las demás; ajustes.csv sobrevive a cada calificación y se aplica.
"""
import csv
import os
import zipfile

import pytest

import aulas
from abandono.calificador import informes, notas
from abandono.calificador.aula.hoja import Hoja
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.calificador.nombres import archivo_de
from muestras import HONESTO, NOMBRES_HOSTILES

MAXIMO = sum(sum(e.puntos.values()) for e in EJERCICIOS.values())
CABECERA_AJUSTES = 'entrega,ejercicio,puntos,motivo\n'


def _calificacion(nombre, fallan=(), **datos):
    """Todas las comprobaciones bien salvo las de los ejercicios ``fallan``."""
    resultados = [{'ejercicio': n, 'titulo': e.titulo, 'prueba': f'test_{p}', 'descripcion': p, 'puntos': pts,
                   'obtenidos': 0 if n in fallan else pts,
                   'mensaje': f'{p} falla.\n  Se esperaba: a\n  Se obtuvo:   <b>b</b>\n  Pista: c' if n in fallan else ''}
                  for n, e in EJERCICIOS.items() for p, pts in e.puntos.items()]
    return {'entrega': nombre, 'resultados': resultados, 'error': None, 'salida': '', **datos}


def _notas(calificaciones, plataforma='carpeta'):
    return notas.Notas(plataforma, calificaciones, [], 1.0)


def _filas(ruta):
    with open(ruta, encoding='utf-8') as archivo:
        return list(csv.DictReader(archivo))


def test_las_notas_se_escriben_con_cualquier_nombre(tmp_path):
    """Un salto de línea, 63 ESC, 253 bytes, un espacio de ancho cero, fórmulas y bytes que no son UTF-8."""
    nombres = [HONESTO, *NOMBRES_HOSTILES, '\udcff\udcfe']
    calificaciones = [_calificacion(n, fallan=() if n == HONESTO else EJERCICIOS) for n in nombres]
    notas.escribir(tmp_path, _notas(calificaciones))
    retro = sorted(p.name for p in (tmp_path / 'retroalimentacion').iterdir())
    assert retro == sorted(archivo_de(n) for n in nombres)
    # La de honesto es la suya: ni honesto\n ni honesto\u200b escribieron encima.
    assert f'{MAXIMO}/{MAXIMO}' in (tmp_path / 'retroalimentacion' / 'honesto.md').read_text(encoding='utf-8')
    filas = _filas(tmp_path / 'calificaciones.csv')
    assert len({f['entrega'] for f in filas}) == len(nombres)
    assert [f['total'] for f in filas if f['entrega'] == HONESTO] == [str(MAXIMO)]
    assert all(f['entrega'].isprintable() for f in filas)
    formulas = [n for n in NOMBRES_HOSTILES if '=' in n or '＝' in n]
    assert all(informes.en_csv(n).startswith("'") for n in formulas) and len(formulas) == 4
    informe = (tmp_path / 'informe.md').read_text(encoding='utf-8')
    assert '## Nombres que se confunden' in informe and 'honesto&#92;x0a' in informe
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]


@pytest.mark.parametrize('falla', ['al_armarlas', 'al_escribirlas', 'al_cambiarlas'])
def test_si_algo_falla_las_notas_anteriores_quedan_intactas(tmp_path, monkeypatch, falla):
    notas.escribir(tmp_path, _notas([_calificacion('ana'), _calificacion('luis', fallan=(2,))]))
    antes = {p: p.read_bytes() for p in tmp_path.rglob('*') if p.is_file()}
    if falla == 'al_armarlas':
        def disco_lleno(*_):
            raise OSError(28, 'No queda espacio en el dispositivo')
        monkeypatch.setattr(informes, 'grafico', disco_lleno)
    elif falla == 'al_escribirlas':   # un nombre de archivo que el sistema no acepta, a mitad de escribir las nuevas
        monkeypatch.setattr(notas, 'archivo_de', lambda nombre: nombre * 300 + '.md')
    else:   # el cambio de las viejas por las nuevas, a medias: la cuarta vez que se mueve algo
        mover, veces = os.rename, []

        def rename(origen, destino):
            veces.append(origen)
            if len(veces) == 4:
                raise OSError(5, 'Error de entrada/salida')
            mover(origen, destino)
        monkeypatch.setattr(notas.os, 'rename', rename)
    with pytest.raises(OSError):
        notas.escribir(tmp_path, _notas([_calificacion('ana', fallan=(1,)), _calificacion('luis')]))
    assert {p: p.read_bytes() for p in tmp_path.rglob('*') if p.is_file()} == antes
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]


def test_lo_plantado_en_la_salida_no_estorba_y_nada_viejo_queda(tmp_path):
    (tmp_path / 'calificaciones.csv').mkdir()          # una carpeta donde va el CSV
    os.mkfifo(tmp_path / 'informe.md')                   # una FIFO que nadie escribe
    (tmp_path / notas.HOJA_CANVAS).write_text('de otra clase')
    (tmp_path / 'mio.txt').write_text('del profesor')
    notas.escribir(tmp_path, _notas([_calificacion('ana')]))
    assert (tmp_path / 'calificaciones.csv').is_file() and (tmp_path / 'informe.md').is_file()
    assert not (tmp_path / notas.HOJA_CANVAS).exists() and (tmp_path / 'mio.txt').read_text() == 'del profesor'
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]


def test_los_ajustes_se_aplican_se_muestran_y_sobreviven(tmp_path):
    calificaciones = [_calificacion('ana', fallan=(2,)), _calificacion('Luis Pérez_1235', fallan=(4,), id='1235')]
    notas.escribir(tmp_path, _notas(calificaciones))
    assert (tmp_path / 'ajustes.csv').read_text() == CABECERA_AJUSTES   # la primera vez, solo la cabecera
    (tmp_path / 'ajustes.csv').write_text(
        '\ufeffentrega;ejercicio;puntos;motivo\n'       # como lo guarda Excel en español
        'ana;2;+1;la ruta /Hola también es correcta\n'
        '1235;4;2;"envía el cliente; lo muestra con print(r.text)"\n'
        'ana;1;-1;"=HYPERLINK(""x"")"\n'
        'nadie;1;+1;no existe\n'
        'ana;7;+1;no hay ejercicio 7\n'
        'ana;2;+9;se pasa del máximo\n'
        'ana;3;-1;\n', encoding='utf-8')
    escrito = (tmp_path / 'ajustes.csv').stat()
    for _ in range(2):   # cada calificación lo vuelve a aplicar y no lo toca
        avisos = notas.escribir(tmp_path, _notas([dict(c) for c in calificaciones]))
    assert (tmp_path / 'ajustes.csv').stat().st_mtime_ns == escrito.st_mtime_ns
    filas = {f['entrega']: f for f in _filas(tmp_path / 'calificaciones.csv')}
    assert (filas['ana']['ejercicio_2'], filas['ana']['ejercicio_1'], filas['ana']['ajuste']) == ('1', '3', '0')
    assert (filas['Luis Pérez_1235']['ejercicio_4'], filas['Luis Pérez_1235']['total'],
            filas['Luis Pérez_1235']['ajuste']) == ('2', str(MAXIMO - 1), '2')
    assert len(avisos) == 4 and all('ajustes.csv, línea' in a for a in avisos)
    retro = (tmp_path / 'retroalimentacion' / 'ana.md').read_text(encoding='utf-8')
    assert '**Ajuste del profesor**, ejercicio 2: 0 → 1 (+1): la ruta /Hola también es correcta' in retro
    informe = (tmp_path / 'informe.md').read_text(encoding='utf-8')
    seccion = informe.split('## Ajustes a mano')[1].split('\n## ')[0]
    assert 'envía el cliente; lo muestra con print(r.text)' in seccion and '=HYPERLINK' in seccion
    assert seccion.count('ajustes.csv, línea') == 4 and '(+2 a mano)' in informe


def test_recalificar_una_entrega_no_toca_la_retroalimentacion_de_las_demas(tmp_path):
    notas.escribir(tmp_path, _notas([_calificacion(n, fallan=(1,)) for n in ('ana', 'luis', 'rita')]))
    (tmp_path / 'ajustes.csv').write_text(CABECERA_AJUSTES + 'luis,3,-1,copió la ruta\n')
    retro = tmp_path / 'retroalimentacion'
    antes = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in retro.iterdir()}
    notas.recalificar(tmp_path, notas.leer(tmp_path), _calificacion('luis'))
    despues = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in retro.iterdir()}
    assert {n: d for n, d in despues.items() if n != 'luis.md'} == {n: a for n, a in antes.items() if n != 'luis.md'}
    assert despues['luis.md'] != antes['luis.md']
    filas = {f['entrega']: f['total'] for f in _filas(tmp_path / 'calificaciones.csv')}
    assert filas == {'ana': str(MAXIMO - 4), 'luis': str(MAXIMO - 1), 'rita': str(MAXIMO - 4)}
    assert 'Recalificada después: luis' in (tmp_path / 'informe.md').read_text(encoding='utf-8')
    assert len(notas.leer(tmp_path).calificaciones) == 3


def test_sin_notas_anteriores_no_se_recalifica(tmp_path):
    with pytest.raises(ValueError, match='califica antes la clase entera'):
        notas.leer(tmp_path)


@pytest.mark.parametrize('idioma', ['en', 'es'])
def test_la_hoja_de_moodle_vuelve_rellena_y_con_todo_lo_demas_intacto(tmp_path, idioma):
    hoja = tmp_path / 'hoja.csv'
    hoja.write_text(aulas.hoja_moodle([(1234, 'Ana García', 'ana@ejemplo.org', True),
                                       (1237, 'Sin Entrega', 'nadie@ejemplo.org', False),
                                       (1235, 'Luis "el de, la coma" Pérez', 'luis@ejemplo.org', True)],
                                      idioma, maxima='10,00' if idioma == 'es' else '100.00'), encoding='utf-8')
    calificaciones = [_calificacion('Ana García_1234', id='1234', prefijo='Ana García_1234_assignsubmission_file'),
                      _calificacion('Luis Pérez_1235', fallan=(2,), id='1235',
                                    prefijo='Luis Pérez_1235_assignsubmission_file'),
                      _calificacion('Eva Mala_1299', id='1299', prefijo='Eva Mala_1299_assignsubmission_file')]
    avisos = notas.escribir(tmp_path / 'notas', _notas(calificaciones, 'moodle'), hoja)
    assert avisos == ['1 entregas no están en la hoja del aula y no se rellenaron: Eva Mala_1299']
    original, rellena = Hoja(hoja.read_text(encoding='utf-8')), Hoja(
        (tmp_path / 'notas' / notas.HOJA_MOODLE).read_bytes().decode('utf-8'))
    assert rellena.bom and rellena.texto().splitlines()[:1] == original.texto().splitlines()[:1]
    assert rellena.texto().splitlines()[2] == original.texto().splitlines()[2]   # la fila sin entrega, igual
    nota, comentarios = 4, 9
    for fila, esperado in ((1, '100.00' if idioma == 'en' else '10,00'),
                           (3, f'{100 * (MAXIMO - 3) / MAXIMO:.2f}' if idioma == 'en' else '8,13')):
        antes, despues = original.celdas(fila), rellena.celdas(fila)
        assert [c for i, c in enumerate(despues) if i not in (nota, comentarios)] == \
               [c for i, c in enumerate(antes) if i not in (nota, comentarios)]
        assert despues[nota] == esperado
    assert rellena.celdas(3)[comentarios].startswith(f'{MAXIMO - 3}/{MAXIMO} puntos. Ejercicio 1: 4/4;')
    assert 'Primer fallo, ejercicio 2, funcion_hola falla.' in rellena.celdas(3)[comentarios]
    # Lo que imprime una entrega no llega como HTML al comentario (Moodle lo lee como HTML).
    assert '<' not in ''.join(rellena.celdas(3))


def test_el_zip_de_retroalimentacion_es_el_que_moodle_sabe_repartir(tmp_path):
    calificaciones = [_calificacion('Ana García_1234', id='1234', prefijo='Ana García_1234_assignsubmission_file')]
    notas.escribir(tmp_path, _notas(calificaciones, 'moodle'))
    with zipfile.ZipFile(tmp_path / notas.ZIP_MOODLE) as archivo:
        (nombre,) = archivo.namelist()
        texto = archivo.read(nombre).decode('utf-8')
    # Como lo lee Moodle (importziplib.php): explode('_', $parte, 5), participante y complemento.
    nombre_completo, participante, tipo, complemento, archivo_ = nombre.split('_', 4)
    assert (nombre_completo, participante, tipo, complemento, archivo_) == (
        'Ana García', '1234', 'assignsubmission', 'file', 'retroalimentacion.md')
    assert texto == (tmp_path / 'retroalimentacion' / archivo_de('Ana García_1234')).read_text(encoding='utf-8')


@pytest.mark.parametrize('separador', [',', ';'])
def test_el_libro_de_canvas_vuelve_relleno_por_id_con_su_fila_de_puntos(tmp_path, separador):
    libro = tmp_path / 'libro.csv'
    texto = aulas.libro_canvas([('García, Ana', 501, 'ana'), ('Test Student', 599, ''), ('Pérez, Luis', 502, 'luis')],
                               puntos='10.00', separador=separador)
    libro.write_text(texto, encoding='utf-8')
    calificaciones = [_calificacion('garciaana_501', id='501'), _calificacion('perezluis_502', fallan=(4,), id='502')]
    notas.escribir(tmp_path / 'notas', _notas(calificaciones, 'canvas'), libro)
    rellena = (tmp_path / 'notas' / notas.HOJA_CANVAS).read_text(encoding='utf-8')
    lineas, original = texto.splitlines(), Hoja(texto)
    assert [rellena.splitlines()[i] for i in (0, 1, 3)] == [lineas[i] for i in (0, 1, 3)]   # cabecera, puntos y Test
    for fila, nota in ((2, '10.00'), (4, '8.13')):   # 13 de 16 son 8,125 sobre 10
        esperadas = original.celdas(fila)
        esperadas[5] = nota
        assert Hoja(rellena).celdas(fila) == esperadas


def test_con_varias_tareas_en_el_libro_se_dice_cual_y_se_recuerda(tmp_path):
    libro = tmp_path / 'libro.csv'
    libro.write_text(aulas.libro_canvas([('García, Ana', 501, 'ana')], tareas=(('Otra', 11), ('Despliegue', 4242))))
    calificaciones = [_calificacion('garciaana_501', id='501')]
    with pytest.raises(ValueError, match='TAREA'):
        notas.comprobar_hoja('canvas', libro)
    notas.escribir(tmp_path / 'notas', _notas(calificaciones, 'canvas'), libro, tarea='4242')
    rellena = Hoja((tmp_path / 'notas' / notas.HOJA_CANVAS).read_text(encoding='utf-8'))
    assert rellena.celdas(2)[5:7] == ['', f'{MAXIMO:.2f}']
    # Recalificar sin HOJA ni TAREA rellena la misma columna del libro que ya se rellenó.
    notas.recalificar(tmp_path / 'notas', notas.leer(tmp_path / 'notas'), _calificacion('garciaana_501', fallan=(4,),
                                                                                          id='501'))
    rellena = Hoja((tmp_path / 'notas' / notas.HOJA_CANVAS).read_text(encoding='utf-8'))
    assert rellena.celdas(2)[5:7] == ['', f'{MAXIMO - 3:.2f}']


def test_otra_clase_entera_sin_hoja_rellena_el_libro_de_antes_y_nunca_pierde_las_notas(tmp_path):
    libro = tmp_path / 'libro.csv'
    libro.write_text(aulas.libro_canvas([('García, Ana', 501, 'ana')], tareas=(('Otra', 11), ('Despliegue', 4242))))
    notas.escribir(tmp_path / 'notas', _notas([_calificacion('garciaana_501', id='501')], 'canvas'), libro, tarea='4242')
    # Otra vez la clase entera (para aplicar ajustes.csv, por ejemplo), sin HOJA ni TAREA: la columna de antes.
    avisos = notas.escribir(tmp_path / 'notas', _notas([_calificacion('garciaana_501', fallan=(4,), id='501')],
                                                        'canvas'))
    assert avisos == []
    assert Hoja((tmp_path / 'notas' / notas.HOJA_CANVAS).read_text(encoding='utf-8')).celdas(2)[5:7] == \
        ['', f'{MAXIMO - 3:.2f}']
    # Un libro de antes que ya no se entiende es un aviso: las notas se escriben igual.
    (tmp_path / 'notas' / notas.HOJA_CANVAS).write_text('Student,Section\n', encoding='utf-8')
    avisos = notas.escribir(tmp_path / 'notas', _notas([_calificacion('garciaana_501', id='501')], 'canvas'))
    assert len(avisos) == 1 and 'pasa la hoja con HOJA=' in avisos[0]
    assert _filas(tmp_path / 'notas' / 'calificaciones.csv')[0]['total'] == str(MAXIMO)


@pytest.mark.parametrize('plataforma, texto, error', [
    ('carpeta', 'x', 'solo sirve con las entregas de Moodle o de Canvas'),
    ('moodle', 'Identifier,Full name,Scale\n', 'no tiene la columna «Grade»'),
    ('canvas', 'Student,Section\n', 'no tiene la columna ID'),
    ('moodle', b'\xff\xfe', 'no está en UTF-8'),
])
def test_una_hoja_que_no_sirve_se_explica_antes_de_calificar(tmp_path, plataforma, texto, error):
    hoja = tmp_path / 'hoja.csv'
    hoja.write_bytes(texto if isinstance(texto, bytes) else texto.encode())
    with pytest.raises(ValueError, match=error):
        notas.comprobar_hoja(plataforma, hoja)


def test_el_comentario_de_moodle_es_una_linea_sin_html():
    calificacion = _calificacion('ana', fallan=(3,))
    next(r for r in calificacion['resultados'] if r['ejercicio'] == 3)['mensaje'] = '<script>x</script>\nSe esperaba: x'
    texto = informes.comentario(calificacion)
    assert '\n' not in texto and '<' not in texto and '&lt;script&gt;' in texto
    assert texto.startswith(f'{MAXIMO - 6}/{MAXIMO} puntos.')


def test_recalificar_una_entrega_conserva_lo_que_mirar_a_mano_y_las_lineas_compartidas(tmp_path):
    """SOLO= reescribe informe.md con los pares de la última clase entera: sin perder sus avisos ni sus líneas."""
    from abandono.calificador.revision import Aviso
    from abandono.calificador.similitud import Comparacion, Compartida, Par

    pares = Comparacion([Par('ana', 'luis', 0.9, 120, (Compartida('X = dv.transform([c])', 'servicio1.py:7',
                                                                  'servicio1.py:9'),))],
                        [Aviso('luis', 'servicio1.py:3', 'exec de un texto decodificado', 'exec(b64decode(...))')])
    leidas = notas.Notas.de_json(notas.Notas('carpeta', [_calificacion('ana')], pares, 1.0).a_json())
    assert leidas.pares == pares and leidas.pares.revisar == pares.revisar
    informe = informes.informe(leidas.calificaciones, 1.0, leidas.pares)
    assert 'exec de un texto decodificado' in informe
    assert 'servicio1.py:7' in informes.similitud_md(leidas.pares)
