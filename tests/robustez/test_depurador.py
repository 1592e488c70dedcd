"""El servicio nunca enseña el depurador de Werkzeug ni trazas, aunque algo falle dentro."""
import contextlib
import os
import sys
import time
from pathlib import Path

import pytest
import requests

from abandono.datos import CLIENTE_LECCION
from abandono.lanzador import RAIZ, en_marcha, puerto_libre

AQUI = Path(__file__).resolve().parent


def ordenes(puerto):
    """Las mismas órdenes que orden_servicio, con el módulo roto en lugar de servicio1."""
    return {
        'desarrollo': [sys.executable, str(AQUI / 'servicio_que_falla.py'),
                       '--host', '127.0.0.1', '--port', str(puerto)],
        'gunicorn': [sys.executable, '-m', 'gunicorn', '--workers', '2',
                     '--bind', f'127.0.0.1:{puerto}', 'servicio_que_falla:app'],
    }


@pytest.fixture(scope='module', params=['desarrollo', 'gunicorn'])
def url_rota(request):
    puerto = puerto_libre()
    # FLASK_DEBUG=1 en el entorno: ni así debe aparecer el depurador.
    entorno = {'PYTHONPATH': os.pathsep.join([str(RAIZ), str(AQUI)]), 'FLASK_DEBUG': '1'}
    with en_marcha(ordenes(puerto)[request.param], puerto, env=entorno) as url:
        # gunicorn abre el puerto antes de que los workers carguen el modelo.
        limite = time.monotonic() + 60
        while time.monotonic() < limite:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + '/salud', timeout=30).status_code == 200:
                    break
            time.sleep(0.2)
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
    for ruta in ('/console', '/?__debugger__=yes&cmd=resource&f=style.css'):
        respuesta = requests.get(url_rota + ruta, timeout=30)
        assert respuesta.status_code == 404
        assert respuesta.headers['Content-Type'].startswith('application/json')
        assert 'Werkzeug' not in respuesta.text and 'debugger' not in respuesta.text.lower()


def test_el_resto_del_servicio_sigue_vivo(url_rota):
    """Un fallo en una petición no tumba el proceso: la siguiente se atiende."""
    requests.post(url_rota + '/predict', json=CLIENTE_LECCION, timeout=30)
    assert requests.get(url_rota + '/salud', timeout=30).json()['estado'] == 'ok'
