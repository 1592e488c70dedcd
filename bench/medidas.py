"""Las medidas del banco de pruebas, una función por apartado.

Cada función devuelve números (para las pruebas y para quien quiera
reutilizarlos) y ``__main__`` los imprime en tablas.
"""
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass
from pathlib import Path

import psutil

from abandono.lanzador import RAIZ, en_marcha, escucha, orden_servicio, parar, puerto_libre
from bench.carga import Resultado, golpear

CONEXIONES = 32
CLIENTES_POR_LOTE = 1000
# (rondas, peticiones por tanda, segundos como mucho por tanda) al comparar rutas.
RONDAS = (10, 1500, 2.0)
RONDAS_RAPIDO = (2, 200, 2.0)


# --- 1. El modelo en el proceso ---------------------------------------------

def por_llamada(funcion, repeticiones=5, minimo=0.2):
    """µs por llamada: el mejor de ``repeticiones`` tandas de al menos ``minimo`` segundos."""
    temporizador = timeit.Timer(funcion)
    una = temporizador.timeit(1)
    numero = max(1, int(minimo / max(una, 1e-7)))
    return min(temporizador.repeat(repeticiones, numero)) / numero * 1e6


def medir_modelo(dv, modelo, rapido=False):
    """Lista de (qué, µs por cliente) para puntuar el cliente de la lección de varias maneras."""
    import pandas as pd

    from abandono.datos import CLIENTE_LECCION
    from abandono.esquema import Validador
    from abandono.prediccion import predict, predict_cliente
    from abandono.puntuador import Puntuador

    cliente = dict(CLIENTE_LECCION)
    df = pd.DataFrame([cliente])
    validador, puntuador = Validador(dv), Puntuador(dv, modelo)
    cuerpo = json.dumps(cliente).encode()
    casos = [
        ('predict(pd.DataFrame([cliente]), dv, modelo)', lambda: predict(pd.DataFrame([cliente]), dv, modelo)),
        ('predict(df, dv, modelo)  (df de una fila ya hecho)', lambda: predict(df, dv, modelo)),
        ('predict_cliente(cliente, dv, modelo)', lambda: predict_cliente(cliente, dv, modelo)),
        ('Puntuador(dv, modelo).probabilidad(cliente)', lambda: puntuador.probabilidad(cliente)),
        ('validar el JSON + Puntuador (lo que hace /predict)',
         lambda: puntuador.probabilidad(validador.cliente(cuerpo))),
    ]
    repeticiones, minimo = (2, 0.02) if rapido else (5, 0.2)
    return [(nombre, por_llamada(f, repeticiones, minimo)) for nombre, f in casos]


# --- 2 y 3. El servicio por HTTP --------------------------------------------

def procesos_del_servicio(puerto):
    """El proceso que arrancó ``en_marcha`` para ``puerto`` y sus hijos (los workers de gunicorn).

    ``en_marcha`` abre una sesión nueva para el servicio, así que el jefe de la
    sesión de quien escucha en el puerto es el proceso principal.
    """
    for conexion in psutil.net_connections('tcp'):
        if (conexion.laddr and conexion.laddr.port == puerto and conexion.pid
                and conexion.status == psutil.CONN_LISTEN):
            principal = psutil.Process(os.getsid(conexion.pid))
            return [principal, *principal.children(recursive=True)]
    return []


def cpu_de(procesos):
    total = 0.0
    for proceso in procesos:
        with contextlib.suppress(psutil.NoSuchProcess):
            tiempos = proceso.cpu_times()
            total += tiempos.user + tiempos.system
    return total


def cuerpo_cliente():
    from abandono.datos import CLIENTE_LECCION
    return json.dumps(CLIENTE_LECCION).encode()


@contextlib.contextmanager
def servicio(servidor):
    """El servicio de verdad (``orden_servicio``) en un puerto libre: (url, procesos).

    ``'gunicorn sync'`` es el comando de gunicorn con workers síncronos: la referencia de latencia.
    """
    puerto = puerto_libre()
    if servidor == 'gunicorn sync':
        orden = orden_servicio('gunicorn', puerto)
        orden[orden.index('gevent')] = 'sync'
    else:
        orden = orden_servicio(servidor, puerto)
    with en_marcha(orden, puerto) as url:
        yield url, procesos_del_servicio(puerto)


@dataclass
class Ruta:
    """Lo medido de una ruta: las tandas sumadas, su CPU y su cociente frente a la vacía en cada ronda."""
    resultado: Resultado
    cpu_us: float           # CPU de los procesos del servicio por petición
    cocientes: list         # pet/s de esta ruta ÷ pet/s de la vacía, ronda a ronda

    @property
    def cociente(self):
        """La mediana de los cocientes de cada ronda: una ronda con ruido no mueve la cifra."""
        return statistics.median(self.cocientes)


def medir_rutas(url, procesos, rutas, rondas, por_ronda, duracion):
    """Mide ``rutas`` ({nombre: (ruta, cuerpo o None)}; la primera es la vacía) en tandas alternas.

    Cada ronda da una tanda a cada ruta y la siguiente las recorre al revés
    (A B C, C B A...): una deriva de la máquina (otro proceso que arranca, la
    CPU que se calienta) cae por igual en todas. El cociente de cada ruta
    frente a la vacía se calcula dentro de cada ronda, con tandas vecinas.
    """
    for ruta, cuerpo in rutas.values():
        golpear(url, ruta, cuerpo, CONEXIONES, total=min(500, por_ronda))  # calentar
    resultados, cpu, por_ronda_ps = {}, dict.fromkeys(rutas, 0.0), []
    nombres = list(rutas)
    for ronda in range(rondas):
        tasas = {}
        for nombre in (nombres if ronda % 2 == 0 else nombres[::-1]):
            ruta, cuerpo = rutas[nombre]
            antes = cpu_de(procesos)
            r = golpear(url, ruta, cuerpo, CONEXIONES, total=por_ronda, duracion=duracion)
            cpu[nombre] += cpu_de(procesos) - antes
            resultados[nombre] = resultados[nombre] + r if nombre in resultados else r
            tasas[nombre] = r.por_segundo
        por_ronda_ps.append(tasas)
    vacia = nombres[0]
    return {nombre: Ruta(r, cpu[nombre] / max(1, r.peticiones) * 1e6,
                         [t[nombre] / t[vacia] for t in por_ronda_ps if t[vacia]])
            for nombre, r in resultados.items()}


def cuerpo_lote(n=CLIENTES_POR_LOTE):
    """``n`` clientes reales del conjunto de datos, con su customerid, en un JSON."""
    from abandono.datos import CARACTERISTICAS, cargar_clientes
    df = cargar_clientes().head(n)
    clientes = df[CARACTERISTICAS].to_dict(orient='records')
    for i, cliente in enumerate(clientes):
        cliente['customerid'] = f'cliente-{i:04d}'
    return json.dumps(clientes).encode()


def medir_lote(url, cuerpo, total, duracion, conexiones=4):
    golpear(url, '/predict_lote', cuerpo, conexiones, total=4)  # calentar
    r = golpear(url, '/predict_lote', cuerpo, conexiones, total=total, duracion=duracion)
    return r, r.por_segundo * CLIENTES_POR_LOTE


# --- Aguante: muchas peticiones y la memoria de los workers ------------------

def rss_workers(procesos):
    """RSS en bytes de cada worker (los hijos del proceso principal), leída de /proc."""
    rss = {}
    for proceso in procesos[1:] or procesos:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            estado = Path(f'/proc/{proceso.pid}/status').read_text()
            kib = next(int(linea.split()[1]) for linea in estado.splitlines() if linea.startswith('VmRSS:'))
            rss[proceso.pid] = kib * 1024
    return rss


def aguante(url, procesos, total=20_000, conexiones=CONEXIONES, duracion=120.0, calentamiento=2_000):
    """``total`` peticiones /predict con 100 clientes distintos; memoria antes y después.

    La memoria de partida se toma tras ``calentamiento`` peticiones: la primera
    petición de cada worker carga código y cachés que no son una fuga.
    """
    from abandono.datos import CLIENTE_LECCION
    cuerpos = [json.dumps(CLIENTE_LECCION | {'customerid': f'carga-{i:03d}', 'tenure': i % 72,
                                             'monthlycharges': 20.0 + i}).encode() for i in range(100)]
    golpear(url, '/predict', cuerpos, conexiones, total=calentamiento, duracion=duracion)
    antes = rss_workers(procesos)
    r = golpear(url, '/predict', cuerpos, conexiones, total=total, duracion=duracion)
    despues = rss_workers(procesos)
    crecimiento = max((despues.get(pid, 0) - rss) / rss for pid, rss in antes.items()) if antes else float('nan')
    return r, antes, despues, crecimiento


# --- 4. Tiempo de la batería de pruebas y del calificador -------------------

def cronometrar(orden, cwd=RAIZ, limite=1800):
    inicio = time.perf_counter()
    proceso = subprocess.run(orden, cwd=cwd, capture_output=True, text=True, timeout=limite,
                             stdin=subprocess.DEVNULL)
    segundos = time.perf_counter() - inicio
    ultima = (proceso.stdout.strip().splitlines() or [''])[-1]
    return segundos, proceso.returncode, ultima


def tiempo_pruebas():
    return cronometrar([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-m', 'not lento'])


def clase_de_muestra(carpeta, n):
    """``n`` entregas de las muestras del calificador (tests/calificador/muestras.py, sin las hostiles)."""
    subprocess.run([sys.executable, str(RAIZ / 'tests' / 'calificador' / 'muestras.py'), str(carpeta),
                    '--clase', str(n)], check=True, capture_output=True)
    return Path(carpeta)


def tiempo_calificar(carpeta=None, n=30):
    """{'con cajas' | 'sin cajas': (segundos, código, última línea)} de calificar la misma clase.

    Las dos formas se miden una detrás de otra en la misma ejecución, sobre las
    mismas ``n`` entregas (o las de ``carpeta``). Devuelve también cuántas son.
    """
    with tempfile.TemporaryDirectory(prefix='bench-calificar-') as temporal:
        if carpeta is None:
            carpeta = clase_de_muestra(Path(temporal) / 'entregas', n)
        entregas = sum(1 for p in Path(carpeta).iterdir() if p.is_dir())
        orden = [sys.executable, '-m', 'abandono.calificador.clase', str(carpeta), '--salida', f'{temporal}/notas']
        tiempos = {'con cajas': cronometrar(orden), 'sin cajas': cronometrar([*orden, '--sin-aislamiento'])}
    return entregas, tiempos


# --- 5. De un clon nuevo a la primera respuesta ------------------------------

def clon_hasta_respuesta(limite=600.0, origen=RAIZ):
    """git clone + ``make servicio`` con un .venv nuevo, hasta que POST /predict responde 200.

    Devuelve (segundos totales, segundos del clon, salida de make si falló).
    """
    import requests

    carpeta = Path(tempfile.mkdtemp(prefix='bench-clon-'))
    puerto = puerto_libre()
    inicio = time.perf_counter()
    proceso = None
    try:
        subprocess.run(['git', 'clone', '--quiet', str(origen), str(carpeta / 'taller')], check=True)
        clonado = time.perf_counter() - inicio
        registro = open(carpeta / 'make.log', 'wb')
        proceso = subprocess.Popen(
            ['make', 'servicio', f'PUERTO={puerto}'],
            cwd=carpeta / 'taller', stdout=registro, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
            env={k: v for k, v in os.environ.items() if k != 'VIRTUAL_ENV'})
        cuerpo = cuerpo_cliente()
        while time.perf_counter() - inicio < limite:
            if proceso.poll() is not None:
                break
            if escucha(puerto):
                with contextlib.suppress(requests.RequestException):
                    r = requests.post(f'http://127.0.0.1:{puerto}/predict', data=cuerpo, timeout=5,
                                      headers={'Content-Type': 'application/json'})
                    if r.status_code == 200:
                        return time.perf_counter() - inicio, clonado, None
            time.sleep(0.05)
        return None, clonado, (carpeta / 'make.log').read_text(errors='replace')[-3000:]
    finally:
        if proceso is not None:
            parar(proceso)
        shutil.rmtree(carpeta, ignore_errors=True)


def maquina():
    """Una línea que describe la máquina: procesador, CPU, memoria, Python."""
    modelo = ''
    with contextlib.suppress(OSError):
        for linea in Path('/proc/cpuinfo').read_text().splitlines():
            if linea.startswith('model name'):
                modelo = linea.split(':', 1)[1].strip()
                break
    memoria = psutil.virtual_memory().total / 2**30
    return (f'{modelo or "CPU desconocida"}, {os.cpu_count()} CPU, {memoria:.0f} GiB, '
            f'Python {sys.version.split()[0]}')
