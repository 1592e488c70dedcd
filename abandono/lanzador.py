"""Arrancar un servicio de verdad en un puerto libre de 127.0.0.1 y pararlo después.

Lo usan las pruebas (servicio vivo), los cuadernos (los scripts de los ejercicios y
el servicio del taller) y el calificador (el servicio de cada estudiante).

Cada servicio arranca en un grupo de procesos propio (``GRUPO_PROPIO``) y
:func:`parar` lo termina con todo lo que arrancó: en Linux y macOS, el grupo
entero de una vez (``os.killpg``); en Windows, que no tiene esa llamada, el
árbol de procesos con psutil (:func:`parar_arbol`).
"""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from abandono.taller import PUERTO_LECCION, RAIZ  # noqa: F401  (también lanzador.PUERTO_LECCION)

# Un grupo de procesos propio para cada servicio, así se para entero (los workers de gunicorn
# incluidos) y un Ctrl+C en la terminal o en Jupyter no le llega también a él.
if os.name == 'nt':
    GRUPO_PROPIO = {'creationflags': subprocess.CREATE_NEW_PROCESS_GROUP}
else:
    GRUPO_PROPIO = {'start_new_session': True}


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


# Los comandos de producción que recomiendan docs/produccion.md y el Dockerfile; una prueba
# (tests/servicio/test_produccion.py) comprueba que los tres dicen lo mismo.
# gevent: gunicorn atiende cada conexión en una corrutina y no en un worker entero,
# así que unos clientes lentos no dejan sin servicio a los demás (bench/lentos.py).
# --worker-connections 5000: conexiones por worker; con dos, caben 5000 cuerpos
# lentos, 200 cabeceras lentas y los clientes normales (tests/servicio/
# test_lentos.py), y la memoria de 5000 por worker cabe en el límite de
# despliegue/k8s. --backlog 4096: la cola del kernel para las conexiones que aún
# no se aceptan (el máximo habitual de net.core.somaxconn). Los plazos de cabeceras
# y cuerpo y el límite de archivos, en abandono/ganchos.py.
# --preload: el maestro carga el modelo antes de abrir el puerto y, si el modelo
# no vale, se para en vez de reiniciar workers sin fin. --graceful-timeout 5: una
# parada ordenada cabe en los 10 s de «docker stop». Sin socket de control: nadie
# usa gunicornc aquí y varios gunicorn no comparten ~/.gunicorn/.
GUNICORN = ['gunicorn', '--worker-class', 'gevent', '--workers', '2', '--worker-connections', '5000',
            '--backlog', '4096', '--preload', '--graceful-timeout', '5', '--no-control-socket']
# waitress lee cada petición entera antes de pasarla a la app, pero por defecto
# solo admite 100 conexiones; 500 aguanta los clientes lentos y cabe en el
# límite de select() de Python en Windows (512 sockets).
WAITRESS = ['waitress-serve', '--connection-limit=500']


def orden_servicio(servidor, puerto, modulo='servicio1', host='127.0.0.1'):
    """El comando que arranca ``modulo:app`` con el servidor pedido en host:puerto."""
    if servidor == 'desarrollo':
        return [sys.executable, f'{modulo}.py', '--host', host, '--port', str(puerto)]
    if servidor == 'gunicorn':
        return [sys.executable, '-m', *GUNICORN, '--bind', f'{host}:{puerto}', f'{modulo}:app']
    if servidor == 'waitress':
        return [sys.executable, '-m', 'waitress', *WAITRESS[1:], f'--listen={host}:{puerto}', f'{modulo}:app']
    raise ValueError(f'Servidor desconocido: {servidor}')


@contextlib.contextmanager
def en_marcha(orden, puerto, cwd=RAIZ, env=None, espera=30.0):
    """Ejecuta ``orden`` hasta que escuche en ``puerto``; devuelve la URL base y lo para al salir."""
    with tempfile.TemporaryFile() as salida:
        proceso = subprocess.Popen(
            orden, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
            stdout=salida, stderr=subprocess.STDOUT, **GRUPO_PROPIO)
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
    """Termina el proceso y todo lo que arrancó (los workers de gunicorn incluidos).

    Primero le pide que termine y, si a los ``gracia`` segundos sigue vivo, lo mata.
    """
    if proceso.poll() is None:
        if os.name == 'posix':
            _parar_grupo(proceso, gracia)
        else:
            parar_arbol(proceso.pid, gracia)
    proceso.wait()


def _parar_grupo(proceso, gracia):
    """Linux y macOS: el grupo entero de una vez, también los nietos que ya no cuelgan del proceso."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proceso.pid, signal.SIGTERM)
    try:
        proceso.wait(gracia)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proceso.pid, signal.SIGKILL)


def parar_arbol(pid, gracia=5.0):
    """``pid`` y sus descendientes, con psutil: lo que hace :func:`parar` en Windows, que no tiene ``os.killpg``.

    Funciona en cualquier sistema (las pruebas lo ejercitan en Linux). En Windows,
    ``terminate`` ya es definitivo (TerminateProcess); en Linux, SIGTERM y, pasada la
    gracia, SIGKILL.
    """
    import psutil

    try:
        raiz = psutil.Process(pid)
        procesos = [raiz, *raiz.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for p in procesos:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.terminate()
    _, vivos = psutil.wait_procs(procesos, timeout=gracia)
    for p in vivos:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(vivos, timeout=gracia)
