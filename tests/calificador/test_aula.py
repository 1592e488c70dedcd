"""Las descargas de Moodle y de Canvas se leen como ellos las escriben, y un zip hostil no sale de su entrega.

Los zips, las hojas y los libros los arma ``aulas.py`` con los nombres que dan Moodle
y Canvas (ver aula/moodle.py y aula/canvas.py). Aquí no se califica nada: la clase
entera, del zip a la hoja rellena, está en test_clase.py.
"""
import os
import stat
import zipfile

import pytest

import aulas
from abandono.calificador import aula
from abandono.calificador.aula import canvas, desempaquetar, moodle
from abandono.calificador.aula.hoja import Hoja, nota_para
from abandono.calificador.generador import EJERCICIOS as ESQUELETO, SOLUCIONES

ARCHIVOS = sorted(p.name for p in SOLUCIONES.iterdir() if p.is_file())
OLGA = 'Olga Bomba_7_assignsubmission_file'


def _archivos(carpeta):
    return sorted(p.relative_to(carpeta).as_posix() for p in carpeta.rglob('*') if p.is_file())


@pytest.mark.parametrize('ruta, esperado', [
    ('Ana García_1234_assignsubmission_file/servicio1.py', ('Ana García_1234', 'servicio1.py', '1234')),
    ('Ana García_1234_assignsubmission_file_/sub/a.py', ('Ana García_1234', 'sub/a.py', '1234')),   # hasta 4.0
    ('Ana García_1234_assignsubmission_file_servicio1.py', ('Ana García_1234', 'servicio1.py', '1234')),  # plano
    ('Participant_77_assignsubmission_file/x.py', ('Participant_77', 'x.py', '77')),   # calificación anónima
    ('Ana García_1234_assignsubmission_onlinetext/onlinetext.html', None),
    ('Ana García_1234_assignsubmission_file', None),
    ('servicio1.py', None),
    ('garciaana_501_9000_servicio1.py', None),
])
def test_moodle_reparte_las_entradas_por_participante(ruta, esperado):
    destino = moodle.clasificar(ruta)
    assert (destino and (destino.entrega, destino.ruta, destino.id)) == esperado
    if destino:
        assert destino.prefijo == ruta.split('/')[0].removesuffix('_')[:len(destino.prefijo)]


@pytest.mark.parametrize('ruta, esperado', [
    ('garciaana_501_9000_servicio1.py', ('garciaana_501', 'servicio1.py', '501', False, 9000)),
    ('garciaana_late_501_9000_servicio1.py', ('garciaana_501', 'servicio1.py', '501', True, 9000)),
    ('garciaana_LATE_501_9000_flask_test.py', ('garciaana_501', 'flask_test.py', '501', True, 9000)),
    ('garciaana_501_9003_servicio1-1.py', ('garciaana_501', 'servicio1.py', '501', False, 9003)),
    ('garciaana_501_9003_notas-1.txt', ('garciaana_501', 'notas-1.txt', '501', False, 9003)),
    ('501_9000_servicio1.py', ('501', 'servicio1.py', '501', False, 9000)),   # calificación anónima
    ('garcía_ana_pérez_501_9000_servicio1.py', ('garcía_ana_pérez_501', 'servicio1.py', '501', False, 9000)),
    ('garciaana_501_text.html', None),
    ('carpeta/garciaana_501_9000_servicio1.py', None),
])
def test_canvas_reparte_las_entradas_por_usuario(ruta, esperado):
    destino = canvas.clasificar(ruta)
    assert (destino and (destino.entrega, destino.ruta, destino.id, destino.tarde, destino.orden)) == esperado


@pytest.mark.parametrize('texto', [
    '\ufeffIdentifier,"Full name",Grade\n"Participant 1","Ana, la de ""Física""",\n',
    'a;b;c\r\n1;"dos\r\nlíneas";3\r\n;;\r\n',
    'a\tb\n1\t2',
    'a,b\n"sin final de línea","x"',
])
def test_la_hoja_vuelve_byte_a_byte(texto):
    hoja = Hoja(texto)
    assert hoja.texto() == texto
    hoja.poner(1, 1, 'con, coma')
    nueva, original = Hoja(hoja.texto()), Hoja(texto)
    assert nueva.celdas(1)[1] == 'con, coma' and len(nueva) == len(original)
    assert [nueva.celdas(i) for i in range(len(nueva)) if i != 1] == [original.celdas(i) for i in range(len(original)) if i != 1]


def test_la_nota_se_escala_al_maximo_del_aula_con_su_separador_decimal():
    assert nota_para(12, 16, '100.00') == '75.00'
    assert nota_para(12, 16, '10,00') == '7,50'
    assert nota_para(16, 16, '16') == '16.00'
    assert nota_para(12, 16, '') == '12.00'   # sin máximo legible, el total


@pytest.mark.parametrize('carpetas, final', [(True, ''), (True, '_'), (False, '')],
                         ids=['carpetas', 'carpetas_hasta_4.0', 'sin_carpetas'])
def test_el_zip_de_moodle_da_una_entrega_por_participante(tmp_path, carpetas, final):
    origen = aulas.zip_moodle(tmp_path / 'descarga.zip', {('Ana García', 1234): SOLUCIONES,
                                                          ('Luis_Pérez', 1235): ESQUELETO}, carpetas, final)
    (tmp_path / 'privada').mkdir()
    clase = aula.abrir(origen, tmp_path / 'privada')
    assert clase.plataforma == 'moodle'
    assert [(e.nombre, e.id, e.prefijo) for e in clase.entregas] == [
        ('Ana García_1234', '1234', 'Ana García_1234_assignsubmission_file'),
        ('Luis Pérez_1235', '1235', 'Luis Pérez_1235_assignsubmission_file')]   # Moodle cambia _ por espacio
    assert _archivos(clase.entregas[0].carpeta) == ARCHIVOS


def test_el_zip_de_moodle_ya_desempaquetado_y_una_carpeta_cualquiera(tmp_path):
    origen = aulas.zip_moodle(tmp_path / 'descarga.zip', {('Ana García', 1234): SOLUCIONES})
    with zipfile.ZipFile(origen) as archivo:
        archivo.extractall(tmp_path / 'moodle')
    clase = aula.abrir(tmp_path / 'moodle', None)
    assert (clase.plataforma, clase.entregas[0].nombre, clase.entregas[0].id) == ('moodle', 'Ana García_1234', '1234')
    (tmp_path / 'clase' / 'ana').mkdir(parents=True)
    clase = aula.abrir(tmp_path / 'clase', None)
    assert (clase.plataforma, [e.nombre for e in clase.entregas]) == ('carpeta', ['ana'])


def test_el_zip_de_canvas_cuenta_la_ultima_subida_y_marca_las_tardias(tmp_path):
    origen = aulas.zip_canvas(tmp_path / 'submissions.zip', {('garciaana', 501): SOLUCIONES,
                                                             ('perezluis', 502): SOLUCIONES},
                              tarde={('perezluis', 502)}, repetidos={('garciaana', 501)})
    (tmp_path / 'privada').mkdir()
    clase = aula.abrir(origen, tmp_path / 'privada')
    assert clase.plataforma == 'canvas'
    ana, luis = clase.entregas
    assert (ana.nombre, ana.tarde, luis.nombre, luis.tarde) == ('garciaana_501', False, 'perezluis_502', True)
    assert _archivos(ana.carpeta) == ARCHIVOS
    # servicio1-1.py (la subida más reciente) cuenta como servicio1.py; la anterior no.
    assert (ana.carpeta / 'servicio1.py').read_bytes() == (SOLUCIONES / 'servicio1.py').read_bytes()
    assert any('dos veces' in a for a in ana.avisos)


def test_un_zip_que_no_es_de_ninguna_plataforma_se_explica(tmp_path):
    with zipfile.ZipFile(tmp_path / 'otro.zip', 'w') as archivo:
        archivo.writestr('servicio1.py', 'x')
    with pytest.raises(aula.NoSePuede, match='no parece la descarga'):
        aula.abrir(tmp_path / 'otro.zip', tmp_path)
    (tmp_path / 'roto.zip').write_bytes(b'PK\x03\x04 no es un zip')
    with pytest.raises(aula.NoSePuede, match='no es una carpeta ni un zip'):
        aula.abrir(tmp_path / 'roto.zip', tmp_path)


@pytest.fixture(scope='module')
def bomba(tmp_path_factory):
    """Un zip pequeño con un servicio1.py de 64 MB de ceros, en la carpeta de Olga en Moodle.

    La de 700 MB (1,7 s en armarse) la desempaqueta la clase entera de test_clase.py.
    """
    return aulas.bomba(tmp_path_factory.mktemp('bomba') / 'bomba.zip', megas=64, nombre=f'{OLGA}/servicio1.py')


def test_un_zip_hostil_no_sale_de_su_entrega_y_el_resto_de_la_clase_se_desempaqueta(tmp_path, bomba):
    """Zip slip, rutas absolutas, enlaces simbólicos, FIFO, demasiados archivos y una bomba, dentro y fuera."""
    eva, pepe, rita, sara = (f'{n}_{i}_assignsubmission_file' for n, i in
                             (('Eva Mala', 3), ('Pepe Bomba', 4), ('Rita Zip', 5), ('Sara Muchos', 6)))
    interior = tmp_path / 'interior.zip'
    with zipfile.ZipFile(interior, 'w') as archivo:   # el zip que sube Rita: su carpeta, con trampas
        for nombre in ARCHIVOS:
            archivo.write(SOLUCIONES / nombre, f'mi_trabajo/{nombre}')
        archivo.writestr('mi_trabajo/../../../ATAQUE_slip_de_dentro', 'x')
        archivo.writestr(aulas.enlace('mi_trabajo/clave'), '/etc/shadow')
        archivo.writestr('__MACOSX/mi_trabajo/._servicio1.py', 'basura de macOS')
    extra = [(f'{eva}/../../ATAQUE_slip', b'x'), (f'{eva}/sub/../../../ATAQUE_slip2', b'x'), (f'{eva}//etc/x', b'x'),
             (f'{eva}/C:/ATAQUE_unidad', b'x'), (aulas.enlace(f'{eva}/servicio1.py'), b'/etc/passwd'),
             (aulas.entrada_especial(f'{eva}/fifo', stat.S_IFIFO), b''), (f'{eva}/flask_test.py', b'print(1)\n'),
             (f'{pepe}/entrega.zip', bomba.read_bytes()), (f'{rita}/entrega.zip', interior.read_bytes()),
             *((f'{sara}/vacio{i}.py', b'') for i in range(desempaquetar.TOPE_ARCHIVOS + 1))]
    origen = aulas.zip_moodle(tmp_path / 'clase.zip', {('Ana García', 1234): SOLUCIONES}, extra=extra)
    privada = tmp_path / 'privada'
    privada.mkdir()
    clase = aula.abrir(origen, privada)
    entregas = {e.nombre: e for e in clase.entregas}
    assert _archivos(entregas['Ana García_1234'].carpeta) == ARCHIVOS
    eva = entregas['Eva Mala_3']
    assert _archivos(eva.carpeta) == ['flask_test.py'] and eva.error is None
    assert len(eva.avisos) == 6 and sum('sale de su carpeta' in a for a in eva.avisos) == 2
    assert sum('ruta absoluta' in a for a in eva.avisos) == 2
    assert any('enlace simbólico' in a for a in eva.avisos) and any('archivo especial' in a for a in eva.avisos)
    rita = entregas['Rita Zip_5']
    assert _archivos(rita.carpeta) == ARCHIVOS   # sin su carpeta mi_trabajo/, ni la basura de macOS
    assert any('sale de su carpeta' in a for a in rita.avisos) and any('enlace' in a for a in rita.avisos)
    for nombre, que in (('Pepe Bomba_4', '64,0 MB'), ('Sara Muchos_6', f'{desempaquetar.TOPE_ARCHIVOS + 1} archivos')):
        entrega = entregas[nombre]
        assert entrega.carpeta is None and que in entrega.error and 'no se desempaquetó ni se calificó' in entrega.error
    assert not [p for p in tmp_path.parent.rglob('ATAQUE_*')]
    assert sum(f.stat().st_size for f in privada.rglob('*') if f.is_file()) < 1024 ** 2


def test_la_bomba_en_el_zip_de_la_clase_tampoco_se_escribe(tmp_path, bomba):
    origen = tmp_path / 'clase.zip'
    origen.write_bytes(bomba.read_bytes())
    with zipfile.ZipFile(origen, 'a') as archivo:
        archivo.writestr('Ana García_1234_assignsubmission_file/servicio1.py', 'x')
    (tmp_path / 'privada').mkdir()
    ana, olga = aula.abrir(origen, tmp_path / 'privada').entregas
    assert olga.carpeta is None and '64,0 MB' in olga.error
    assert _archivos(ana.carpeta) == ['servicio1.py']


def test_al_escribir_se_cuenta_aunque_el_zip_mienta():
    presupuesto = desempaquetar.Presupuesto()
    assert presupuesto.reservar(1, 10) is None
    presupuesto.gastar(desempaquetar.TOPE_BYTES)
    with pytest.raises(desempaquetar._Tope):
        presupuesto.gastar(1)


def test_solo_elige_una_entrega_por_su_nombre_o_su_numero(tmp_path):
    origen = aulas.zip_moodle(tmp_path / 'descarga.zip', {('Ana García', 1234): SOLUCIONES,
                                                          ('Luis Pérez', 1235): ESQUELETO})
    for solo in ('1235', 'Luis Pérez_1235', 'luis-perez_1235.9103c71ac3'):
        privada = tmp_path / solo
        privada.mkdir()
        assert [e.nombre for e in aula.abrir(origen, privada, solo).entregas] == ['Luis Pérez_1235']
        assert len(os.listdir(privada)) == 1   # solo se desempaqueta esa
    with pytest.raises(aula.NoSePuede, match='Luis Pérez_1235'):
        aula.abrir(origen, tmp_path, 'Luis Perez_1235x')
