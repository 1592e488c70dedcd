"""make comprobar: un estudiante califica su propia carpeta con el mismo calificador.

La carpeta se escribe como la lección (URL fija ``http://localhost:9696/predict``,
``app.run(host='0.0.0.0', port=9696)``): cada caja tiene su propia red, así que da
igual que algo ocupe el 9696 de la computadora.
"""
import contextlib
import io
import os
import socket
import subprocess
import sys

import pytest

from abandono.calificador import comprobar as orden
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.calificador.juicio import POR_EL_ERROR_DE_ARRIBA
from abandono.lanzador import RAIZ
from muestras import ARCHIVOS, MUESTRAS, PISTAS, Muestra

POR_NOMBRE = {m.nombre: m for m in MUESTRAS}
MAXIMOS = {n: sum(e.puntos.values()) for n, e in EJERCICIOS.items()}
TOTAL = sum(MAXIMOS.values())


def comprobar(carpeta, **entorno):
    # -o: make no rehace el entorno ni el modelo aunque otra prueba los toque a la vez.
    sin_rehacer = ['-o', '.venv/.taller', '-o', '.venv/.entrenamiento', '-o', 'modelo_trabajo.bin']
    resultado = subprocess.run(['make', '-s', *sin_rehacer, 'comprobar', f'CARPETA={carpeta}'], cwd=RAIZ,
                               capture_output=True, text=True, timeout=120, env={**os.environ, **entorno})
    assert resultado.returncode == 0, resultado.stderr
    return resultado.stdout


@contextlib.contextmanager
def ocupar_9696():
    """Algo escuchando en el 9696 de la computadora (si ya lo hay, eso mismo vale)."""
    try:
        ocupante = socket.create_server(('0.0.0.0', 9696))
    except OSError:
        ocupante = None
    try:
        yield
    finally:
        if ocupante:
            ocupante.close()


def test_la_carpeta_escrita_como_la_leccion_saca_todo_aunque_el_9696_este_ocupado_y_haya_proxy(tmp_path):
    # Los archivos sin pistas escritas en muestras.py (un ejercicio nuevo), con su solución.
    soluciones = {a: (RAIZ / 'solutions' / a).read_text(encoding='utf-8') for a in ARCHIVOS if a not in PISTAS}
    carpeta = Muestra('leccion', 'correcta', '', PISTAS, base='exercises', extra=soluciones).construir(tmp_path)
    # Un proxy que no responde, sin NO_PROXY: el calificador habla con 127.0.0.1 sin pasar por él.
    proxy = {nombre: 'http://127.0.0.1:9' for nombre in ('HTTP_PROXY', 'http_proxy', 'ALL_PROXY')}
    with ocupar_9696():
        salida = comprobar(carpeta, **proxy, NO_PROXY='', no_proxy='')
    assert f'Total: {TOTAL}/{TOTAL}' in salida, salida
    assert '¡Todo bien!' in salida


@pytest.mark.lento
def test_dos_errores_dan_sus_dos_pistas(tmp_path):
    errores = POR_NOMBRE['url_sin_http'], POR_NOMBRE['depurador_activado']
    cambios = {archivo: c for e in errores for archivo, c in e.cambios.items()}
    assert len(cambios) == sum(len(e.cambios) for e in errores), 'los dos errores deben tocar archivos distintos'
    carpeta = Muestra('dos_errores', 'error típico', '', cambios).construir(tmp_path)
    salida = comprobar(carpeta)
    obtenidos = sum((MAXIMOS | errores[0].esperado | errores[1].esperado).values())
    assert f'Total: {obtenidos}/{TOTAL}' in salida, salida
    for texto in ('Ejercicio 2 (flask_test.py: hola en una ruta): 2/3', 'Ejercicio 4 (probar el servicio con requests): 0/3',
                  'con http:// delante', 'arranca con el depurador activado', 'Se esperaba:', 'Se obtuvo:', 'Pista:'):
        assert texto in salida, salida
    assert 'Traceback' not in salida


def comprobar_sin_make(carpeta):
    """python -m abandono.calificador.comprobar: lo que usa quien no tiene make (Windows)."""
    return subprocess.run([sys.executable, '-m', 'abandono.calificador.comprobar', str(carpeta)], cwd=RAIZ,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.lento  # una calificación entera más (unos 13 s); la de la carpeta de la lección queda en make test
def test_sin_make_el_bloc_de_notas_y_add_url_rule_sacan_todo(tmp_path):
    """BOM y CRLF (el Bloc de notas) y la ruta de hola con add_url_rule: como Python los lee, todos los puntos."""
    carpeta = Muestra('bloc_y_add_url_rule', 'correcta', '', POR_NOMBRE['add_url_rule'].cambios,
                      bom_crlf=True).construir(tmp_path)
    assert (carpeta / 'flask_test.py').read_bytes().startswith(b'\xef\xbb\xbf')
    assert b'add_url_rule' in (carpeta / 'flask_test.py').read_bytes()
    resultado = comprobar_sin_make(carpeta)
    assert resultado.returncode == 0, resultado.stderr
    assert f'Total: {TOTAL}/{TOTAL}' in resultado.stdout, resultado.stdout


# Lo que nunca debe ver un estudiante: trazas, pytest, rutas del calificador o de la caja, HTML, gunicorn.
INTERNO = ('Traceback', 'pytest', 'def test_', 'conftest', 'abandono.calificador', '/tmp/', '/zona', 'Werkzeug',
           '<html', '<!doctype', 'gunicorn', 'sin importar el archivo')


def sin_nada_interno(salida):
    return [texto for texto in INTERNO if texto.lower() in salida.lower()]


@pytest.mark.parametrize('nombre, linea', [
    pytest.param('servicio1_txt', 'Falta servicio1.py: encontré servicio1.py.txt; renómbralo a servicio1.py',
                 marks=pytest.mark.lento),
    pytest.param('servicio1_con_espacio', 'Falta servicio1.py: encontré servicio1 .py; renómbralo a servicio1.py',
                 marks=pytest.mark.lento),
    pytest.param('flask_test_txt', 'Falta flask_test.py: encontré flask_test.py.txt; renómbralo a flask_test.py',
                 marks=pytest.mark.lento),
    pytest.param('sin_flask_test', 'Falta flask_test.py: no está en la entrega', marks=pytest.mark.lento),
    pytest.param('en_una_subcarpeta', 'Falta servicio1.py: encontré ejercicios/servicio1.py; muévelo',
                 marks=pytest.mark.lento)])
def test_un_archivo_con_otro_nombre_da_una_linea_y_lo_demas_se_califica(tmp_path, nombre, linea):
    """Lo que se encontró y cómo se renombra, en una línea; los ejercicios de los otros archivos, calificados."""
    muestra = POR_NOMBRE[nombre]
    resultado = comprobar_sin_make(muestra.construir(tmp_path))
    assert resultado.returncode == 0, resultado.stderr
    assert f'Total: {sum((MAXIMOS | muestra.esperado).values())}/{TOTAL}' in resultado.stdout, resultado.stdout
    lineas = [l for l in resultado.stdout.splitlines() if 'Falta ' in l or 'por el error de arriba' in l]
    assert len(lineas) == len({a for a in ARCHIVOS if a in muestra.borrar or a in muestra.mover}), resultado.stdout
    assert linea in lineas[0] and lineas[0].startswith('✘ ')
    assert sin_nada_interno(resultado.stdout) == [], resultado.stdout


def bloques(salida):
    """Los bloques ✘ de una salida de make comprobar: [(cabecera, primera línea del mensaje)]."""
    lineas = salida.splitlines()
    return [(linea, lineas[i + 1].strip() if i + 1 < len(lineas) else '')
            for i, linea in enumerate(lineas) if linea.startswith('✘')]


# Una entrega con tres filas de la tabla de la issue 24, cada una en su archivo: una sola calificación.
TRES_FILAS = ('comillas_de_pdf', 'sin_import_requests', 'sin_methods_post')


# En make test queda una calificación entera (la carpeta de la lección, arriba); esta es otra, unos 10 s.
@pytest.mark.lento
def test_tres_errores_de_la_tabla_dan_su_causa_su_linea_y_su_arreglo_una_vez(tmp_path):
    muestras = [POR_NOMBRE[n] for n in TRES_FILAS]
    cambios = {archivo: c for m in muestras for archivo, c in m.cambios.items()}
    assert len(cambios) == len(muestras), 'cada error en su archivo'
    salida = comprobar(Muestra('tres_filas', 'error típico', '', cambios).construir(tmp_path))
    obtenidos = {**MAXIMOS, **{n: p for m in muestras for n, p in m.esperado.items()}}
    assert f'Total: {sum(obtenidos.values())}/{TOTAL}' in salida, salida
    for muestra in muestras:
        assert salida.count(muestra.pista) == 1, (muestra.nombre, salida)
    primeras = [primera for cabecera, primera in bloques(salida) if 'por el error de arriba' not in cabecera]
    assert len(primeras) == len(muestras), salida
    # La primera frase de cada bloque: dónde (archivo y línea) y la causa en llano; el error de Python, de detalle.
    assert all(p.split(':')[0].endswith(tuple(f'.py, línea {n}' for n in range(1, 200))) for p in primeras), primeras
    assert salida.count('Detalle:') == len(muestras) and sin_nada_interno(salida) == [], salida


# Las filas de la tabla de la issue 24 (y las de la 19): cada una, su causa, su línea y su arreglo, una vez.
FILAS = ('sin_import_requests', 'sin_request_en_el_import', 'comillas_de_pdf', 'print_de_python_2', 'lee_request_form',
         'ruta_llamada_predict_cliente', 'devuelve_un_float_suelto', 'sin_methods_post', 'run_fuera_del_main',
         'devuelve_la_matriz', 'modelo_junto_al_script', 'cliente_lee_otra_clave', 'cliente_en_otro_puerto',
         'abre_en_modo_texto', 'errata_model', 'sangria_de_menos')


@pytest.mark.lento
@pytest.mark.parametrize('nombre', FILAS)
def test_cada_fila_de_la_tabla_da_su_causa_su_linea_y_su_arreglo_una_vez(tmp_path, nombre):
    muestra = POR_NOMBRE[nombre]
    salida = comprobar(muestra.construir(tmp_path))
    assert f'Total: {sum((MAXIMOS | muestra.esperado).values())}/{TOTAL}' in salida, salida
    assert salida.count(muestra.pista) == 1, salida
    primeras = [primera for cabecera, primera in bloques(salida) if 'por el error de arriba' not in cabecera]
    assert len(primeras) == 1, salida
    assert sin_nada_interno(salida) == [], salida


def _resultado(ejercicio, puntos, obtenidos, mensaje='', causa='', notas=()):
    return {'ejercicio': ejercicio, 'titulo': EJERCICIOS[ejercicio].titulo, 'prueba': f'test_{ejercicio}_{puntos}',
            'descripcion': f'comprobación del ejercicio {ejercicio}', 'puntos': puntos, 'obtenidos': obtenidos,
            'mensaje': mensaje, 'causa': causa, 'notas': list(notas)}


CALIFICACION = {'entrega': 'mi_trabajo', 'error': None, 'salida': '', 'resultados': [
    _resultado(1, 2, 0, 'servicio1.py, línea 3: usas requests, pero no lo importas.\n  Pista: añade import requests',
               'el error de servicio1.py, línea 3'),
    _resultado(3, 1, 0, f'{POR_EL_ERROR_DE_ARRIBA} (el error de servicio1.py, línea 3)',
               'el error de servicio1.py, línea 3'),
    _resultado(2, 1, 0, 'Falta flask_test.py: encontré flask_test.py.txt; renómbralo a flask_test.py.',
               'falta flask_test.py'),
    _resultado(2, 2, 0, f'{POR_EL_ERROR_DE_ARRIBA} (falta flask_test.py)', 'falta flask_test.py'),
    _resultado(4, 3, 3, notas=['Tu script y tu servicio1.py usan el puerto 5000.'])]}


def test_lo_que_escribe_make_comprobar_un_bloque_por_causa_una_linea_por_archivo_y_las_notas():
    salida = io.StringIO()
    orden.mostrar(CALIFICACION, 1, salida)
    texto = salida.getvalue()
    assert texto.count('✘') == 3 and texto.count('usas requests') == 1
    assert '✘ Falta flask_test.py: encontré flask_test.py.txt; renómbralo a flask_test.py. (ejercicio 2: 0/3)' in texto
    assert f'✘ {POR_EL_ERROR_DE_ARRIBA} (el error de servicio1.py, línea 3) (0/1):' in texto
    assert 'Notas (no cuestan puntos):\n  - Ejercicio 4: Tu script y tu servicio1.py usan el puerto 5000.' in texto
    # Un solo ejercicio (la celda de comprobación de un cuaderno): sus puntos, sus fallos y sus notas.
    solo = io.StringIO()
    orden.mostrar(CALIFICACION, 1, solo, ejercicios={4})
    assert 'Ejercicio 4 (' in solo.getvalue() and '✘' not in solo.getvalue() and 'Total' not in solo.getvalue()
    assert '¡Todo bien!' in solo.getvalue() and 'puerto 5000' in solo.getvalue()


def test_una_celda_de_un_ejercicio_muestra_el_error_de_arriba_aunque_sea_de_otro_ejercicio():
    """El cuaderno 06 muestra los ejercicios 3 y 4; si el error de servicio1.py se explicó en el 1, va arriba."""
    salida = io.StringIO()
    orden.mostrar(CALIFICACION, 1, salida, ejercicios={3})
    texto = salida.getvalue()
    assert texto.count('usas requests') == 1 and texto.index('usas requests') < texto.index(POR_EL_ERROR_DE_ARRIBA)
    assert 'Ejercicio 1 (' not in texto   # sus puntos no: solo la explicación


def test_un_archivo_sin_empezar_es_una_linea_sin_el_codigo_de_las_pistas():
    """Las pistas dicen el código que toca escribir: para un esqueleto intacto, solo que falta empezarlo."""
    salida = io.StringIO()
    orden.mostrar({**CALIFICACION, 'sin_empezar': ['servicio1.py']}, 1, salida)
    texto = salida.getvalue()
    assert ('✘ servicio1.py sigue como lo copió make empezar: escribe tu código en cada TODO, en orden' in texto
            and '(ejercicio 1, 3: 0/3)' in texto), texto
    assert 'Pista' not in texto and 'import requests' not in texto and POR_EL_ERROR_DE_ARRIBA not in texto
    assert '✘ Falta flask_test.py' in texto   # lo de los demás archivos, como siempre


def test_sin_empezar_son_los_esqueletos_aunque_el_bloc_de_notas_los_guarde(tmp_path):
    from abandono.empezar import empezar

    empezar(tmp_path, salida=io.StringIO())
    assert orden.sin_empezar(tmp_path) == list(ARCHIVOS)
    # Guardado con CRLF, BOM y espacios al final: sigue sin empezar. Con una línea suya, ya no.
    flask_test = tmp_path / 'flask_test.py'
    flask_test.write_bytes(b'\xef\xbb\xbf' + flask_test.read_bytes().replace(b'\n', b'  \r\n'))
    servicio = tmp_path / 'servicio1.py'
    servicio.write_text(servicio.read_text(encoding='utf-8') + 'dv = None\n', encoding='utf-8')
    assert orden.sin_empezar(tmp_path) == [a for a in ARCHIVOS if a != 'servicio1.py']


@pytest.mark.lento   # un pytest entero más (unos 12 s)
def test_cada_ejercicio_se_califica_solo_y_en_cualquier_orden():
    """pytest con un solo archivo de tests/ejercicios (o con xdist, que reparte los archivos): la misma nota.

    El ejercicio 4 miraba las peticiones al servicio de prueba antes de que su script terminara:
    solo, sacaba 1/3 con la solución.
    """
    resultado = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                                'tests/ejercicios/test_ejercicio4.py'], cwd=RAIZ, capture_output=True, text=True,
                               timeout=120)
    assert resultado.returncode == 0, resultado.stdout[-3000:]


def test_sin_carpeta_dice_como_empezar(tmp_path):
    resultado = subprocess.run([sys.executable, '-m', 'abandono.calificador.comprobar', str(tmp_path / 'nada')],
                               cwd=RAIZ, capture_output=True, text=True, timeout=60)
    assert resultado.returncode == 2 and 'No existe la carpeta' in resultado.stderr


@pytest.mark.lento
@pytest.mark.parametrize('nombre', ['url_sin_http', 'ruta_equivocada', 'prueba_con_get', 'puerto_sin_definir',
                                    'depurador_activado', 'sin_app_run', 'json_dumps_sin_cabecera',
                                    'respuesta_sin_asignar'])
def test_cada_error_de_la_leccion_da_su_pista(tmp_path, nombre):
    muestra = POR_NOMBRE[nombre]
    salida = comprobar(muestra.construir(tmp_path))
    assert muestra.pista in salida, salida


@pytest.mark.lento
def test_sin_caja_la_solucion_saca_todo_aunque_el_9696_este_ocupado():
    """--sin-aislamiento (lo que usa make comprobar sin bubblewrap) desvía el 9696 de la lección."""
    orden = [sys.executable, '-m', 'pytest', 'tests/ejercicios', '-q', '-p', 'no:cacheprovider', '--noconftest',
             '-p', 'abandono.calificador.complemento', '--sin-aislamiento']
    with ocupar_9696():
        resultado = subprocess.run(orden, cwd=RAIZ, capture_output=True, text=True, timeout=180,
                                   env={**os.environ, 'PYTEST_DISABLE_PLUGIN_AUTOLOAD': '1'})
    assert f'puntos: {TOTAL}/{TOTAL}' in resultado.stdout, resultado.stdout[-3000:]
