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
  ejercicio y los fallos más comunes;
- ``retroalimentacion/ENTREGA.md``: lo que se le devuelve a cada estudiante.
"""
import contextlib
import csv
import io
import json
import multiprocessing
import os
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

from abandono.ayuda import analizador
from abandono.calificador import caja, limites, referencia as ref
from abandono.calificador.complemento import por_ejercicio
from abandono.calificador.ejercicios import ARCHIVOS, EJERCICIOS
from abandono.lanzador import RAIZ

PRUEBAS = RAIZ / 'tests' / 'ejercicios'
_MAX_RESULTADOS = 2_000_000  # bytes que se aceptan de un pytest


# Cada entrega se califica en su propio pytest, hijo de un proceso «vivero» que ya importó
# pytest, requests, Werkzeug y el complemento: así no se pagan en cada entrega (medio segundo
# de CPU de los ~4 que cuesta calificar una). El vivero no ejecuta nada de las entregas.
_VIVERO = multiprocessing.get_context('forkserver')
_VIVERO.set_forkserver_preload(['pytest', 'requests', 'werkzeug.serving', 'abandono.calificador.complemento'])


def argumentos_pytest(carpeta, fd_referencia, fd_resultados, aislada=True):
    # Solo el complemento del calificador: ni los del taller (nbval, schemathesis...) ni
    # tests/conftest.py, y sin caché de pytest.
    return [str(PRUEBAS), '--rootdir', str(RAIZ), '-q', '--no-header',
            '-p', 'no:cacheprovider', '--noconftest', '-p', 'abandono.calificador.complemento',
            '--entrega', str(carpeta), '--referencia-fd', str(fd_referencia), '--resultados-fd', str(fd_resultados),
            *([] if aislada else ['--sin-aislamiento'])]


def _pytest(carpeta, aislada, salida, referencia, resultados):
    """En el hijo del vivero: pytest sobre ``carpeta``, con su salida en el archivo ``salida``."""
    import pytest

    os.setsid()  # su propio grupo: el calificador lo mata entero si se pasa de tiempo
    os.chdir(RAIZ)
    os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'
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


def calificar_clase(carpeta, procesos=None, limite=limites.ENTREGA, progreso=True, aislada=True):
    entregas = entregas_de(carpeta)
    calificaciones = []
    with tempfile.TemporaryDirectory(prefix='referencia-') as privada, ThreadPoolExecutor(1) as aparte:
        referencia = aparte.submit(ref.crear, privada)
        # Una entrega por núcleo: cada una ya lanza sus ejecuciones a la vez.
        with ThreadPoolExecutor(max_workers=procesos or os.cpu_count() or 1) as grupo:
            pendientes = [grupo.submit(calificar_entrega, e.resolve(), referencia, limite, aislada)
                          for e in entregas]
            for hechas, futuro in enumerate(as_completed(pendientes), start=1):
                calificaciones.append(futuro.result())
                if progreso:
                    barra(hechas, len(entregas))
        referencia.result()  # si no se pudo calcular, su error, y no una clase entera de filas con error
    if progreso and entregas:
        print(file=sys.stderr)
    return sorted(calificaciones, key=lambda c: c['entrega'])


# --- Lo que se escribe -----------------------------------------------------------

def maximos():
    return {n: sum(e.puntos.values()) for n, e in EJERCICIOS.items()}


def fila(calificacion):
    obtenidos = {n: o for n, (_, o, _) in por_ejercicio(calificacion['resultados']).items()}
    puntos = {f'ejercicio_{n}': obtenidos.get(n, 0) for n in EJERCICIOS}
    return {'entrega': calificacion['entrega'], **puntos, 'total': sum(puntos.values()),
            'maximo': sum(maximos().values())}


def escribir_atomico(ruta, contenido):
    """Escribe en un temporal de la misma carpeta y lo cambia de una vez por ``ruta``."""
    ruta = Path(ruta)
    fd, temporal = tempfile.mkstemp(dir=ruta.parent, prefix=f'.{ruta.name}.')
    try:
        with os.fdopen(fd, 'wb') as archivo:
            archivo.write(contenido if isinstance(contenido, bytes) else contenido.encode('utf-8'))
        os.replace(temporal, ruta)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporal)
        raise


def texto_csv(calificaciones):
    salida = io.StringIO()
    escritor = csv.DictWriter(salida, ['entrega', *(f'ejercicio_{n}' for n in EJERCICIOS), 'total', 'maximo'],
                              lineterminator='\n')
    escritor.writeheader()
    escritor.writerows(fila(c) for c in calificaciones)
    return salida.getvalue()


def retroalimentacion(calificacion):
    """El Markdown que se devuelve a un estudiante: puntos y, por cada fallo, qué cambiar."""
    f = fila(calificacion)
    lineas = [f"# Calificación de {calificacion['entrega']}: {f['total']}/{f['maximo']}", '',
              '| ejercicio | puntos |', '|---|---:|']
    for n, e in EJERCICIOS.items():
        lineas.append(f"| {n}. {e.titulo} | {f[f'ejercicio_{n}']}/{sum(e.puntos.values())} |")
    if calificacion['error']:
        lineas += ['', f"**Aviso:** la calificación no terminó con normalidad ({calificacion['error']}); "
                       'lo que no se llegó a comprobar cuenta 0.']
    for r in calificacion['resultados']:
        marca = '✔' if r['obtenidos'] == r['puntos'] else '✘'
        lineas += ['', f"- {marca} Ejercicio {r['ejercicio']}, {r['descripcion']}: {r['obtenidos']}/{r['puntos']}"]
        if r['obtenidos'] < r['puntos'] and r['mensaje']:
            lineas += ['', '  ```', *('  ' + linea for linea in r['mensaje'].splitlines()), '  ```']
    return '\n'.join(lineas) + '\n'


def fallos_comunes(calificaciones, cuantos=8):
    return Counter(f"Ej. {r['ejercicio']}: {r['descripcion']}" for c in calificaciones for r in c['resultados']
                   if r['obtenidos'] < r['puntos']).most_common(cuantos)


def grafico(calificaciones):
    """PNG con los puntos medios por ejercicio (en %) y los fallos más comunes."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    figura, (izquierda, derecha) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={'width_ratios': [1, 1.6]})
    tope = maximos()
    medias = [100 * sum(fila(c)[f'ejercicio_{n}'] for c in calificaciones) / max(1, len(calificaciones) * tope[n])
              for n in EJERCICIOS]
    izquierda.bar([f'Ej. {n}' for n in EJERCICIOS], medias, color='#4C72B0')
    izquierda.set_ylim(0, 100)
    izquierda.set_ylabel('% de los puntos (media de la clase)')
    izquierda.set_title('Puntos por ejercicio')
    comunes = fallos_comunes(calificaciones)
    if comunes:
        nombres, veces = zip(*reversed(comunes))
        derecha.barh([n if len(n) <= 60 else n[:59] + '…' for n in nombres], veces, color='#DD8452')
        derecha.set_xlabel('entregas que fallan la comprobación')
    derecha.set_title('Fallos más comunes')
    figura.tight_layout()
    salida = io.BytesIO()
    figura.savefig(salida, format='png', dpi=100)
    plt.close(figura)
    return salida.getvalue()


def informe(calificaciones, segundos):
    lineas = ['# Informe de calificaciones', '',
              f'{len(calificaciones)} entregas calificadas el {datetime.now():%d/%m/%Y a las %H:%M} '
              f'en {segundos:.0f} s.',
              '', '![Puntos por ejercicio y fallos más comunes](grafico.png)', '',
              *(f'- Ejercicio {n}: {e.titulo} ({sum(e.puntos.values())} puntos)' for n, e in EJERCICIOS.items()), '',
              '| entrega | ' + ' | '.join(f'ej. {n}' for n in EJERCICIOS) + ' | total | aviso |',
              '|---|' + '---:|' * (len(EJERCICIOS) + 1) + '---|']
    for c in calificaciones:
        f = fila(c)
        # El nombre de la carpeta y el aviso los elige la entrega: una | no debe partir la fila.
        nombre, aviso = (texto.replace('|', r'\|') for texto in (c['entrega'], c['error'] or ''))
        enlace = urllib.parse.quote(f"{c['entrega']}.md")
        lineas.append(f"| [{nombre}](retroalimentacion/{enlace}) | "
                      + ' | '.join(str(f[f'ejercicio_{n}']) for n in EJERCICIOS)
                      + f" | {f['total']}/{f['maximo']} | {aviso} |")
    lineas += ['', '## Fallos más comunes', '', *(f'- {n}: {v}' for n, v in fallos_comunes(calificaciones))]
    return '\n'.join(lineas) + '\n'


SALIDAS = ('calificaciones.csv', 'informe.md', 'grafico.png', 'retroalimentacion')


def preparar_salida(salida):
    """Crea la carpeta y borra lo de una calificación anterior, para que nada viejo parezca nuevo."""
    salida.mkdir(parents=True, exist_ok=True)
    for nombre in SALIDAS:
        ruta = salida / nombre
        if ruta.is_dir() and not ruta.is_symlink():
            shutil.rmtree(ruta)
        elif ruta.exists() or ruta.is_symlink():
            ruta.unlink()  # un archivo, un enlace o una FIFO: fuera, sin abrirlo
    (salida / 'retroalimentacion').mkdir()


def escribir(calificaciones, salida, segundos):
    for c in calificaciones:
        escribir_atomico(salida / 'retroalimentacion' / f"{c['entrega']}.md", retroalimentacion(c))
    escribir_atomico(salida / 'grafico.png', grafico(calificaciones))
    escribir_atomico(salida / 'informe.md', informe(calificaciones, segundos))
    escribir_atomico(salida / 'calificaciones.csv', texto_csv(calificaciones))  # el último: señal de que terminó


def es_una_entrega(carpeta):
    return any((Path(carpeta) / a).exists() for a in ARCHIVOS)


def main(argv=None):
    parser = analizador(
        description='Califica cada subcarpeta de CARPETA como la entrega de un estudiante.')
    parser.add_argument('carpeta', type=Path, help='carpeta con una subcarpeta por entrega')
    parser.add_argument('--salida', type=Path, default=None,
                        help='dónde escribir las notas (por defecto notas_CARPETA, junto a CARPETA)')
    parser.add_argument('--procesos', type=int, default=None,
                        help='entregas que se califican a la vez (por defecto, una por núcleo)')
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
    inicio = time.monotonic()
    calificaciones = calificar_clase(carpeta, args.procesos, args.limite, aislada=aislada)
    segundos = time.monotonic() - inicio
    escribir(calificaciones, salida, segundos)
    print(f'{len(calificaciones)} entregas en {segundos:.1f} s '
          f'({60 * len(calificaciones) / max(segundos, 1e-9):.0f} por minuto). Notas en {salida}/ '
          '(calificaciones.csv, informe.md, grafico.png y retroalimentacion/).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
