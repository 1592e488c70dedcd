"""Lo que el calificador recibe del código de un estudiante tiene tope: ni la memoria ni el tiempo se le van.

Respuestas HTTP sin fin de su app, cuerpos enormes o miles de peticiones a su
servicio de prueba, y un informe de la sonda que se queda a media línea.
"""
import socket
import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from abandono.calificador import caja, clase, juicio, limites
from abandono.calificador.observacion import ServicioDePrueba
from abandono.datos import CLIENTE_LECCION
from abandono.integridad import cargar_modelo
from abandono.lanzador import RAIZ


@pytest.fixture(scope='module')
def variables():
    return list(cargar_modelo(RAIZ / 'modelo_trabajo.bin')[0].feature_names_)


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


def test_el_servicio_de_prueba_no_lee_cuerpos_enormes_ni_anota_sin_fin(servidor, variables):
    servicio = ServicioDePrueba(0.25, variables)
    url = servidor(servicio.aplicacion()) + '/predict'
    enorme = requests.post(url, data=b'{"a": "' + b'x' * 10_000_000 + b'"}',
                           headers={'Content-Type': 'application/json'}, timeout=10)
    assert enorme.status_code == 413 and servicio.peticiones == []
    estados = [requests.post(url, json=CLIENTE_LECCION, timeout=10).status_code for _ in range(25)]
    assert estados == [200] * 20 + [429] * 5
    assert len(servicio.peticiones) == 20


def test_el_servicio_de_prueba_solo_puntua_clientes_que_el_modelo_conoce(servidor, variables):
    servicio = ServicioDePrueba(0.25, variables)
    url = servidor(servicio.aplicacion()) + '/predict'
    solo_claves = requests.post(url, json=dict.fromkeys(CLIENTE_LECCION), timeout=10)
    assert solo_claves.status_code == 422 and 'gender' in solo_claves.json()['error']
    assert requests.post(url, json=CLIENTE_LECCION, timeout=10).json()['probabilidad_abandono'] == 0.25
    assert [p['aceptada'] for p in servicio.peticiones] == [False, True]


def test_mil_quinientas_conexiones_mudas_no_abren_mil_quinientos_hilos(tmp_path, variables):
    """Cada conexión atendida es un hilo del calificador: a la vez, como mucho unas pocas."""
    enchufe = tmp_path / 'prueba.sock'
    servidor = ServicioDePrueba(0.25, variables).iniciar(f'unix://{enchufe}')
    antes, conexiones, maximo = threading.active_count(), [], 0
    try:
        for _ in range(1500):
            conexion = socket.socket(socket.AF_UNIX)
            conexion.connect(str(enchufe))
            conexiones.append(conexion)
            maximo = max(maximo, threading.active_count())
        fin = time.monotonic() + 1
        while time.monotonic() < fin:
            maximo = max(maximo, threading.active_count())
            time.sleep(0.01)
    finally:
        for conexion in conexiones:
            conexion.close()
        servidor.shutdown()
        servidor.server_close()
    assert maximo - antes <= 8, maximo - antes


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


@pytest.mark.parametrize('cgroups, memoria, procesos, esperado', [
    (False, 64, None, 1),     # sin cgroups, de una en una: RLIMIT_NPROC es de todo el usuario
    (False, 64, 8, 1),        # ni aunque se pidan más
    (True, 64, None, 4),      # dos por núcleo (la prueba finge dos núcleos)
    (True, 3, None, 3),       # las que caben en la memoria disponible con el tope de su caja
    (True, 0, None, 1),       # y al menos una
    (True, 64, 7, 7),         # --procesos manda
])
def test_cuantas_entregas_a_la_vez(monkeypatch, cgroups, memoria, procesos, esperado):
    monkeypatch.setattr(caja, 'cajas_con_cgroups', lambda: cgroups)
    monkeypatch.setattr(clase, '_memoria_disponible', lambda: memoria * limites.MEMORIA_CAJA)
    monkeypatch.setattr(clase.os, 'cpu_count', lambda: 2)
    assert clase.a_la_vez(procesos) == esperado
