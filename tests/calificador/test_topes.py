"""Lo que el calificador recibe del código de un estudiante tiene tope: ni la memoria ni el tiempo se le van.

Respuestas HTTP sin fin de su app, cuerpos enormes o miles de peticiones a su
servicio de prueba, y un informe de la sonda que se queda a media línea.
"""
import contextlib
import os
import socket
import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from abandono.calificador import caja, clase, limites, observacion
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
    respuesta = observacion.pedir('GET', servidor(sin_fin))
    assert respuesta.status_code == 200 and len(respuesta.content) == observacion.MAX_RESPUESTA
    assert time.monotonic() - inicio < 3


def test_el_servicio_de_prueba_no_lee_cuerpos_enormes_ni_anota_sin_fin(servidor, variables):
    servicio = ServicioDePrueba(0.25, variables)
    servicio.formato_listo.set()   # con el formato de la lección, sin esperar al de una app que aquí no hay
    url = servidor(servicio.aplicacion()) + '/predict'
    enorme = requests.post(url, data=b'{"a": "' + b'x' * 10_000_000 + b'"}',
                           headers={'Content-Type': 'application/json'}, timeout=10)
    assert enorme.status_code == 413 and servicio.peticiones == []
    estados = [requests.post(url, json=CLIENTE_LECCION, timeout=10).status_code for _ in range(25)]
    assert estados == [200] * 20 + [429] * 5
    assert len(servicio.peticiones) == 20


def test_el_servicio_de_prueba_solo_puntua_clientes_que_el_modelo_conoce(servidor, variables):
    servicio = ServicioDePrueba(0.25, variables)
    servicio.formato_listo.set()
    url = servidor(servicio.aplicacion()) + '/predict'
    solo_claves = requests.post(url, json=dict.fromkeys(CLIENTE_LECCION), timeout=10)
    assert solo_claves.status_code == 422 and 'gender' in solo_claves.json()['error']
    assert requests.post(url, json=CLIENTE_LECCION, timeout=10).json()['probabilidad_abandono'] == 0.25
    assert [p['aceptada'] for p in servicio.peticiones] == [False, True]


def test_sin_el_formato_de_su_app_solo_espera_la_primera_peticion(servidor, variables, monkeypatch):
    """Si la app del estudiante no dice su formato, el servicio de prueba lo espera una vez, no en cada petición."""
    monkeypatch.setattr(observacion, '_ESPERA_DEL_FORMATO', 1.0)
    url = servidor(ServicioDePrueba(0.25, variables).aplicacion()) + '/predict'
    inicio = time.monotonic()
    respuestas = [requests.post(url, json=CLIENTE_LECCION, timeout=10).json() for _ in range(3)]
    assert respuestas == [{'probabilidad_abandono': 0.25, 'abandono': False}] * 3   # el de la lección
    assert time.monotonic() - inicio < 2 * observacion._ESPERA_DEL_FORMATO


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
    pedido = {'archivo': 'espia.py', 'sondas': [], 'clientes': [], 'puerto': 20000, 'fase': 15, 'funcion': 3}
    with caja.Caja(entrada, [caja.Orden(('sonda',), servir=True, preferido=20000, pedido=pedido)]) as abierta:
        inicio = time.monotonic()
        assert abierta.ejecuciones[0].informe(limite=2) is None
        assert time.monotonic() - inicio < 4


def test_la_espera_del_informe_cuenta_desde_que_la_caja_lanza_la_ejecucion():
    """Lo que la caja tarda en precargar no se descuenta del estudiante, y solo cuenta el primer aviso.

    Con la máquina cargada, precargar llegó a tardar 5,5 s y la sonda de un app.run al
    importar informaba a los 20,1 s de abrir la caja: con ARRANQUE (20 s) contado desde ahí,
    el ejercicio 1 perdía 3 puntos que había ganado.
    """
    with contextlib.ExitStack() as pila:
        ejecucion = caja.Ejecucion(caja.Orden(('sonda',)), pila)
        threading.Timer(0.6, ejecucion.lanzada, (7,)).start()
        threading.Timer(1.0, os.write, (ejecucion.informe_fd, b'{"importado": true}\n')).start()
        assert ejecucion.informe(limite=0.8) == {'importado': True}
        # Un segundo aviso no alarga nada: el plazo sigue contando desde el primero (hace 0,4 s y más).
        ejecucion.lanzada(8)
        assert ejecucion.pid_dentro == 7
        inicio = time.monotonic()
        assert ejecucion.informe(limite=0.3) is None
        assert time.monotonic() - inicio < 0.15


@pytest.mark.parametrize('cgroups, memoria, procesos, esperado', [
    (False, 64, None, 1),     # sin cgroups, de una en una: RLIMIT_NPROC es de todo el usuario
    (False, 64, 8, 1),        # ni aunque se pidan más
    (True, 64, None, 4),      # dos por CPU (la prueba finge dos)
    (True, 3, None, 3),       # las que caben en la memoria disponible con el tope de su caja
    (True, 0, None, 1),       # y al menos una
    (True, 64, 7, 7),         # --procesos manda
])
def test_cuantas_entregas_a_la_vez(monkeypatch, cgroups, memoria, procesos, esperado):
    monkeypatch.setattr(caja, 'cajas_con_cgroups', lambda: cgroups)
    monkeypatch.setattr(clase, '_memoria_disponible', lambda: memoria * limites.MEMORIA_CAJA)
    monkeypatch.setattr(clase.os, 'cpu_count', lambda: 2)
    assert clase.a_la_vez(procesos) == esperado


MEMFD = '''
import os, time
tenidos = []
for _ in range(240):   # 8 MB cada uno (RLIMIT_FSIZE): 1,9 GB que no cuentan en RLIMIT_AS
    try:
        fd = os.memfd_create('memfd')
        os.posix_fallocate(fd, 0, 8 * 1024 ** 2)
        tenidos.append(fd)
    except OSError:
        break
print(len(tenidos), flush=True)
time.sleep(30)
'''
TRES_PROCESOS = '''
import subprocess, sys, time
reservar = "datos = b'x' * (1400 * 1024 ** 2); import time; time.sleep(30)"
procesos = [subprocess.Popen([sys.executable, '-c', reservar]) for _ in range(3)]
time.sleep(30)
'''


def _espia(tmp_path, codigo):
    (tmp_path / 'entrega').mkdir()
    (tmp_path / 'entrega' / 'espia.py').write_text(codigo, encoding='utf-8')
    return caja.Entrada(tmp_path / 'entrega', RAIZ / 'modelo_trabajo.bin', tmp_path / 'entrada')


@pytest.mark.skipif(caja.motivo_sin_caja() is not None, reason=str(caja.motivo_sin_caja()))
@pytest.mark.parametrize('codigo', [MEMFD, TRES_PROCESOS], ids=['memfd_de_2_gb', 'tres_de_14_gb'])
def test_sin_cgroups_el_vigilante_para_la_caja_en_su_tope(tmp_path, monkeypatch, codigo):
    """Sin cgroup «memory» (sin root ni cgroups delegados), el vigilante de fuera suma la caja y la para en 1 GiB."""
    monkeypatch.setattr(caja, '_jerarquias', lambda: [])
    with caja.Caja(_espia(tmp_path, codigo), [caja.Orden(('espia.py',))]) as abierta:
        ejecucion = abierta.ejecuciones[0]
        inicio = time.monotonic()
        assert ejecucion.esperar_fin(25) is not None, 'la caja siguió viva con más de 1 GiB'
        assert time.monotonic() - inicio < 15
        excedida, errores = abierta.vigilante.excedida, ejecucion.errores
    assert excedida is not None and limites.MEMORIA_CAJA < excedida < limites.MEMORIA_CAJA + 256 * 1024 ** 2
    assert 'superó 1024 MiB de memoria' in errores


@pytest.mark.skipif(caja.motivo_sin_caja() is not None, reason=str(caja.motivo_sin_caja()))
def test_sin_cgroups_una_caja_honrada_sigue_viva(tmp_path, monkeypatch):
    """La cota barata cuenta dos veces lo precargado que comparten los hijos; la cuenta exacta, no: nadie la para."""
    monkeypatch.setattr(caja, '_jerarquias', lambda: [])
    orden = caja.Orden(('espia.py',))
    with caja.Caja(_espia(tmp_path, 'import sklearn.linear_model, flask, time\ntime.sleep(3)\n'), [orden] * 5,
                   precargar=('modelo',)) as abierta:
        assert [e.esperar_fin(30) for e in abierta.ejecuciones] == [0] * 5
        assert abierta.vigilante.excedida is None


BUFERES = '''
import fcntl, os, socket, struct, time
for _ in range(3):
    if os.fork() == 0:
        break
escucha = socket.create_server(('127.0.0.1', 0))
pares = []
for _ in range(100):
    try:
        c = socket.create_connection(escucha.getsockname())
        pares.append((c, escucha.accept()[0]))
        c.setblocking(False)
        while True:
            c.send(b'x' * 65536)
    except (BlockingIOError, OSError):
        continue
# Lo que retiene el kernel: lo que espera en el envío (TIOCOUTQ) y en la recepción (FIONREAD).
retenido = sum(struct.unpack('i', fcntl.ioctl(s, orden, b'    '))[0]
               for par in pares for s, orden in zip(par, (0x5411, 0x541B)))
os.write(1, f'{retenido}\\n'.encode())   # de una vez: los cuatro procesos escriben a la vez
time.sleep(2)
'''


@pytest.mark.skipif(caja.motivo_sin_caja() is not None, reason=str(caja.motivo_sin_caja()))
def test_las_conexiones_de_loopback_llenas_retienen_poco(tmp_path):
    """Cada red de la caja tiene tcp_rmem y tcp_wmem pequeños: 400 conexiones llenas, unos MB y no gigas."""
    with caja.Caja(_espia(tmp_path, BUFERES), [caja.Orden(('espia.py',))]) as abierta:
        ejecucion = abierta.ejecuciones[0]
        fin = time.monotonic() + 30
        while ejecucion.salida.count('\n') < 4 and time.monotonic() < fin:
            time.sleep(0.1)
        salida, errores = ejecucion.salida, ejecucion.errores
    assert salida.count('\n') == 4, errores
    retenido = sum(int(n) for n in salida.split())
    assert retenido < 128 * 1024 ** 2, retenido
