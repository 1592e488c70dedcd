"""Ayudas de los cuadernos de notebooks/: el servicio, procesos con su salida y tiempos.

En los cuadernos:

    from abandono import cuaderno
    servicio = cuaderno.servicio(URL_SERVICIO)   # lo busca o lo arranca
    ...
    servicio.parar()                             # solo para lo que arrancó

Para volver a ejecutar los cuadernos y guardar sus salidas (instructores):

    python -m abandono.cuaderno --ejecutar            # todos
    python -m abandono.cuaderno --ejecutar 06 07      # los que empiezan así
"""
import argparse
import atexit
import json
import os
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from pathlib import Path

from abandono.lanzador import RAIZ, escucha, orden_servicio, parar, puerto_libre

CUADERNOS = RAIZ / 'notebooks'
PUERTO_LECCION = 9696
# Si está definida, los cuadernos usan el servicio de esta URL (la usan las pruebas
# y ``--ejecutar``, que arrancan un servicio y lo comparten entre cuadernos).
VARIABLE_URL = 'ABANDONO_URL'


def salud(url, espera=1.0):
    """La respuesta de ``GET url/salud`` si es el servicio de abandono; si no, None."""
    try:
        with urllib.request.urlopen(f'{url}/salud', timeout=espera) as r:
            datos = json.load(r)
    except (OSError, ValueError):
        return None
    return datos if isinstance(datos, dict) and datos.get('estado') == 'ok' else None


class Proceso:
    """Un programa en marcha en segundo plano cuya salida (stdout y stderr) se guarda."""

    def __init__(self, orden, puerto, env=None, espera=30.0, puede_terminar=False):
        self.orden = [str(p) for p in orden]
        self.puerto = puerto
        self.url = f'http://127.0.0.1:{puerto}'
        self.termino = False  # True si terminó solo sin abrir el puerto (y puede_terminar)
        self._archivo = tempfile.TemporaryFile()
        self._proceso = subprocess.Popen(
            self.orden, cwd=RAIZ, env={**os.environ, 'PYTHONUNBUFFERED': '1', **(env or {})},
            stdin=subprocess.DEVNULL, stdout=self._archivo, stderr=subprocess.STDOUT,
            start_new_session=True)
        atexit.register(self.parar)  # si el cuaderno se interrumpe, no queda nada suelto
        limite = time.monotonic() + espera
        while not escucha(puerto):
            if self._proceso.poll() == 0 and puede_terminar:
                self.termino, self.url = True, None
                break
            if self._proceso.poll() is not None or time.monotonic() > limite:
                self.parar()
                raise RuntimeError(f'{" ".join(self.orden)} no abrió el puerto {puerto}:\n{self.salida()}')
            time.sleep(0.05)

    def esperar_texto(self, texto, veces=1, espera=15.0):
        """Espera a que la salida contenga ``texto`` al menos ``veces`` veces."""
        limite = time.monotonic() + espera
        while self.salida(espera=0).count(texto) < veces:
            if time.monotonic() > limite:
                raise RuntimeError(f'{" ".join(self.orden)} no escribió {texto!r}:\n{self.salida()}')
            time.sleep(0.05)

    def salida(self, espera=0.3):
        """Lo que el programa ha escrito hasta ahora (espera un poco a que termine de escribir)."""
        anterior, limite = None, time.monotonic() + 3 * espera
        while True:
            self._archivo.seek(0)
            texto = self._archivo.read().decode(errors='replace')
            if texto == anterior or time.monotonic() >= limite:
                return texto
            anterior = texto
            time.sleep(espera / 3)

    def parar(self):
        parar(self._proceso)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.parar()


def arrancar(orden, puerto, env=None):
    """Arranca ``orden`` desde la raíz del taller y espera a que escuche en ``puerto``."""
    return Proceso(orden, puerto, env=env)


def ejecutar_script(ruta, env=None):
    """``python ruta`` desde la raíz del taller, con la variable ``PUERTO`` en un puerto libre.

    Vale para los dos momentos de un ejercicio: si el script imprime y termina
    (``termino`` es True), o si se queda sirviendo (espera a que escuche).
    """
    puerto = puerto_libre()
    return Proceso([sys.executable, ruta], puerto, env={'PUERTO': str(puerto), **(env or {})},
                   puede_terminar=True)


class Servicio:
    """El servicio de abandono que usa un cuaderno; ``parar()`` solo para el que arrancó él."""

    def __init__(self, url, proceso=None):
        self.url = url.rstrip('/')
        self.proceso = proceso

    def parar(self):
        if self.proceso is not None:
            self.proceso.parar()

    def __repr__(self):
        return f'Servicio({self.url!r})'


def servicio(url=None):
    """Encuentra el servicio de abandono o lo arranca en un puerto libre.

    Orden de búsqueda: la URL del parámetro ``URL_SERVICIO``, la variable de entorno
    ``ABANDONO_URL``, ``http://localhost:9696`` (``make servicio``) y, si nada
    responde en ``/salud``, ``servicio1.py`` en un puerto libre.
    """
    url = url or os.environ.get(VARIABLE_URL)
    if url:
        if salud(url, espera=5.0) is None:
            raise RuntimeError(f'No hay un servicio de abandono en {url} (GET /salud no responde).')
        return Servicio(url)
    url = f'http://localhost:{PUERTO_LECCION}'
    if salud(url) is not None:
        return Servicio(url)
    puerto = puerto_libre()
    return Servicio(f'http://127.0.0.1:{puerto}', arrancar(orden_servicio('desarrollo', puerto), puerto))


def medir(funcion, repeticiones=5, tanda=0.02):
    """Tiempo por llamada de ``funcion()`` en segundos: el mejor de varias tandas.

    Cada tanda dura al menos ``tanda`` segundos; el mínimo es la medida menos
    afectada por lo que haga a la vez el resto de la máquina.
    """
    temporizador = timeit.Timer(funcion)
    veces = 1
    while temporizador.timeit(veces) < tanda:
        veces *= 2
    return min(temporizador.repeat(repeticiones, veces)) / veces


def _cuadernos(prefijos=()):
    todos = sorted(CUADERNOS.glob('[0-9][0-9]_*.ipynb'))
    if not prefijos:
        return todos
    return [c for c in todos if any(c.name.startswith(p) for p in prefijos)]


def ejecutar(cuadernos, url):
    """Ejecuta cada cuaderno en su sitio (desde notebooks/, como Jupyter) y guarda sus salidas."""
    import nbformat
    from nbclient import NotebookClient

    os.environ[VARIABLE_URL] = url
    for ruta in cuadernos:
        inicio = time.monotonic()
        nb = nbformat.read(ruta, as_version=4)
        NotebookClient(nb, kernel_name='python3', timeout=300,
                       resources={'metadata': {'path': str(CUADERNOS)}}).execute()
        for celda in nb.cells:
            celda.metadata.pop('execution', None)  # marcas de tiempo: solo ensucian el diff
        nbformat.write(nb, ruta)
        print(f'{ruta.relative_to(RAIZ)}: {time.monotonic() - inicio:.1f} s')


def main(argv=None):
    parser = argparse.ArgumentParser(description='Vuelve a ejecutar los cuadernos y guarda sus salidas.')
    parser.add_argument('--ejecutar', nargs='*', metavar='PREFIJO',
                        help='ejecuta los cuadernos (todos, o los que empiezan por PREFIJO)')
    args = parser.parse_args(argv)
    if args.ejecutar is None:
        parser.print_help()
        return 0
    cuadernos = _cuadernos(args.ejecutar)
    if not cuadernos:
        parser.error('ningún cuaderno coincide')
    puerto = puerto_libre()
    with arrancar(orden_servicio('desarrollo', puerto), puerto) as proceso:
        ejecutar(cuadernos, proceso.url)
    return 0


if __name__ == '__main__':
    sys.exit(main())
