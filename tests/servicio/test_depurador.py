"""El servicio nunca enseña el depurador de Werkzeug ni trazas, aunque algo falle dentro."""
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from abandono.datos import CLIENTE_LECCION
from abandono.lanzador import RAIZ, en_marcha, escucha, orden_servicio, puerto_libre

# Una prueba de aguante (pytest -m robustez): lo que llega mal, en cantidad o despacio.
pytestmark = pytest.mark.robustez

AQUI = Path(__file__).resolve().parent


@pytest.fixture(scope='module', params=['desarrollo', 'gunicorn'])
def url_rota(request):
    puerto = puerto_libre()
    # El comando de verdad con el módulo roto en lugar de servicio1, arrancado desde su carpeta.
    # FLASK_DEBUG=1 en el entorno: ni así debe aparecer el depurador.
    entorno = {'PYTHONPATH': str(RAIZ), 'FLASK_DEBUG': '1'}
    with en_marcha(orden_servicio(request.param, puerto, modulo='servicio_que_falla'), puerto,
                   cwd=AQUI, env=entorno) as url:
        yield url


@pytest.mark.parametrize('ruta, cuerpo', [('/predict', CLIENTE_LECCION), ('/predict_lote', [CLIENTE_LECCION])])
def test_un_fallo_interno_es_un_500_en_json_y_en_espanol(url_rota, ruta, cuerpo):
    respuesta = requests.post(url_rota + ruta, json=cuerpo, timeout=30)
    assert respuesta.status_code == 500
    assert respuesta.headers['Content-Type'].startswith('application/json')
    assert respuesta.json() == {
        'error': 'Error interno del servicio. El detalle está en el registro del servidor.', 'detalles': []}
    for delator in ('Traceback', 'Werkzeug', 'Debugger', '__debugger__', 'RuntimeError',
                    'secreto-interno', 'servicio_que_falla', '<html', '<!doctype'):
        assert delator.lower() not in respuesta.text.lower()


def test_la_consola_del_depurador_no_existe(url_rota):
    respuesta = requests.get(url_rota + '/console', timeout=30)
    assert respuesta.status_code == 404
    assert respuesta.headers['Content-Type'].startswith('application/json')
    assert 'Werkzeug' not in respuesta.text and 'debugger' not in respuesta.text.lower()
    # Con el depurador activo, esta petición devolvería su JavaScript; sin él, la ruta contesta lo suyo.
    respuesta = requests.get(url_rota + '/salud?__debugger__=yes&cmd=resource&f=debugger.js', timeout=30)
    assert respuesta.json()['estado'] == 'ok'


def test_el_resto_del_servicio_sigue_vivo(url_rota):
    """Un fallo en una petición no tumba el proceso: la siguiente se atiende."""
    requests.post(url_rota + '/predict', json=CLIENTE_LECCION, timeout=30)
    assert requests.get(url_rota + '/salud', timeout=30).json()['estado'] == 'ok'


def direccion_externa():
    """Una dirección de esta computadora que no es 127.0.0.1 (la de su interfaz de red), o None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(('10.255.255.255', 1))  # UDP: no envía nada, solo elige la interfaz
            direccion = s.getsockname()[0]
        except OSError:
            return None
    return None if direccion.startswith('127.') else direccion


def test_debug_solo_escucha_en_127_0_0_1():
    puerto = puerto_libre()
    with en_marcha([sys.executable, 'servicio1.py', '--debug', '--port', str(puerto)], puerto) as url:
        # Con --debug el recargador escucha enseguida y el hijo que atiende aún carga el modelo: un
        # plazo holgado, porque lo que se prueba es dónde escucha, no cuánto tarda en arrancar.
        assert requests.get(url + '/salud', timeout=60).status_code == 200
        externa = direccion_externa()
        if externa is None:
            pytest.skip('esta computadora no tiene otra dirección que 127.0.0.1')
        assert not escucha(puerto, externa), f'el depurador responde en {externa}:{puerto}'


@pytest.mark.lento  # 2 s cada una: servicio1.py carga el modelo antes de leer sus opciones
@pytest.mark.parametrize('host', ['0.0.0.0', '192.168.1.10', '::'])
def test_debug_con_otro_host_se_niega_en_espanol(host):
    puerto = puerto_libre()
    # timeout: si arrancara el servidor en vez de negarse, no terminaría nunca.
    proceso = subprocess.run([sys.executable, 'servicio1.py', '--debug', '--host', host, '--port', str(puerto)],
                             cwd=RAIZ, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proceso.returncode != 0
    assert f'--debug no se puede usar con --host {host}' in proceso.stderr
    assert 'solo escucha en 127.0.0.1' in proceso.stderr
    assert 'Traceback' not in proceso.stderr
    assert not escucha(puerto)
