"""Un generador de carga pequeño: asyncio y sockets, sin dependencias.

Por qué uno propio y no locust, wrk u oha: wrk y oha son binarios que un
estudiante no instala con pip sin ser root, y locust (gevent, su propia
interfaz web) gasta en cada petición más CPU que el servicio que mide; en una
máquina de 2 CPU el generador compite con el servidor, así que cuanto
menos trabaje, más se parece la cifra a la del servicio.

Cada petición abre una conexión TCP, envía bytes ya preparados
(``Connection: close``, como hace ``requests.post`` sin sesión; los workers
síncronos de gunicorn cierran la conexión de todos modos), lee la respuesta
hasta que el servidor cierra y anota la latencia. Las dos rutas que se
comparan se miden con el mismo generador y las mismas condiciones.

El bucle está acotado en número de peticiones y en tiempo, y solo admite
direcciones de 127.0.0.0/8: es una prueba de carga de un servicio local.
"""
import asyncio
import ipaddress
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Resultado:
    peticiones: int
    errores: int
    segundos: float
    latencias: list = field(repr=False)
    estados: dict = field(default_factory=dict)

    def __add__(self, otro):
        """Dos tandas de la misma medida como una sola (se suman peticiones y tiempo)."""
        estados = dict(self.estados)
        for estado, n in otro.estados.items():
            estados[estado] = estados.get(estado, 0) + n
        return Resultado(self.peticiones + otro.peticiones, self.errores + otro.errores,
                         self.segundos + otro.segundos, self.latencias + otro.latencias, estados)

    @property
    def por_segundo(self):
        return self.peticiones / self.segundos if self.segundos else 0.0

    def percentil(self, p):
        if not self.latencias:
            return float('nan')
        ordenadas = sorted(self.latencias)
        return ordenadas[min(len(ordenadas) - 1, int(p / 100 * len(ordenadas)))]

    @property
    def p50_ms(self):
        return self.percentil(50) * 1000

    @property
    def p99_ms(self):
        return self.percentil(99) * 1000


def peticion_http(url, ruta, cuerpo=None):
    """Los bytes de una petición HTTP/1.1 (POST con JSON si hay cuerpo, GET si no)."""
    partes = urlsplit(url)
    anfitrion = partes.hostname
    if not ipaddress.ip_address(anfitrion).is_loopback:
        raise ValueError(f'Solo se generan cargas contra 127.0.0.0/8, no contra {anfitrion}.')
    cabeza = f'Host: {anfitrion}:{partes.port}\r\nConnection: close\r\n'
    if cuerpo is None:
        return f'GET {ruta} HTTP/1.1\r\n{cabeza}\r\n'.encode()
    return (f'POST {ruta} HTTP/1.1\r\n{cabeza}Content-Type: application/json\r\n'
            f'Content-Length: {len(cuerpo)}\r\n\r\n').encode() + cuerpo


async def _una(anfitrion, puerto, datos):
    lector, escritor = await asyncio.open_connection(anfitrion, puerto)
    try:
        escritor.write(datos)
        respuesta = await lector.read(-1)
    finally:
        escritor.close()
    # 'HTTP/1.1 200 OK' -> 200
    return int(respuesta[9:12]) if respuesta.startswith(b'HTTP/1.') else 0


async def _golpear(anfitrion, puerto, datos, conexiones, total, duracion):
    latencias, estados = [], {}
    errores = 0
    pendientes = total
    limite = time.perf_counter() + duracion

    async def conexion():
        nonlocal pendientes, errores
        while pendientes > 0 and time.perf_counter() < limite:
            pendientes -= 1
            inicio = time.perf_counter()
            try:
                estado = await _una(anfitrion, puerto, datos[pendientes % len(datos)])
            except OSError:
                estado = 0
            latencias.append(time.perf_counter() - inicio)
            estados[estado] = estados.get(estado, 0) + 1
            if estado != 200:
                errores += 1

    inicio = time.perf_counter()
    await asyncio.gather(*(conexion() for _ in range(conexiones)))
    return Resultado(len(latencias), errores, time.perf_counter() - inicio, latencias, estados)


def golpear(url, ruta, cuerpo=None, conexiones=32, total=10_000, duracion=10.0):
    """Envía como mucho ``total`` peticiones durante como mucho ``duracion`` segundos.

    ``cuerpo`` son los bytes del JSON (``None`` para un GET) o una lista de
    ellos, que se envían por turnos.
    """
    cuerpos = cuerpo if isinstance(cuerpo, list) else [cuerpo]
    datos = [peticion_http(url, ruta, c) for c in cuerpos]
    partes = urlsplit(url)
    return asyncio.run(_golpear(partes.hostname, partes.port, datos, conexiones, total, duracion))
