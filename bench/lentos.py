"""Clientes lentos: ¿sigue respondiendo el servicio mientras otros le ocupan conexiones?

Un ataque «slowloris» no necesita ancho de banda: abre conexiones y manda
la petición muy despacio (una cabecera cada pocos segundos, o un cuerpo más
corto que su ``Content-Length``). Un servidor que dedica un proceso o un hilo
a cada conexión mientras lee la petición se queda sin ellos con unas pocas
conexiones así, y los clientes normales esperan.

``medir`` abre ``cabeceras`` conexiones que mandan cabeceras sin terminar y
``cuerpos`` que mandan el cuerpo byte a byte, las mantiene ``duracion``
segundos (si el servidor cierra una, se vuelve a abrir, como haría un
atacante) y mientras tanto un cliente normal manda POST /predict uno tras
otro. Devuelve cuántas peticiones normales se respondieron con un 200 y con
qué latencia. Todo va a 127.0.0.0/8, con un número de conexiones y un tiempo
máximos.
"""
import asyncio
import multiprocessing
import resource
import sys
import time
from urllib.parse import urlsplit

from bench.carga import Resultado, peticion_http

# Cada conexión lenta manda algo cada INTERVALO segundos: lo justo para que el
# servidor no la cierre por inactiva, muy por debajo de cualquier límite de ancho de banda.
INTERVALO = 1.0
ESPERA_CLIENTE = 5.0


async def _lenta(anfitrion, puerto, inicio, goteo, hasta, reaperturas):
    """Una conexión que manda ``inicio`` y luego un trozo de ``goteo`` cada INTERVALO, hasta ``hasta``."""
    while time.monotonic() < hasta:
        try:
            _, escritor = await asyncio.open_connection(anfitrion, puerto)
        except OSError:
            await asyncio.sleep(INTERVALO)
            continue
        try:
            escritor.write(inicio)
            while time.monotonic() < hasta:
                await asyncio.sleep(INTERVALO)
                escritor.write(goteo)
                await escritor.drain()
        except OSError:
            reaperturas[0] += 1  # el servidor la cerró: se abre otra
        finally:
            escritor.close()


async def _ociosa(anfitrion, puerto, hasta):
    """Una conexión abierta que no manda nada (un navegador que la guarda por si acaso)."""
    while time.monotonic() < hasta:
        try:
            lector, escritor = await asyncio.open_connection(anfitrion, puerto)
        except OSError:
            await asyncio.sleep(INTERVALO)
            continue
        try:
            await asyncio.wait_for(lector.read(), max(hasta - time.monotonic(), 0))  # hasta que la cierren
        except (OSError, asyncio.TimeoutError):
            pass
        finally:
            escritor.close()


async def _normal(anfitrion, puerto, datos, hasta):
    latencias, estados = [], {}
    while time.monotonic() < hasta:
        comienzo = time.perf_counter()
        try:
            lector, escritor = await asyncio.wait_for(asyncio.open_connection(anfitrion, puerto), ESPERA_CLIENTE)
            try:
                escritor.write(datos)
                respuesta = await asyncio.wait_for(lector.read(-1), ESPERA_CLIENTE)
            finally:
                escritor.close()
            estado = int(respuesta[9:12]) if respuesta.startswith(b'HTTP/1.') else 0
        except (OSError, asyncio.TimeoutError):
            estado = 0
        latencias.append(time.perf_counter() - comienzo)
        estados[estado] = estados.get(estado, 0) + 1
    return latencias, estados


async def _lentas(anfitrion, puerto, cabeceras, cuerpos, ociosas, hasta, reaperturas):
    """Todas las conexiones lentas y ociosas, hasta ``hasta``; anota en ``reaperturas`` las que se cerraron."""
    cerradas = [0]
    comienzo_cabecera = f'POST /predict HTTP/1.1\r\nHost: {anfitrion}:{puerto}\r\n'.encode()
    comienzo_cuerpo = (f'POST /predict HTTP/1.1\r\nHost: {anfitrion}:{puerto}\r\n'
                       'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{').encode()
    lentas = [_lenta(anfitrion, puerto, comienzo_cabecera, b'X-Lento: 1\r\n', hasta, cerradas)
              for _ in range(cabeceras)]
    lentas += [_lenta(anfitrion, puerto, comienzo_cuerpo, b' ', hasta, cerradas) for _ in range(cuerpos)]
    lentas += [_ociosa(anfitrion, puerto, hasta) for _ in range(ociosas)]
    await asyncio.gather(*lentas)
    reaperturas.value = cerradas[0]


def _atacar(*argumentos):
    asyncio.run(_lentas(*argumentos))


def _medir(url, cuerpo, cabeceras, cuerpos, ociosas, duracion, preparacion):
    partes = urlsplit(url)
    anfitrion, puerto = partes.hostname, partes.port
    datos = peticion_http(url, '/predict', cuerpo)  # comprueba también que sea loopback
    hasta = time.monotonic() + preparacion + duracion  # el reloj monótono es el mismo en los dos procesos
    # Las conexiones lentas, en otro proceso: miles de ellas en el mismo bucle de
    # asyncio retrasarían al cliente normal y su latencia no sería la del servidor.
    reaperturas = multiprocessing.Value('i', 0)
    atacante = multiprocessing.get_context('fork').Process(
        target=_atacar, args=(anfitrion, puerto, cabeceras, cuerpos, ociosas, hasta, reaperturas), daemon=True)
    atacante.start()
    try:
        # Las conexiones lentas se abren primero; el cliente normal llega cuando ya están.
        time.sleep(preparacion)
        inicio = time.perf_counter()
        latencias, estados = asyncio.run(_normal(anfitrion, puerto, datos, hasta))
        segundos = time.perf_counter() - inicio
        atacante.join(timeout=ESPERA_CLIENTE + INTERVALO + 5)
    finally:
        if atacante.is_alive():
            atacante.kill()
            atacante.join()
    errores = sum(n for estado, n in estados.items() if estado != 200)
    return Resultado(len(latencias), errores, segundos, latencias, estados), reaperturas.value


def subir_limite_de_archivos(necesarios):
    """Este proceso abre una conexión por cliente lento: el límite blando de archivos, hasta el duro."""
    blando, duro = resource.getrlimit(resource.RLIMIT_NOFILE)
    if blando < necesarios:
        if duro != resource.RLIM_INFINITY and duro < necesarios:
            raise RuntimeError(f'hacen falta {necesarios} archivos abiertos y el límite duro es {duro}')
        resource.setrlimit(resource.RLIMIT_NOFILE, (necesarios, duro))


def medir(url, cuerpo, cabeceras=200, cuerpos=50, ociosas=0, duracion=20.0, preparacion=2.0):
    """(Resultado del cliente normal, conexiones lentas que el servidor cerró y se reabrieron)."""
    subir_limite_de_archivos(cabeceras + cuerpos + ociosas + 256)
    return _medir(url, cuerpo, cabeceras, cuerpos, ociosas, duracion, preparacion)


def candidatos(puerto):
    """Los servidores que se comparan: {nombre: orden}. Los recomendados salen de ``orden_servicio``."""
    from abandono.lanzador import orden_servicio

    gunicorn = [sys.executable, '-m', 'gunicorn', '--workers', '2', '--preload', '--no-control-socket',
                '--bind', f'127.0.0.1:{puerto}']
    return {
        'gunicorn sync -w 2 (antes)': [*gunicorn, 'servicio1:app'],
        'gunicorn gthread -w 2 --threads 8': [*gunicorn, '--worker-class', 'gthread', '--threads', '8',
                                              'servicio1:app'],
        'gunicorn gevent -w 2 (recomendado)': orden_servicio('gunicorn', puerto),
        'waitress (por defecto)': [sys.executable, '-m', 'waitress', f'--listen=127.0.0.1:{puerto}',
                                   'servicio1:app'],
        'waitress --connection-limit=500 (Windows)': orden_servicio('waitress', puerto),
        'desarrollo (python servicio1.py)': orden_servicio('desarrollo', puerto),
    }
