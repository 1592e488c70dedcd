"""Califica una clase: cada subcarpeta de CARPETA es la entrega de un estudiante.

    python -m abandono.calificador.clase entregas/ --salida notas/
    make calificar ENTREGAS=entregas/

Cada entrega se califica con ``pytest tests/ejercicios --entrega SUBCARPETA``
en su propio proceso (dos a la vez por núcleo) y con un tiempo
máximo: una entrega que se cuelga o revienta solo pierde sus puntos. Al
final se escriben ``calificaciones.csv`` (una fila por entrega) e
``informe_calificaciones.md`` (los comentarios de cada prueba).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

from abandono.calificador import limites
from abandono.calificador.complemento import por_ejercicio
from abandono.lanzador import RAIZ, parar

PRUEBAS = RAIZ / 'tests' / 'ejercicios'


def calificar_entrega(carpeta, limite=limites.ENTREGA):
    """{'entrega', 'resultados', 'error'} de una entrega, calificada en un pytest aparte."""
    with tempfile.TemporaryDirectory(prefix='calificacion-') as temporal:
        resultados_json = Path(temporal) / 'resultados.json'
        # Solo el complemento del calificador: los que trae el taller (nbval, schemathesis...)
        # y tests/conftest.py (pandas, fixtures del servicio) tardan y aquí no hacen falta.
        orden = [sys.executable, '-m', 'pytest', str(PRUEBAS), '--rootdir', str(RAIZ), '-q', '--no-header',
                 '--noconftest', '-p', 'abandono.calificador.complemento',
                 '--entrega', str(carpeta), '--resultados-json', str(resultados_json)]
        entorno = {**os.environ, 'PYTEST_DISABLE_PLUGIN_AUTOLOAD': '1'}
        with tempfile.TemporaryFile() as salida:
            proceso = subprocess.Popen(orden, cwd=RAIZ, env=entorno, stdin=subprocess.DEVNULL, stdout=salida,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                proceso.wait(limite)
                error = None
            except subprocess.TimeoutExpired:
                error = f'la calificación superó {limite:.0f} s y se detuvo'
            finally:
                parar(proceso)
            if resultados_json.exists():
                return {'entrega': carpeta.name, 'error': error,
                        'resultados': json.loads(resultados_json.read_text(encoding='utf-8'))['resultados']}
            salida.seek(0)
            return {'entrega': carpeta.name, 'resultados': [],
                    'error': error or 'pytest terminó sin resultados:\n' + salida.read().decode(errors='replace')[-2000:]}


def barra(hechas, total, ancho=30):
    llenas = ancho * hechas // max(total, 1)
    print(f'\r[{"#" * llenas}{"." * (ancho - llenas)}] {hechas}/{total} entregas', end='',
          file=sys.stderr, flush=True)


def calificar_clase(carpeta, procesos=None, limite=limites.ENTREGA, progreso=True):
    entregas = sorted(p for p in Path(carpeta).iterdir() if p.is_dir() and not p.name.startswith('.'))
    calificaciones = []
    # Dos entregas por núcleo: mientras una espera a que arranque su servicio, otra calcula.
    with ThreadPoolExecutor(max_workers=procesos or 2 * (os.cpu_count() or 1)) as grupo:
        pendientes = [grupo.submit(calificar_entrega, e.resolve(), limite) for e in entregas]
        for hechas, futuro in enumerate(as_completed(pendientes), start=1):
            calificaciones.append(futuro.result())
            if progreso:
                barra(hechas, len(entregas))
    if progreso:
        print(file=sys.stderr)
    return sorted(calificaciones, key=lambda c: c['entrega'])


def ejercicios(calificaciones):
    """{número: (título, puntos)} de todos los ejercicios vistos en la clase."""
    tabla = {}
    for c in calificaciones:
        for numero, (titulo, _, puntos) in por_ejercicio(c['resultados']).items():
            tabla[numero] = (titulo, puntos)
    return dict(sorted(tabla.items()))


def fila(calificacion, tabla):
    obtenidos = {n: o for n, (_, o, _) in por_ejercicio(calificacion['resultados']).items()}
    puntos = {f'ejercicio_{n}': obtenidos.get(n, 0) for n in tabla}
    return {'entrega': calificacion['entrega'], **puntos, 'total': sum(puntos.values()),
            'maximo': sum(p for _, p in tabla.values())}


def escribir_csv(calificaciones, ruta):
    tabla = ejercicios(calificaciones)
    with open(ruta, 'w', newline='', encoding='utf-8') as archivo:
        escritor = csv.DictWriter(archivo, ['entrega', *(f'ejercicio_{n}' for n in tabla), 'total', 'maximo'])
        escritor.writeheader()
        escritor.writerows(fila(c, tabla) for c in calificaciones)


def escribir_informe(calificaciones, ruta, segundos):
    tabla = ejercicios(calificaciones)
    lineas = [
        '# Informe de calificaciones', '',
        f'{len(calificaciones)} entregas calificadas el {datetime.now():%d/%m/%Y a las %H:%M} '
        f'en {segundos:.0f} s.', '',
        *(f'- Ejercicio {n}: {titulo} ({puntos} puntos)' for n, (titulo, puntos) in tabla.items()), '',
        '| entrega | ' + ' | '.join(f'ej. {n}' for n in tabla) + ' | total |',
        '|---|' + '---:|' * (len(tabla) + 1),
    ]
    for c in calificaciones:
        f = fila(c, tabla)
        lineas.append(f"| {c['entrega']} | " + ' | '.join(str(f[f'ejercicio_{n}']) for n in tabla)
                      + f" | {f['total']}/{f['maximo']} |")
    for c in calificaciones:
        f = fila(c, tabla)
        lineas += ['', f"## {c['entrega']}: {f['total']}/{f['maximo']}", '']
        if c['error']:
            lineas += ['**Aviso:** la calificación no terminó con normalidad; las pruebas sin resultado '
                       'cuentan 0.', '', '```', c['error'].strip(), '```', '']
        for r in c['resultados']:
            marca = '✔' if r['obtenidos'] == r['puntos'] else '✘'
            lineas.append(f"- {marca} Ejercicio {r['ejercicio']}, {r['descripcion']}: "
                          f"{r['obtenidos']}/{r['puntos']}")
            if r['mensaje']:
                lineas += ['', '  ```', *('  ' + linea for linea in r['mensaje'].splitlines()), '  ```']
    Path(ruta).write_text('\n'.join(lineas) + '\n', encoding='utf-8')


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Califica cada subcarpeta de CARPETA como la entrega de un estudiante y escribe '
                    'calificaciones.csv y informe_calificaciones.md.')
    parser.add_argument('carpeta', type=Path, help='carpeta con una subcarpeta por entrega')
    parser.add_argument('--salida', type=Path, default=Path('.'),
                        help='carpeta donde escribir el CSV y el informe (por defecto, la actual)')
    parser.add_argument('--procesos', type=int, default=None,
                        help='entregas que se califican a la vez (por defecto, dos por núcleo)')
    parser.add_argument('--limite', type=float, default=limites.ENTREGA,
                        help='segundos como máximo por entrega (por defecto %(default)s)')
    args = parser.parse_args(argv)
    if not args.carpeta.is_dir():
        parser.error(f'no existe la carpeta {args.carpeta}')
    inicio = time.monotonic()
    calificaciones = calificar_clase(args.carpeta, args.procesos, args.limite)
    segundos = time.monotonic() - inicio
    args.salida.mkdir(parents=True, exist_ok=True)
    escribir_csv(calificaciones, args.salida / 'calificaciones.csv')
    escribir_informe(calificaciones, args.salida / 'informe_calificaciones.md', segundos)
    print(f'{len(calificaciones)} entregas en {segundos:.1f} s '
          f'({60 * len(calificaciones) / max(segundos, 1e-9):.0f} por minuto). '
          f'Resultados en {args.salida / "calificaciones.csv"} y {args.salida / "informe_calificaciones.md"}.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
