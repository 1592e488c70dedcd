"""Lo que el calificador recibe del código de un estudiante tiene tope: ni la memoria ni el tiempo se le van.

Respuestas HTTP sin fin de su app, cuerpos enormes o miles de peticiones a su
servicio de prueba, y un informe de la sonda que se queda a media línea.
"""
import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from abandono.calificador import caja, juicio
from abandono.calificador.observacion import ServicioDePrueba
from abandono.lanzador import RAIZ


@pytest.fixture
def servidor():
    """Sirve una app WSGI en un puerto libre de 127.0.0.1 mientras dura la prueba; devuelve su URL."""
    abiertos = []

    def servir(app):
        servidor = make_server('127.0.0.1', 0, app, threaded=True)
        threading.Thread(target=servidor.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        abiertos.append(servidor)
        return f'http://127.0.0.1:{servidor.server_port}'
    yield servir
    for servidor in abiertos:
        servidor.shutdown()


def test_una_respuesta_sin_fin_se_lee_hasta_el_tope(servidor):
    def sin_fin(entorno, start_response):
        start_response('200 OK', [('Content-Type', 'text/plain')])
        while True:
            yield b'x' * 65536

    inicio = time.monotonic()
    respuesta = juicio.pedir('GET', servidor(sin_fin))
    assert respuesta.status_code == 200 and len(respuesta.content) == juicio.MAX_RESPUESTA
    assert time.monotonic() - inicio < 3


def test_el_servicio_de_prueba_no_lee_cuerpos_enormes_ni_anota_sin_fin(servidor):
    servicio = ServicioDePrueba(0.25)
    url = servidor(servicio.aplicacion()) + '/predict'
    enorme = requests.post(url, data=b'{"a": "' + b'x' * 10_000_000 + b'"}',
                           headers={'Content-Type': 'application/json'}, timeout=10)
    assert enorme.status_code == 413 and servicio.peticiones == []
    estados = [requests.post(url, json={'tenure': 41}, timeout=10).status_code for _ in range(25)]
    assert estados == [200] * 20 + [429] * 5
    assert len(servicio.peticiones) == 20


MEDIA_LINEA = '''
import os, signal
for fd in range(3, 64):
    try:
        os.write(fd, b'{')
    except OSError:
        pass
os.kill(os.getpid(), signal.SIGSTOP)
'''


@pytest.mark.lento
@pytest.mark.skipif(caja.motivo_sin_caja() is not None, reason=str(caja.motivo_sin_caja()))
def test_un_informe_a_media_linea_no_retiene_al_calificador(tmp_path):
    """La sonda importa un archivo que escribe «{» en cada descriptor y se para: el informe no llega."""
    (tmp_path / 'entrega').mkdir()
    (tmp_path / 'entrega' / 'espia.py').write_text(MEDIA_LINEA, encoding='utf-8')
    entrada = caja.Entrada(tmp_path / 'entrega', RAIZ / 'modelo_trabajo.bin', tmp_path / 'entrada')
    pedido = {'archivo': 'espia.py', 'funciones': [], 'clientes': [], 'puerto': 20000, 'fase': 15, 'funcion': 3}
    with caja.Caja(entrada, [caja.Orden(('sonda',), servir=True, preferido=20000, pedido=pedido)]) as abierta:
        inicio = time.monotonic()
        assert abierta.ejecuciones[0].informe(limite=2) is None
        assert time.monotonic() - inicio < 4
