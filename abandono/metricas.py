"""``GET /metrics`` en el formato de Prometheus y una línea de registro JSON por petición.

Con gunicorn cada worker es un proceso con sus propios contadores. Se usa el
modo multiproceso de ``prometheus_client``: cada proceso escribe sus valores
en archivos de la carpeta ``PROMETHEUS_MULTIPROC_DIR`` y ``/metrics`` suma los
de todos, así que da el total responda el worker que responda. Si nadie
define esa variable, este módulo crea una carpeta temporal al importarse y la
borra al terminar el proceso que la creó. Los workers de ``gunicorn
--preload`` (como lo arranca el taller) son copias del proceso principal y
heredan la carpeta; sin ``--preload`` cada worker importaría la app por su
cuenta, y entonces hay que definir la variable antes de arrancar.

Cada arranque empieza de cero: quien arranca el servicio reclama la carpeta
(``reclamar_carpeta``: el maestro de gunicorn, o el proceso de waitress o del
servidor de desarrollo) y borra las cuentas que dejó otro proceso, aunque
muriera con SIGKILL en un volumen que sobrevive al contenedor; si no,
``/metrics`` sumaría las cuentas viejas y Prometheus nunca vería el reinicio.
Las carpetas automáticas llevan el PID de su creador: un SIGTERM a un servidor
de un solo proceso las borra como una salida normal, y las que deja un SIGKILL
las borra el siguiente arranque.
"""
import atexit
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

_VARIABLE = 'PROMETHEUS_MULTIPROC_DIR'
# Dice qué carpeta creó este módulo. Si un proceso hereda las dos variables
# iguales, su padre es otro servicio (o pytest) que lo lanzó: no comparten
# contadores, así que se crea una carpeta nueva.
_PROPIA = 'ABANDONO_METRICAS_AUTOMATICAS'
# La carpeta que ya reclamó el proceso que arrancó el servicio: sus workers no la vacían.
_RECLAMADA = 'ABANDONO_METRICAS_RECLAMADA'
_PREFIJO = 'abandono-metricas-'


def _vivo(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # existe, aunque sea de otro usuario
    return True


def _barrer_huerfanas():
    """Borra las carpetas automáticas cuyo creador ya no existe (murió sin poder borrarlas)."""
    for carpeta in Path(tempfile.gettempdir()).glob(_PREFIJO + '*'):
        pid = carpeta.name.removeprefix(_PREFIJO).partition('-')[0]
        if pid.isdigit() and not _vivo(int(pid)):
            shutil.rmtree(carpeta, ignore_errors=True)


def reclamar_carpeta():
    """Vacía las cuentas de la carpeta elegida: un arranque nuevo empieza de cero.

    Lo llama quien arranca el servicio, antes de crear workers; los procesos que
    heredan la marca (los workers) ya no la vacían.
    """
    carpeta = os.environ[_VARIABLE]
    if os.environ.get(_RECLAMADA) == carpeta:
        return
    for archivo in Path(carpeta).glob('*.db'):  # solo los archivos de prometheus_client
        archivo.unlink(missing_ok=True)
    os.environ[_RECLAMADA] = carpeta


def _salir_con_sigterm():
    """SIGTERM como salida normal, para que corra el atexit que borra la carpeta.

    Solo si nadie maneja SIGTERM todavía (waitress, el servidor de desarrollo);
    gunicorn instala después sus manejadores y sale por su cuenta con atexit.
    """
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def _preparar_carpeta():
    elegida = os.environ.get(_VARIABLE)
    if elegida and elegida != os.environ.get(_PROPIA):
        os.makedirs(elegida, exist_ok=True)  # la eligió quien arranca el servicio
        reclamar_carpeta()
        return
    _barrer_huerfanas()
    creador = os.getpid()
    carpeta = tempfile.mkdtemp(prefix=f'{_PREFIJO}{creador}-')
    os.environ[_VARIABLE] = os.environ[_PROPIA] = os.environ[_RECLAMADA] = carpeta

    def borrar():
        # Los workers heredan este atexit; solo el creador borra la carpeta.
        if os.getpid() == creador:
            shutil.rmtree(carpeta, ignore_errors=True)
    atexit.register(borrar)
    _salir_con_sigterm()


# prometheus_client elige el modo multiproceso al importarse: la carpeta va antes.
_preparar_carpeta()

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest  # noqa: E402
from prometheus_client.core import InfoMetricFamily  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402
from prometheus_client import values  # noqa: E402

# Si otra biblioteca importó prometheus_client antes que este módulo, eligió el
# modo de un solo proceso y /metrics saldría vacío: que vuelva a elegir ahora.
if not values.ValueClass._multiprocess:
    values.ValueClass = values.get_value_class()

# registry=None: los valores van a los archivos de la carpeta y los reúne
# MultiProcessCollector; así crear varias apps en un proceso (las pruebas) no
# registra dos veces el mismo nombre.
PETICIONES = Counter('abandono_peticiones', 'Peticiones atendidas, por ruta y código de estado.',
                     ['ruta', 'estado'], registry=None)
# Lo que tarda la app en responder, sin la red ni la cola del servidor: de
# medio milisegundo (lo normal) a segundos (un lote enorme o una máquina saturada).
LATENCIA = Histogram('abandono_peticion_segundos', 'Tiempo de respuesta de la app, por ruta.', ['ruta'],
                     buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
                     registry=None)
CLIENTES = Counter('abandono_clientes_puntuados', 'Clientes puntuados (uno por /predict, n por lote).',
                   registry=None)

class _Modelo:
    """La métrica informativa ``abandono_modelo_info`` (huella y tipo del modelo servido).

    Las métricas Info no existen en modo multiproceso; este colector la
    produce en cada lectura de /metrics a partir de lo que sabe la app.
    """

    def __init__(self, huella, tipo):
        self.huella, self.tipo = huella, tipo

    def collect(self):
        yield InfoMetricFamily('abandono_modelo', 'El modelo que sirve el servicio.',
                               value={'huella': self.huella, 'tipo': self.tipo})


class Medidor:
    """Middleware WSGI: cuenta, cronometra y registra cada petición."""

    def __init__(self, wsgi_app, rutas):
        self.wsgi_app, self.rutas = wsgi_app, rutas

    def __call__(self, entorno, start_response):
        inicio = time.perf_counter()
        estado = []

        def anotar(status, headers, exc_info=None):
            estado.append(status)
            return start_response(status, headers, exc_info)

        salida = self.wsgi_app(entorno, anotar)
        segundos = time.perf_counter() - inicio
        # Una ruta que no existe no crea una serie nueva por cada URL que alguien pruebe.
        ruta = entorno.get('PATH_INFO', '')
        ruta = ruta if ruta in self.rutas else 'otra'
        codigo = estado[0][:3] if estado else '500'
        PETICIONES.labels(ruta, codigo).inc()
        LATENCIA.labels(ruta).observe(segundos)
        # Una línea JSON en la salida de errores, como el registro de gunicorn. Sin el módulo
        # logging (17 µs por línea, casi la mitad de todo esto) y en una sola escritura: las
        # líneas de dos workers que comparten la salida no se mezclan.
        sys.stderr.write(json.dumps({
            'hora': time.strftime('%Y-%m-%dT%H:%M:%S%z'), 'metodo': entorno.get('REQUEST_METHOD'),
            'ruta': entorno.get('PATH_INFO'), 'consulta': entorno.get('QUERY_STRING') or None,
            'estado': int(codigo), 'ms': round(segundos * 1000, 3), 'origen': entorno.get('REMOTE_ADDR'),
            'pid': os.getpid()}, ensure_ascii=False) + '\n')
        return salida


def instrumentar(app, huella, tipo):
    """Añade ``GET /metrics`` a la app y mide todas sus peticiones (llamar al final de ``crear_app``)."""
    registro = CollectorRegistry()
    MultiProcessCollector(registro)
    registro.register(_Modelo(huella, tipo))

    @app.get('/metrics')
    def metrics():
        return app.response_class(generate_latest(registro), content_type=CONTENT_TYPE_LATEST)

    rutas = {regla.rule for regla in app.url_map.iter_rules() if not regla.arguments}
    app.wsgi_app = Medidor(app.wsgi_app, rutas)


def clientes_puntuados(n):
    CLIENTES.inc(n)
