"""Arrancar un servicio de verdad en un puerto libre de 127.0.0.1 y pararlo después.

Lo usan las pruebas (servicio vivo), los cuadernos (si no encuentran el
servicio lo arrancan) y el calificador (el servicio de cada estudiante).
"""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent


class NoArranca(RuntimeError):
    """El servicio terminó o no abrió su puerto a tiempo; el mensaje trae su salida."""


def puerto_libre():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def escucha(puerto, host='127.0.0.1'):
    with contextlib.suppress(OSError), socket.create_connection((host, puerto), timeout=0.2):
        return True
    return False


def orden_servicio(servidor, puerto, modulo='servicio1'):
    """La orden que arranca ``modulo:app`` con el servidor pedido en 127.0.0.1:puerto."""
    if servidor == 'desarrollo':
        return [sys.executable, f'{modulo}.py', '--host', '127.0.0.1', '--port', str(puerto)]
    if servidor == 'gunicorn':
        # --preload: el maestro carga el modelo antes de abrir el puerto (y los workers lo
        # comparten); sin socket de control, varios gunicorn no se pisan ~/.gunicorn/.
        return [sys.executable, '-m', 'gunicorn', '--workers', '2', '--preload', '--no-control-socket',
                '--bind', f'127.0.0.1:{puerto}', f'{modulo}:app']
    if servidor == 'waitress':
        return [sys.executable, '-m', 'waitress', f'--listen=127.0.0.1:{puerto}', f'{modulo}:app']
    raise ValueError(f'Servidor desconocido: {servidor}')


@contextlib.contextmanager
def en_marcha(orden, puerto, cwd=RAIZ, env=None, espera=30.0):
    """Ejecuta ``orden`` hasta que escuche en ``puerto``; devuelve la URL base y lo para al salir."""
    with tempfile.TemporaryFile() as salida:
        proceso = subprocess.Popen(
            orden, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
            stdout=salida, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            limite = time.monotonic() + espera
            while not escucha(puerto):
                if proceso.poll() is not None or time.monotonic() > limite:
                    salida.seek(0)
                    texto = salida.read().decode(errors='replace')[-3000:]
                    raise NoArranca(f'{" ".join(map(str, orden))} no abrió el puerto {puerto}:\n{texto}')
                time.sleep(0.05)
            yield f'http://127.0.0.1:{puerto}'
        finally:
            parar(proceso)


def parar(proceso, gracia=5.0):
    """Termina el proceso y todo su grupo (los workers de gunicorn incluidos)."""
    if proceso.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proceso.pid, signal.SIGTERM)
        try:
            proceso.wait(gracia)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proceso.pid, signal.SIGKILL)
            proceso.wait()
