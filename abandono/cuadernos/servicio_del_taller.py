"""El servicio de producción de la raíz del taller (``servicio1.py``), buscado o arrancado.

Lo usan el cuaderno 08 y los apéndices que hablan de sus rutas propias
(``/salud``, ``/predict_lote``, los factores). Los cuadernos 04 a 07 no lo usan:
ejecutan el ``servicio1.py`` de la lección (el tuyo o el de ``solutions/``).

    from abandono.cuadernos.servicio_del_taller import servicio
    taller = servicio(URL_SERVICIO)   # dice cuál usa y de dónde sale
    ...
    taller.parar()                    # solo para el que arrancó él
"""
import json
import os
import urllib.parse
import urllib.request

from abandono.cuadernos.procesos import arrancar
from abandono.lanzador import PUERTO_LECCION, escucha, orden_servicio, puerto_libre

# Si está definida, los cuadernos usan el servicio de esta URL (la usan las pruebas y
# «make cuadernos», que arrancan un servicio y lo comparten entre cuadernos).
VARIABLE_URL = 'ABANDONO_URL'


def salud(url, espera=1.0):
    """La respuesta de ``GET url/salud`` si es el servicio del taller; si no, None."""
    try:
        with urllib.request.urlopen(f'{url}/salud', timeout=espera) as r:
            datos = json.load(r)
    except (OSError, ValueError):
        return None
    return datos if isinstance(datos, dict) and datos.get('estado') == 'ok' else None


class Servicio:
    """El servicio del taller que usa un cuaderno; ``parar()`` solo para el que arrancó él."""

    def __init__(self, url, proceso=None):
        self.url = url.rstrip('/')
        self.proceso = proceso

    def parar(self):
        if self.proceso is not None:
            self.proceso.parar()

    def __repr__(self):
        return f'Servicio({self.url!r})'


def _escucha(url):
    partes = urllib.parse.urlsplit(url)
    return escucha(partes.port or 80, partes.hostname or '127.0.0.1')


def servicio(url=None):
    """El servicio del taller que usa el cuaderno; dice cuál es y de dónde sale.

    ``url`` (el parámetro ``URL_SERVICIO``) es la dirección base, sin ``/predict``. Sin
    ella: la variable de entorno ``ABANDONO_URL``, el servicio del taller en
    ``http://localhost:9696`` (``make servicio``) o, si no está, el ``servicio1.py`` de la
    raíz arrancado en un puerto libre. Un programa en el 9696 que no es el servicio del
    taller (tu servicio1.py, por ejemplo) no se confunde con él.
    """
    url = (url or os.environ.get(VARIABLE_URL) or '').rstrip('/')
    if url.endswith('/predict'):
        raise ValueError(f'URL_SERVICIO es la dirección base del servicio, sin /predict: '
                         f'{url.removesuffix("/predict")!r}')
    if url:
        if salud(url, espera=5.0) is not None:
            print(f'Servicio: el del taller en {url}.')
        elif _escucha(url):
            print(f'Servicio: {url}. No tiene GET /salud, así que no es el servicio del taller '
                  '(puede ser el tuyo); lo uso igualmente.')
        else:
            raise RuntimeError(f'Nadie responde en {url}: arranca allí el servicio o deja URL_SERVICIO = None.')
        return Servicio(url)
    local = f'http://localhost:{PUERTO_LECCION}'
    if salud(local) is not None:
        print(f'Servicio: el del taller que ya estaba en marcha en {local}.')
        return Servicio(local)
    otro = (f'En {local} escucha otro programa que no es el servicio del taller (¿tu servicio1.py?). '
            if escucha(PUERTO_LECCION) else '')
    puerto = puerto_libre()
    proceso = arrancar(orden_servicio('desarrollo', puerto), puerto)
    print(f'{otro}Servicio: arranco el servicio1.py de la raíz del taller en {proceso.url}; '
          'el cuaderno lo para al final.')
    return Servicio(proceso.url, proceso)
