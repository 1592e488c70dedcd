"""Comprueba tu trabajo: califica tu carpeta con el mismo calificador que usa tu profesor.

    make comprobar                      # califica mi_trabajo/ (la crea "make empezar")
    make comprobar CARPETA=otra/        # o la carpeta que digas
    python -m abandono.calificador.comprobar [CARPETA]    # lo mismo sin make (Windows)

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

from abandono import entrenamiento
from abandono.ayuda import analizador
from abandono.calificador import caja, referencia as ref
from abandono.calificador.clase import calificar_entrega
from abandono.calificador.diagnostico import mal_puestos
from abandono.calificador.ejercicios import ARCHIVOS, CARPETA_DE_TRABAJO, EJERCICIOS
from abandono.calificador.generador import EJERCICIOS as ESQUELETOS
from abandono.calificador.informes import fila, maximos, visible
from abandono.calificador.juicio import POR_EL_ERROR_DE_ARRIBA
from abandono.integridad import RUTA_MODELO
from abandono.lanzador import RAIZ

CARPETA = RAIZ / CARPETA_DE_TRABAJO


def mostrar(calificacion, segundos, salida=sys.stdout, ejercicios=None, aciertos=False):
    """Escribe la calificación como la lee el estudiante: puntos, un bloque por causa y las notas.

    ``ejercicios``: solo esos (números); por defecto, todos. ``aciertos``: además, cada
    comprobación que ya está bien (las celdas de los cuadernos, justo después de hacerla).
    """
    f = fila(calificacion)
    elegidos = [n for n in EJERCICIOS if ejercicios is None or n in ejercicios]
    # Lo que imprime el código del estudiante llega a los mensajes: sus secuencias de escape, inertes.
    escribir = lambda texto='': print(visible(texto), file=salida)  # noqa: E731
    escribir(f"Calificación de {calificacion['entrega']}/ ({segundos:.0f} s)")
    escribir()
    for n in elegidos:
        escribir(f"  Ejercicio {n} ({EJERCICIOS[n].titulo}): {f[f'ejercicio_{n}']}/{maximos()[n]}")
        for r in calificacion['resultados'] if aciertos else ():
            if r['ejercicio'] == n and r['obtenidos'] == r['puntos']:
                escribir(f"    ✔ {r['descripcion']} ({r['puntos']}/{r['puntos']})")
    if ejercicios is None:
        escribir(f"  Total: {f['total']}/{f['maximo']}")
    if calificacion['error']:
        escribir(f"\nAviso: la calificación no terminó con normalidad ({calificacion['error']}).")
    resultados = [r for r in calificacion['resultados'] if r['ejercicio'] in elegidos]
    fallos = [r for r in resultados if r['obtenidos'] < r['puntos']]
    # Un archivo sin empezar: una línea, no las pistas de cada comprobación, que dicen el código que
    # toca escribir (eso está plegado en los cuadernos, para después de intentarlo).
    sin_empezar = calificacion.get('sin_empezar', ())
    for archivo in sin_empezar:
        suyos = [r for r in fallos if EJERCICIOS[r['ejercicio']].archivo == archivo]
        if suyos:
            numeros = ', '.join(str(n) for n in dict.fromkeys(r['ejercicio'] for r in suyos))
            escribir(f"\n✘ {archivo} sigue como lo copió make empezar: escribe tu código en cada TODO, en orden "
                     f"(cada uno dice qué debe hacer; los cuadernos 04 a 06 te guían) y vuelve a comprobar. "
                     f"(ejercicio {numeros}: {sum(r['obtenidos'] for r in suyos)}/{sum(r['puntos'] for r in suyos)})")
    fallos = [r for r in fallos if EJERCICIOS[r['ejercicio']].archivo not in sin_empezar]
    explicados = {r['causa']: r for r in calificacion['resultados']
                  if r.get('causa') and r['obtenidos'] < r['puntos'] and not r['mensaje'].startswith(POR_EL_ERROR_DE_ARRIBA)}

    def bloque(r):
        escribir(f"\n✘ Ejercicio {r['ejercicio']}, {r['descripcion']} ({r['obtenidos']}/{r['puntos']}):")
        for linea in r['mensaje'].splitlines():
            escribir(f'  {linea}')

    for causa, grupo in _por_causa(fallos):
        primero, dependientes = grupo[0], grupo[1:]
        if causa.startswith('falta ') and not primero['mensaje'].startswith(POR_EL_ERROR_DE_ARRIBA):
            # Un archivo que falta: una línea, con los puntos que se quedan sin comprobar.
            puntos = sum(r['puntos'] for r in grupo)
            numeros = ', '.join(str(n) for n in dict.fromkeys(r['ejercicio'] for r in grupo))
            escribir(f"\n✘ {primero['mensaje']} (ejercicio {numeros}: 0/{puntos})")
            continue
        if not primero['mensaje'].startswith(POR_EL_ERROR_DE_ARRIBA):
            bloque(primero)
        else:
            # El error se explicó en un ejercicio que esta celda no muestra (el 1, para el 3 en el cuaderno
            # 06): se muestra aquí, para que «el error de arriba» esté arriba.
            origen = explicados.get(causa)
            if origen is not None and origen['ejercicio'] not in elegidos:
                bloque(origen)
            dependientes = grupo
        if dependientes:
            escribir(f"\n✘ {POR_EL_ERROR_DE_ARRIBA} ({causa}) (0/{sum(r['puntos'] for r in dependientes)}):")
            for r in dependientes:
                escribir(f"  - Ejercicio {r['ejercicio']}, {r['descripcion']} (0/{r['puntos']})")
    notas = list(dict.fromkeys((r['ejercicio'], n) for r in resultados for n in r.get('notas', [])))
    if notas:
        escribir('\nNotas (no cuestan puntos):')
        for numero, texto in notas:
            escribir(f'  - Ejercicio {numero}: {texto}')
    if all(r['obtenidos'] == r['puntos'] for r in resultados) and resultados and not calificacion['error']:
        escribir('\n¡Todo bien! Tienes todos los puntos.')


def _por_causa(fallos):
    """[(causa, [resultados])] en orden: los que fallan por una misma causa, juntos; los demás, solos."""
    grupos = {}
    for numero, r in enumerate(fallos):
        causa = r.get('causa') or ''
        if not causa and r['mensaje'].startswith(POR_EL_ERROR_DE_ARRIBA):
            causa = r['mensaje'][len(POR_EL_ERROR_DE_ARRIBA) + 2:-1]
        grupos.setdefault(causa or numero, []).append(r)
    return [(causa if isinstance(causa, str) else '', grupo) for causa, grupo in grupos.items()]


def ejercicio(numero, carpeta=CARPETA, salida=sys.stdout):
    """Califica ``carpeta`` y escribe solo el ejercicio ``numero``; devuelve (obtenidos, puntos).

    Para las celdas de comprobación de los cuadernos: la caja ejecuta la carpeta entera
    (cuesta lo mismo), pero el estudiante lee solo lo del ejercicio que acaba de hacer.
    """
    inicio = time.monotonic()
    calificacion = calificar(Path(carpeta))
    mostrar(calificacion, time.monotonic() - inicio, salida, ejercicios={numero})
    return fila(calificacion)[f'ejercicio_{numero}'], maximos()[numero]


def calificar(carpeta):
    """La calificación de ``carpeta`` (un directorio del estudiante), con caja si esta computadora la tiene."""
    if not Path(RUTA_MODELO).exists():
        print('Falta modelo_trabajo.bin: lo entreno (unos segundos; solo la primera vez).')
        entrenamiento.main([])
    with tempfile.TemporaryDirectory(prefix='referencia-') as privada, ThreadPoolExecutor(1) as aparte:
        calificacion = calificar_entrega(carpeta.resolve(), aparte.submit(ref.crear, privada),
                                         aislada=caja.motivo_sin_caja() is None)
    return {**calificacion, 'sin_empezar': sin_empezar(carpeta)}


def sin_empezar(carpeta):
    """Los archivos de ``carpeta`` que siguen como los copió make empezar (su esqueleto de exercises/).

    Da igual el fin de línea, el BOM o los espacios al final de cada línea: el Bloc de notas
    cambia eso al guardar sin que el estudiante haya escrito nada.
    """
    def normalizado(ruta):
        if not ruta.is_file() or ruta.is_symlink() or ruta.stat().st_size > 1024 ** 2:
            return None
        texto = ruta.read_bytes().decode('utf-8', errors='replace').removeprefix('\ufeff')
        return '\n'.join(linea.rstrip() for linea in texto.splitlines()).rstrip()

    return [archivo for archivo in ARCHIVOS
            if (esqueleto := normalizado(ESQUELETOS / archivo)) is not None
            and normalizado(Path(carpeta) / archivo) == esqueleto]


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
    # Un archivo con otro nombre (servicio1.py.txt) se califica como ausente: su línea dice cuál se encontró.
    if not any((args.carpeta / a).is_file() or mal_puestos(args.carpeta, a) for a in ARCHIVOS):
        parser.exit(2, f'{args.carpeta} no tiene ninguno de los archivos de los ejercicios '
                       f'({", ".join(ARCHIVOS)}).\n')
    if caja.motivo_sin_caja():
        print(f'Aviso: tu código se ejecuta SIN aislar ({caja.motivo_sin_caja()}). Es tu propio código en tu '
              'computadora; el puerto 9696 que escribe la lección se desvía a uno libre.\n')
    inicio = time.monotonic()
    calificacion = calificar(args.carpeta)
    mostrar(calificacion, time.monotonic() - inicio)
    return 0


if __name__ == '__main__':
    sys.exit(main())
