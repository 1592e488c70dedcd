"""Comprueba tu trabajo: califica tu carpeta con el mismo calificador que usa tu profesor.

    make comprobar                      # califica mi_trabajo/ (la crea "make empezar")
    make comprobar CARPETA=otra/        # o la carpeta que digas

Muestra los puntos de cada ejercicio y, para cada fallo, qué se esperaba, qué
se obtuvo y una pista. Tu código corre en una caja aislada; si esta
computadora no puede crearla (macOS, Windows, un Linux sin bubblewrap), corre
sin aislar, porque es tu propio código en tu propia computadora, y lo avisa.
"""
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from abandono.ayuda import analizador
from abandono.calificador import caja, referencia as ref
from abandono.calificador.clase import calificar_entrega
from abandono.calificador.ejercicios import ARCHIVOS, EJERCICIOS
from abandono.calificador.informes import fila, maximos, visible
from abandono.lanzador import RAIZ

CARPETA = RAIZ / 'mi_trabajo'


def mostrar(calificacion, segundos, salida=sys.stdout):
    f = fila(calificacion)
    # Lo que imprime el código del estudiante llega a los mensajes: sus secuencias de escape, inertes.
    escribir = lambda texto='': print(visible(texto), file=salida)  # noqa: E731
    escribir(f"Calificación de {calificacion['entrega']}/ ({segundos:.0f} s)")
    escribir()
    for n, e in EJERCICIOS.items():
        escribir(f"  Ejercicio {n} ({e.titulo}): {f[f'ejercicio_{n}']}/{maximos()[n]}")
    escribir(f"  Total: {f['total']}/{f['maximo']}")
    if calificacion['error']:
        escribir(f"\nAviso: la calificación no terminó con normalidad ({calificacion['error']}).")
    for r in calificacion['resultados']:
        if r['obtenidos'] < r['puntos']:
            escribir(f"\n✘ Ejercicio {r['ejercicio']}, {r['descripcion']} ({r['obtenidos']}/{r['puntos']}):")
            for linea in r['mensaje'].splitlines():
                escribir(f'  {linea}')
    if f['total'] == f['maximo']:
        escribir('\n¡Todo bien! Tienes todos los puntos.')


def main(argv=None):
    parser = analizador(description='Califica tu carpeta de ejercicios y te dice qué corregir.')
    parser.add_argument('carpeta', type=Path, nargs='?', default=CARPETA,
                        help='tu carpeta (por defecto mi_trabajo/)')
    args = parser.parse_args(argv)
    if not args.carpeta.is_dir():
        if args.carpeta == CARPETA:
            parser.exit(2, 'No existe mi_trabajo/. Créala con "make empezar" (copia los ejercicios) '
                           'y vuelve a probar.\n')
        parser.exit(2, f'No existe la carpeta {args.carpeta}.\n')
    if not any((args.carpeta / a).is_file() for a in ARCHIVOS):
        parser.exit(2, f'{args.carpeta} no tiene ninguno de los archivos de los ejercicios '
                       f'({", ".join(ARCHIVOS)}).\n')
    aislada = caja.motivo_sin_caja() is None
    if not aislada:
        print(f'Aviso: tu código se ejecuta SIN aislar ({caja.motivo_sin_caja()}). Es tu propio código en tu '
              'computadora; el puerto 9696 que escribe la lección se desvía a uno libre.\n')
    inicio = time.monotonic()
    with tempfile.TemporaryDirectory(prefix='referencia-') as privada, ThreadPoolExecutor(1) as aparte:
        calificacion = calificar_entrega(args.carpeta.resolve(), aparte.submit(ref.crear, privada), aislada=aislada)
    mostrar(calificacion, time.monotonic() - inicio)
    return 0


if __name__ == '__main__':
    sys.exit(main())
