"""Califica una clase: una carpeta con una subcarpeta por estudiante, o el zip de Moodle o de Canvas.

    python -m abandono.calificador.clase ENTREGAS [--hoja HOJA] [--solo ENTREGA] [--salida notas/]
    make calificar ENTREGAS=entregas/                     # una subcarpeta por estudiante
    make calificar ENTREGAS=descarga.zip HOJA=hoja.csv    # Moodle o Canvas, tal como se descargan
    make calificar ENTREGAS=descarga.zip SOLO="Ana García_1234"   # una sola, en las notas que ya hay

``aula`` reconoce de dónde vienen las entregas y desempaqueta el zip sin riesgo. El
modelo y los clientes de la calificación se crean una vez, nuevos, y cada entrega se
califica con ``pytest tests/ejercicios`` en su propio proceso, que los recibe por un
canal suyo y devuelve sus resultados por otro (nunca por un archivo que una entrega
pudiera tocar), con un tiempo máximo: una entrega que se cuelga o revienta solo pierde
su fila. Lo que pytest deja (su carpeta temporal, con la copia de la entrega y del
modelo) se borra al terminar cada entrega.

Las notas van a ``notas_<ENTREGAS>/`` (sin el .zip), junto a ENTREGAS; las escribe
``notas``, con el contenido que arma ``informes`` y los ajustes a mano de ``ajustes``.
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
from abandono.calificador import aula, caja, limites, notas, referencia as ref
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


def argumentos_pytest(carpeta, fd_referencia, fd_resultados, basetemp, aislada=True):
    # Solo el complemento del calificador: ni los del taller (nbval, schemathesis...) ni
    # tests/conftest.py, y sin caché de pytest. Sin los avisos de excepciones perdidas en hilos
    # y destructores, que nadie lee aquí: cada uno llamaba a gc.collect al terminar (~0,2 s de CPU).
    # --basetemp: su carpeta temporal (con la copia de la entrega y del modelo) es una que el
    # calificador borra al terminar; en la de pytest quedarían las de sus tres últimas sesiones.
    return [str(PRUEBAS), '--rootdir', str(RAIZ), '-q', '--no-header', '-p', 'no:cacheprovider', '--basetemp', str(basetemp),
            '-p', 'no:unraisableexception', '-p', 'no:threadexception',
            '--noconftest', '-p', 'abandono.calificador.complemento',
            '--entrega', str(carpeta), '--referencia-fd', str(fd_referencia), '--resultados-fd', str(fd_resultados),
            *([] if aislada else ['--sin-aislamiento'])]


def _pytest(carpeta, aislada, temporal, referencia, resultados):
    """En el hijo del vivero: pytest sobre ``carpeta``, con todo lo suyo (y su salida) en ``temporal``."""
    import pytest

    os.setsid()  # su propio grupo: el calificador lo mata entero si se pasa de tiempo
    os.chdir(RAIZ)
    os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'
    # Ni complementos de pydantic: buscarlos recorre los metadatos de todo el entorno en cada entrega.
    os.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'
    # Lo temporal del hijo y de lo que lance, también en ``temporal``: se borra con ella aunque lo maten.
    os.environ['TMPDIR'] = tempfile.tempdir = str(temporal / 'tmp')
    archivo = os.open(temporal / 'salida', os.O_WRONLY | os.O_APPEND)
    for fd in (1, 2):
        os.dup2(archivo, fd)
    # detach(): el complemento cierra los descriptores al terminar; los sockets no deben cerrarlos otra vez.
    sys.exit(pytest.main(argumentos_pytest(carpeta, referencia.detach(), resultados.detach(), temporal / 'pytest',
                                           aislada)))


def calificar_entrega(carpeta, referencia, limite=limites.ENTREGA, aislada=True):
    """{'entrega', 'resultados', 'error', 'salida'} de una entrega, calificada en un pytest aparte.

    ``referencia`` es un ``Future``: pytest arranca (importa y recoge las pruebas)
    mientras se termina de calcular, y la recibe en cuanto está. Lo que deja pytest
    (su carpeta temporal, la copia de la entrega y la del modelo) se borra al terminar.
    """
    hacia, desde = socket.socketpair()           # la referencia viaja por su propio canal
    lectura, escritura = socket.socketpair()     # y los resultados vuelven por otro
    with tempfile.TemporaryDirectory(prefix='entrega-', ignore_cleanup_errors=True) as temporal:
        temporal = Path(temporal)
        (temporal / 'salida').touch()
        (temporal / 'tmp').mkdir()
        proceso = _VIVERO.Process(target=_pytest, args=(carpeta, aislada, temporal, desde, escritura), daemon=True)
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
        texto = (temporal / 'salida').read_bytes().decode(errors='replace')
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


SIN_CGROUPS = ('Sin cgroups propios para cada caja (se califica sin root y esta computadora no delega cgroups '
               'al usuario), las entregas se califican de una en una: así una entrega solo agota sus propios '
               'límites y no los de sus compañeros.')


def a_la_vez(procesos=None, aislada=True):
    """Cuántas entregas se califican a la vez.

    Sin cgroups, una: el tope de procesos de una caja es RLIMIT_NPROC, que cuenta
    todos los del usuario, y dos cajas a la vez se lo quitarían una a otra. Con
    ellos, dos por CPU mientras quepan en la memoria disponible con su tope
    cada una: media vida de una entrega es esperar (a que su caja arranque, a que
    pase la vigilancia de los puertos) y con una por CPU la CPU quedaba ociosa.
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


def _con_su_entrega(calificacion, entrega):
    """La calificación con el nombre y los datos del aula virtual de su entrega."""
    return {**calificacion, 'entrega': entrega.nombre, 'id': entrega.id, 'prefijo': entrega.prefijo,
            'tarde': entrega.tarde, 'avisos': list(entrega.avisos)}


def calificar_clase(entregas, procesos=None, limite=limites.ENTREGA, progreso=True, aislada=True):
    """(calificaciones, pares de entregas parecidas) de las ``entregas`` (:class:`aula.Entrega`).

    Una entrega que no se pudo desempaquetar no se califica: su fila lleva el porqué.
    """
    calificables = [e for e in entregas if e.carpeta is not None]
    calificaciones = [_con_su_entrega({'resultados': [], 'error': e.error, 'salida': ''}, e)
                      for e in entregas if e.carpeta is None]
    with tempfile.TemporaryDirectory(prefix='referencia-') as privada, ThreadPoolExecutor(1) as aparte:
        referencia = aparte.submit(ref.crear, privada)
        # Los pares parecidos se buscan mientras se califica, después de la referencia (que la esperan todas).
        pares = aparte.submit(comparar, {e.nombre: e.carpeta for e in calificables})
        with ThreadPoolExecutor(max_workers=a_la_vez(procesos, aislada)) as grupo:
            pendientes = {grupo.submit(calificar_entrega, e.carpeta.resolve(), referencia, limite, aislada): e
                          for e in calificables}
            for hechas, futuro in enumerate(as_completed(pendientes), start=1):
                calificaciones.append(_con_su_entrega(futuro.result(), pendientes[futuro]))
                if progreso:
                    barra(hechas, len(pendientes))
        referencia.result()  # si no se pudo calcular, su error, y no una clase entera de filas con error
        pares = pares.result()
    if progreso and calificables:
        print(file=sys.stderr)
    return sorted(calificaciones, key=lambda c: c['entrega']), pares


def _salida(origen, pedida):
    salida = (pedida or origen.parent / f'notas_{origen.stem if origen.is_file() else origen.name}').resolve()
    if salida == RAIZ or salida == origen or origen in salida.parents:
        raise aula.NoSePuede(f'la salida {salida} no puede ser la raíz del taller ni estar dentro de la clase.')
    return salida


def main(argv=None):
    parser = analizador(
        description='Califica una clase: cada subcarpeta de ENTREGAS, o cada estudiante del zip de Moodle o de '
                    'Canvas, es una entrega.')
    parser.add_argument('entregas', type=Path, metavar='ENTREGAS',
                        help='carpeta con una subcarpeta por entrega, o el zip de entregas de Moodle o de Canvas')
    parser.add_argument('--hoja', type=Path, default=None,
                        help='la hoja de calificaciones de Moodle o el libro exportado de Canvas, para rellenarlos')
    parser.add_argument('--tarea', default=None,
                        help='Canvas: la columna del libro que se rellena (el número o el nombre de la tarea), '
                             'si el libro tiene varias')
    parser.add_argument('--solo', default=None, metavar='ENTREGA',
                        help='recalifica solo esta entrega (su nombre o su número del aula) en las notas que ya hay')
    parser.add_argument('--salida', type=Path, default=None,
                        help='dónde escribir las notas (por defecto notas_ENTREGAS, junto a ENTREGAS)')
    parser.add_argument('--procesos', type=int, default=None,
                        help='entregas que se califican a la vez (por defecto, dos por CPU si caben en '
                             'la memoria; una si las cajas no tienen cgroups)')
    parser.add_argument('--limite', type=float, default=limites.ENTREGA,
                        help='segundos como máximo por entrega (por defecto %(default)s)')
    parser.add_argument('--sin-aislamiento', action='store_true',
                        help='ejecuta las entregas sin caja; solo para código de fiar')
    args = parser.parse_args(argv)
    if not args.entregas.exists():
        parser.error(f'no existe {args.entregas}')
    aislada = not args.sin_aislamiento
    if aislada and caja.motivo_sin_caja():
        parser.error(f'no se puede aislar el código de las entregas: {caja.motivo_sin_caja()}. Califica dentro '
                     'de la imagen de contenedor del taller (docs/profesorado.md) o, solo para '
                     'código de fiar, añade --sin-aislamiento. No se escribió nada.')
    origen = args.entregas.resolve()
    with tempfile.TemporaryDirectory(prefix='clase-') as privada:
        try:
            salida = _salida(origen, args.salida)
            anteriores = notas.leer(salida) if args.solo is not None else None
            clase = aula.abrir(origen, privada, args.solo)
            if args.tarea is not None and clase.plataforma != 'canvas':
                raise ValueError('TAREA solo sirve con el libro de Canvas.')
            if args.hoja:
                notas.comprobar_hoja(clase.plataforma, args.hoja, args.tarea)
            salida.mkdir(parents=True, exist_ok=True)
        except (aula.NoSePuede, ValueError, OSError) as error:
            parser.error(f'{error} No se escribió nada.')
        return _calificar(clase, salida, anteriores, args, aislada)


def _calificar(clase, salida, anteriores, args, aislada):
    for entrega in clase.entregas:
        if entrega.error:
            print(f'Aviso: {entrega.nombre}: {entrega.error}', file=sys.stderr)
    if clase.ignoradas:
        print(f'Aviso: {clase.ignoradas} entradas del zip no son archivos entregados (texto en línea, enlaces '
              'o nombres que no son de la plataforma) y no se califican.', file=sys.stderr)
    aviso = SIN_CGROUPS if aislada and not caja.cajas_con_cgroups() else ''
    if aviso:
        print(f'Aviso: {aviso}', file=sys.stderr)
    inicio = time.monotonic()
    calificaciones, pares = calificar_clase(clase.entregas, args.procesos, args.limite, aislada=aislada)
    segundos = time.monotonic() - inicio
    try:
        if anteriores is not None:
            avisos = notas.recalificar(salida, anteriores, calificaciones[0], args.hoja, args.tarea)
        else:
            avisos = notas.escribir(salida, notas.Notas(clase.plataforma, calificaciones, pares, segundos, aviso=aviso),
                                    args.hoja, args.tarea)
    except (OSError, ValueError) as error:
        print(f'No se pudieron escribir las notas en {salida} ({error}); las anteriores, si había, siguen como '
              'estaban.', file=sys.stderr)
        return 1
    for texto in avisos:
        print(f'Aviso: {texto}', file=sys.stderr)
    if anteriores is not None:
        print(f'Recalificada {calificaciones[0]["entrega"]} en {segundos:.1f} s: su fila, su retroalimentación, el '
              f'informe, el gráfico y lo del aula virtual, en {salida}/. La retroalimentación de las demás no se tocó.')
    else:
        print(f'{len(calificaciones)} entregas en {segundos:.1f} s '
              f'({60 * len(calificaciones) / max(segundos, 1e-9):.0f} por minuto). Notas en {salida}/ '
              '(calificaciones.csv, informe.md, grafico.png, similitud.md, retroalimentacion/ y ajustes.csv).')
    for archivo, donde in PARA_EL_AULA.items():
        if (salida / archivo).is_file():
            print(f'{archivo}: {donde}')
    return 0


PARA_EL_AULA = {
    notas.HOJA_MOODLE: 'súbela a Moodle en Tarea > Calificaciones > «Subir hoja de calificaciones».',
    notas.ZIP_MOODLE: 'súbelo a Moodle en Tarea > Calificaciones > «Subir varios archivos de retroalimentación '
                      'en un zip».',
    notas.HOJA_CANVAS: 'súbelo a Canvas en Calificaciones > Importar.',
}


if __name__ == '__main__':
    sys.exit(main())
