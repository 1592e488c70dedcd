"""Califica una clase: cada subcarpeta de CARPETA es la entrega de un estudiante.

    python -m abandono.calificador.clase entregas/ [--salida notas/]
    make calificar ENTREGAS=entregas/

El modelo y los clientes de la calificación se crean una vez, nuevos, y cada
entrega se califica con ``pytest tests/ejercicios`` en su propio proceso, que
los recibe por un canal suyo y devuelve sus resultados por otro (nunca por un
archivo que una entrega pudiera tocar), con un tiempo máximo: una entrega que
se cuelga o revienta solo pierde su fila. Por defecto se
escribe en ``notas_<CARPETA>/``, junto a CARPETA:

- ``calificaciones.csv``: una fila por entrega (se escribe al final y de una vez);
- ``informe.md`` y ``grafico.png``: la tabla de la clase, los puntos medios por
  ejercicio, los fallos más comunes y los pares de entregas más parecidos;
- ``similitud.csv`` y ``similitud.md``: todos los pares, del más parecido al menos;
- ``retroalimentacion/ENTREGA.md``: lo que se le devuelve a cada estudiante.

Lo escribe ``informes`` (donde se escapa todo lo que elige una entrega).
"""
import contextlib
import json
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from abandono.ayuda import analizador
from abandono.calificador import caja, limites, referencia as ref
from abandono.calificador.ejercicios import ARCHIVOS
from abandono.calificador.informes import escribir, preparar_salida
from abandono.calificador.similitud import comparar
from abandono.lanzador import RAIZ

PRUEBAS = RAIZ / 'tests' / 'ejercicios'
_MAX_RESULTADOS = 2_000_000  # bytes que se aceptan de un pytest


# Cada entrega se califica en su propio pytest, hijo de un proceso «vivero» que ya importó
# pytest, requests, Werkzeug y el complemento: así no se pagan en cada entrega (medio segundo
# de CPU de los ~4 que cuesta calificar una). El vivero no ejecuta nada de las entregas.
_VIVERO = multiprocessing.get_context('forkserver')
_VIVERO.set_forkserver_preload(['pytest', 'requests', 'werkzeug.serving', 'abandono.esquema',
                                'abandono.calificador.complemento'])


def argumentos_pytest(carpeta, fd_referencia, fd_resultados, aislada=True):
    # Solo el complemento del calificador: ni los del taller (nbval, schemathesis...) ni
    # tests/conftest.py, y sin caché de pytest. Sin los avisos de excepciones perdidas en hilos
    # y destructores, que nadie lee aquí: cada uno llamaba a gc.collect al terminar (~0,2 s de CPU).
    return [str(PRUEBAS), '--rootdir', str(RAIZ), '-q', '--no-header', '-p', 'no:cacheprovider',
            '-p', 'no:unraisableexception', '-p', 'no:threadexception',
            '--noconftest', '-p', 'abandono.calificador.complemento',
            '--entrega', str(carpeta), '--referencia-fd', str(fd_referencia), '--resultados-fd', str(fd_resultados),
            *([] if aislada else ['--sin-aislamiento'])]


def _pytest(carpeta, aislada, salida, referencia, resultados):
    """En el hijo del vivero: pytest sobre ``carpeta``, con su salida en el archivo ``salida``."""
    import pytest

    os.setsid()  # su propio grupo: el calificador lo mata entero si se pasa de tiempo
    os.chdir(RAIZ)
    os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'
    # Ni complementos de pydantic: buscarlos recorre los metadatos de todo el entorno en cada entrega.
    os.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'
    archivo = os.open(salida, os.O_WRONLY | os.O_APPEND)
    for fd in (1, 2):
        os.dup2(archivo, fd)
    # detach(): el complemento cierra los descriptores al terminar; los sockets no deben cerrarlos otra vez.
    sys.exit(pytest.main(argumentos_pytest(carpeta, referencia.detach(), resultados.detach(), aislada)))


def calificar_entrega(carpeta, referencia, limite=limites.ENTREGA, aislada=True):
    """{'entrega', 'resultados', 'error', 'salida'} de una entrega, calificada en un pytest aparte.

    ``referencia`` es un ``Future``: pytest arranca (importa y recoge las pruebas)
    mientras se termina de calcular, y la recibe en cuanto está.
    """
    hacia, desde = socket.socketpair()           # la referencia viaja por su propio canal
    lectura, escritura = socket.socketpair()     # y los resultados vuelven por otro
    with tempfile.NamedTemporaryFile(prefix='pytest-') as salida:
        proceso = _VIVERO.Process(target=_pytest, args=(carpeta, aislada, salida.name, desde, escritura), daemon=True)
        try:
            proceso.start()
        finally:
            desde.close()
            escritura.close()
        threading.Thread(target=_enviar, args=(hacia, referencia), daemon=True).start()
        datos, error = _leer(lectura, time.monotonic() + limite)
        if proceso.is_alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proceso.pid, signal.SIGKILL)
            proceso.kill()
        proceso.join()
        texto = Path(salida.name).read_bytes().decode(errors='replace')
    resultados = []
    if datos is not None:
        try:
            resultados = json.loads(datos)['resultados']
        except (ValueError, KeyError, TypeError):
            error = 'el calificador devolvió resultados ilegibles'
    elif error is None:
        error = 'pytest terminó sin resultados'
    return {'entrega': Path(carpeta).name, 'resultados': resultados, 'error': error, 'salida': texto[-3000:]}


def _enviar(canal, referencia):
    # Si la referencia falla, el canal se cierra vacío: pytest no la recibe y la entrega da error.
    with contextlib.suppress(Exception), canal:
        canal.sendall((referencia.result().a_json() + '\n').encode())


def _leer(canal, fin):
    """(bytes, error) del canal de resultados, hasta su final o hasta ``fin``."""
    trozos, total = [], 0
    with canal, selectors.DefaultSelector() as selector:
        selector.register(canal, selectors.EVENT_READ)
        while True:
            restante = fin - time.monotonic()
            if restante <= 0 or not selector.select(restante):
                return None, f'la calificación superó {limites.ENTREGA:.0f} s y se detuvo'
            trozo = canal.recv(65536)
            if not trozo:
                return (b''.join(trozos) or None), None
            total += len(trozo)
            if total > _MAX_RESULTADOS:
                return None, 'el calificador devolvió demasiados datos'
            trozos.append(trozo)


def barra(hechas, total, ancho=30):
    llenas = ancho * hechas // max(total, 1)
    print(f'\r[{"#" * llenas}{"." * (ancho - llenas)}] {hechas}/{total} entregas', end='',
          file=sys.stderr, flush=True)


def entregas_de(carpeta):
    return sorted(p for p in Path(carpeta).iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith('.'))


SIN_CGROUPS = ('Sin cgroups propios para cada caja (se califica sin root y esta computadora no delega cgroups '
               'al usuario), las entregas se califican de una en una: así una entrega solo agota sus propios '
               'límites y no los de sus compañeros.')


def a_la_vez(procesos=None, aislada=True):
    """Cuántas entregas se califican a la vez.

    Sin cgroups, una: el tope de procesos de una caja es RLIMIT_NPROC, que cuenta
    todos los del usuario, y dos cajas a la vez se lo quitarían una a otra. Con
    ellos, dos por núcleo mientras quepan en la memoria disponible con su tope
    cada una: media vida de una entrega es esperar (a que su caja arranque, a que
    pase la vigilancia de los puertos) y con una por núcleo la CPU quedaba ociosa.
    """
    if aislada and not caja.cajas_con_cgroups():
        return 1
    if procesos:
        return procesos
    return max(1, min(2 * (os.cpu_count() or 1), _memoria_disponible() // limites.MEMORIA_CAJA))


def _memoria_disponible():
    with contextlib.suppress(OSError, ValueError, StopIteration):
        with open('/proc/meminfo') as meminfo:
            return next(int(linea.split()[1]) * 1024 for linea in meminfo if linea.startswith('MemAvailable:'))
    return limites.MEMORIA_CAJA


def calificar_clase(carpeta, procesos=None, limite=limites.ENTREGA, progreso=True, aislada=True):
    """(calificaciones de cada entrega, pares de entregas parecidas) de la clase en ``carpeta``."""
    entregas = entregas_de(carpeta)
    calificaciones = []
    with tempfile.TemporaryDirectory(prefix='referencia-') as privada, ThreadPoolExecutor(1) as aparte:
        referencia = aparte.submit(ref.crear, privada)
        # Los pares parecidos se buscan mientras se califica, después de la referencia (que la esperan todas).
        pares = aparte.submit(comparar, {e.name: e for e in entregas})
        with ThreadPoolExecutor(max_workers=a_la_vez(procesos, aislada)) as grupo:
            pendientes = [grupo.submit(calificar_entrega, e.resolve(), referencia, limite, aislada)
                          for e in entregas]
            for hechas, futuro in enumerate(as_completed(pendientes), start=1):
                calificaciones.append(futuro.result())
                if progreso:
                    barra(hechas, len(entregas))
        referencia.result()  # si no se pudo calcular, su error, y no una clase entera de filas con error
        pares = pares.result()
    if progreso and entregas:
        print(file=sys.stderr)
    return sorted(calificaciones, key=lambda c: c['entrega']), pares


def es_una_entrega(carpeta):
    return any((Path(carpeta) / a).exists() for a in ARCHIVOS)


def main(argv=None):
    parser = analizador(
        description='Califica cada subcarpeta de CARPETA como la entrega de un estudiante.')
    parser.add_argument('carpeta', type=Path, help='carpeta con una subcarpeta por entrega')
    parser.add_argument('--salida', type=Path, default=None,
                        help='dónde escribir las notas (por defecto notas_CARPETA, junto a CARPETA)')
    parser.add_argument('--procesos', type=int, default=None,
                        help='entregas que se califican a la vez (por defecto, dos por núcleo si caben en '
                             'la memoria; una si las cajas no tienen cgroups)')
    parser.add_argument('--limite', type=float, default=limites.ENTREGA,
                        help='segundos como máximo por entrega (por defecto %(default)s)')
    parser.add_argument('--sin-aislamiento', action='store_true',
                        help='ejecuta las entregas sin caja; solo para código de fiar')
    args = parser.parse_args(argv)
    if not args.carpeta.is_dir():
        parser.error(f'no existe la carpeta {args.carpeta}')
    carpeta = args.carpeta.resolve()
    if es_una_entrega(carpeta):
        tiene = ', '.join(a for a in ARCHIVOS if (carpeta / a).exists())
        parser.error(f'{args.carpeta} parece UNA entrega (tiene {tiene}), '
                     'no una clase. Para una entrega usa "make comprobar CARPETA=..."; para una clase, '
                     'pon cada entrega en su propia subcarpeta. No se escribió nada.')
    if not entregas_de(carpeta):
        parser.error(f'{args.carpeta} no tiene subcarpetas: cada entrega va en su propia subcarpeta. '
                     'No se escribió nada.')
    aislada = not args.sin_aislamiento
    if aislada and caja.motivo_sin_caja():
        parser.error(f'no se puede aislar el código de las entregas: {caja.motivo_sin_caja()}. Califica dentro '
                     'de la imagen de contenedor del taller (docs/profesorado.md) o, solo para '
                     'código de fiar, añade --sin-aislamiento. No se escribió nada.')
    salida = (args.salida or carpeta.parent / f'notas_{carpeta.name}').resolve()
    if salida == RAIZ or salida == carpeta or carpeta in salida.parents:
        parser.error(f'la salida {salida} no puede ser la raíz del taller ni estar dentro de la clase.')
    preparar_salida(salida)
    aviso = SIN_CGROUPS if aislada and not caja.cajas_con_cgroups() else ''
    if aviso:
        print(f'Aviso: {aviso}', file=sys.stderr)
    inicio = time.monotonic()
    calificaciones, pares = calificar_clase(carpeta, args.procesos, args.limite, aislada=aislada)
    segundos = time.monotonic() - inicio
    escribir(calificaciones, salida, segundos, pares, aviso)
    print(f'{len(calificaciones)} entregas en {segundos:.1f} s '
          f'({60 * len(calificaciones) / max(segundos, 1e-9):.0f} por minuto). Notas en {salida}/ '
          '(calificaciones.csv, informe.md, grafico.png, similitud.md y retroalimentacion/).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
