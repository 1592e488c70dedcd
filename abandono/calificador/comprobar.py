"""Comprueba tu trabajo: califica tu carpeta con el mismo calificador que usa tu profesor.

    make comprobar                      # califica mi_trabajo/ (la crea "make empezar")
    make comprobar CARPETA=otra/        # o la carpeta que digas
    python -m abandono.calificador.comprobar [CARPETA]    # lo mismo sin make (Windows)

Muestra los puntos de cada ejercicio y, para cada fallo, qué se esperaba, qué
se obtuvo y una pista. Tu código corre en una caja aislada; si esta
computadora no puede crearla (macOS, Windows, un Linux sin bubblewrap), corre
sin aislar, porque es tu propio código en tu propia computadora, y lo avisa.
"""
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from abandono import entrenamiento
from abandono.ayuda import analizador
from abandono.calificador import caja, referencia as ref
from abandono.calificador.clase import calificar_entrega
from abandono.calificador.diagnostico import mal_puestos
from abandono.calificador.ejercicios import ARCHIVOS, EJERCICIOS
from abandono.calificador.informes import fila, maximos, visible
from abandono.calificador.juicio import POR_EL_ERROR_DE_ARRIBA
from abandono.integridad import RUTA_MODELO
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
    fallos = [r for r in calificacion['resultados'] if r['obtenidos'] < r['puntos']]
    # Lo que solo falló por un error ya explicado arriba va junto, en un bloque por causa.
    por_arriba = {}
    for r in fallos:
        if r['mensaje'].startswith(POR_EL_ERROR_DE_ARRIBA):
            por_arriba.setdefault(r['mensaje'], []).append(r)
            continue
        escribir(f"\n✘ Ejercicio {r['ejercicio']}, {r['descripcion']} ({r['obtenidos']}/{r['puntos']}):")
        for linea in r['mensaje'].splitlines():
            escribir(f'  {linea}')
    for mensaje, dependientes in por_arriba.items():
        puntos = sum(r['puntos'] for r in dependientes)
        escribir(f'\n✘ {mensaje} (0/{puntos}):')
        for r in dependientes:
            escribir(f"  - Ejercicio {r['ejercicio']}, {r['descripcion']} (0/{r['puntos']})")
    if f['total'] == f['maximo']:
        escribir('\n¡Todo bien! Tienes todos los puntos.')


def no_califico(carpeta, mal):
    """Por qué no se califica una carpeta con archivos de otro nombre o en otro lugar, y qué hacer."""
    lineas = ['No califico todavía: estos archivos no están donde la lección (y tu profesor) los busca.']
    carpeta = Path(os.path.relpath(carpeta)) if Path.cwd() in Path(carpeta).resolve().parents else carpeta
    for archivo, ruta in mal.items():
        verbo = 'muévelo' if '/' in ruta else 'renómbralo'
        lineas.append(f'  encontré {carpeta / ruta}: {verbo} a {carpeta / archivo}')
    lineas += ['Python distingue mayúsculas (import servicio1 no encuentra Servicio1.py) y la calificación de tu',
               'profesor ejecuta cada archivo con su nombre exacto, en tu carpeta: con otro nombre o en otra',
               'carpeta perderías sus puntos, así que una nota de aquí no sería la tuya. Corrígelo y vuelve a',
               'ejecutar make comprobar.']
    return '\n'.join(lineas) + '\n'


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
    mal = {a: r[0] for a in ARCHIVOS if not (args.carpeta / a).is_file() and (r := mal_puestos(args.carpeta, a))}
    if mal:
        parser.exit(2, no_califico(args.carpeta, mal))
    if not any((args.carpeta / a).is_file() for a in ARCHIVOS):
        parser.exit(2, f'{args.carpeta} no tiene ninguno de los archivos de los ejercicios '
                       f'({", ".join(ARCHIVOS)}).\n')
    if not Path(RUTA_MODELO).exists():
        print('Falta modelo_trabajo.bin: lo entreno (unos segundos; solo la primera vez).')
        entrenamiento.main([])
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
