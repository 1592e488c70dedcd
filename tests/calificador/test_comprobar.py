"""make comprobar: un estudiante califica su propia carpeta con el mismo calificador.

La carpeta se escribe como la lección (URL fija ``http://localhost:9696/predict``,
``app.run(host='0.0.0.0', port=9696)``): cada caja tiene su propia red, así que da
igual que algo ocupe el 9696 de la computadora.
"""
import contextlib
import os
import socket
import subprocess
import sys

import pytest

from abandono.calificador.ejercicios import EJERCICIOS
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


@pytest.mark.parametrize('nombre, encontrado, destino', [
    ('servicio1_con_mayuscula', 'Servicio1.py', 'renómbralo a {carpeta}/servicio1.py'),
    ('en_una_subcarpeta', 'ejercicios/servicio1.py', 'muévelo a {carpeta}/servicio1.py')])
def test_un_archivo_con_otro_nombre_o_en_otra_carpeta_se_nombra_y_no_se_califica(tmp_path, nombre, encontrado,
                                                                                  destino):
    carpeta = POR_NOMBRE[nombre].construir(tmp_path)
    resultado = comprobar_sin_make(carpeta)
    assert resultado.returncode == 2
    assert f'encontré {carpeta}/{encontrado}: {destino.format(carpeta=carpeta)}' in resultado.stderr, resultado.stderr
    assert 'Python distingue mayúsculas' in resultado.stderr and 'Total' not in resultado.stdout


@pytest.mark.lento
@pytest.mark.parametrize('nombre', ['abre_en_modo_texto', 'errata_model', 'sangria_de_menos'])
def test_un_error_que_impide_importar_da_un_bloque_con_su_linea_y_su_arreglo(tmp_path, nombre):
    muestra = POR_NOMBRE[nombre]
    salida = comprobar(muestra.construir(tmp_path))
    assert f'Total: {sum((MAXIMOS | muestra.esperado).values())}/{TOTAL}' in salida, salida
    assert salida.count('no se puede importar: sin importar el archivo no se puede probar la app') == 1, salida
    assert muestra.pista in salida and 'en servicio1.py, línea ' in salida, salida
    assert salida.count('✘') <= 4, salida
    assert salida.count('No se pudo comprobar por el error de arriba') == 1, salida
    assert 'termina el script con app.run' not in salida and 'Traceback' not in salida


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
