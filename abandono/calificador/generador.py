"""Genera ``exercises/`` (lo que reciben los estudiantes) a partir de ``solutions/``.

Cada región de solución::

    # BEGIN SOLUCION: pista
    ...código...
    # END SOLUCION

se cambia por un ``TODO`` con la pista. Dentro de una función el ``TODO``
lanza ``NotImplementedError``. Fuera de funciones (el nivel del módulo, el
bloque ``if __name__ == '__main__':``) queda el comentario y, si hace falta
para que el bloque no quede vacío, un ``pass``: así el archivo se importa y
se ejecuta entero, y cada ejercicio se califica por separado (una carga del
modelo sin hacer no impide calificar ``predict_cliente``, ni un ejercicio 3
sin hacer impide que el script del ejercicio 1 imprima su probabilidad). El
texto de los ejercicios sale de los docstrings de las soluciones, que se
copian tal cual, y forma ``exercises/LEEME.md``.

    python -m abandono.calificador.generador              # regenera exercises/
    python -m abandono.calificador.generador --comprobar  # solo dice si están al día
"""
import ast
import re
import sys

from abandono.ayuda import analizador
from abandono.calificador.ejercicios import EJERCICIOS as TABLA
from abandono.lanzador import RAIZ

SOLUCIONES = RAIZ / 'solutions'
EJERCICIOS = RAIZ / 'exercises'

_INICIO = re.compile(r'^(?P<sangria>\s*)# BEGIN SOLUCION(?::\s*(?P<pista>.*))?$')
_FIN = re.compile(r'^\s*# END SOLUCION$')

_CABECERA_LEEME = """\
# Ejercicios: desplegar el modelo de abandono

Este archivo se genera con `make ejercicios` a partir de `solutions/`; no lo
edites a mano. Empieza tu copia con `make empezar` (crea `mi_trabajo/`). Cada
`TODO` de tus archivos dice qué debe hacer el código que falta; los cuadernos
04 a 06 te guían por cada ejercicio, lo comprueban y, plegada, tienen una
solución. `make comprobar` califica tu carpeta entera: te da los puntos de cada
ejercicio y, para cada fallo, qué se esperaba, qué se obtuvo y una pista.

Ejecuta tus scripts desde la raíz del taller, donde está `modelo_trabajo.bin`
(lo crea `make modelo`): `python mi_trabajo/servicio1.py`.
"""


class RegionMalFormada(ValueError):
    pass


def a_ejercicio(texto, nombre='archivo'):
    """El texto de una solución con cada región cambiada por su ``TODO``."""
    salida, dentro, cabeceras = [], None, []
    for numero, linea in enumerate(texto.splitlines(), start=1):
        inicio, fin = _INICIO.match(linea), _FIN.match(linea)
        if inicio:
            if dentro:
                raise RegionMalFormada(f'{nombre}:{numero}: BEGIN SOLUCION dentro de otra región')
            dentro = inicio
            sangria = inicio['sangria']
            en_funcion = any(c.lstrip().startswith(('def ', 'async def ')) for s, c in cabeceras if s < len(sangria))
            salida.extend(_todo(sangria, inicio['pista'] or 'completa este fragmento', en_funcion))
        elif fin:
            if not dentro:
                raise RegionMalFormada(f'{nombre}:{numero}: END SOLUCION sin BEGIN SOLUCION')
            dentro = None
        elif not dentro:
            salida.append(linea)
            if linea.strip() and not linea.lstrip().startswith('#'):
                # Las cabeceras de bloque que siguen abiertas en esta línea: (sangría, texto).
                sangria = len(linea) - len(linea.lstrip())
                cabeceras = [(s, c) for s, c in cabeceras if s < sangria] + [(sangria, linea)]
    if dentro:
        raise RegionMalFormada(f'{nombre}: falta END SOLUCION')
    return _sin_pass_de_sobra(salida)


def _todo(sangria, pista, en_funcion):
    lineas = [f'{sangria}# TODO: {pista}']
    if en_funcion:
        lineas.append(f"{sangria}raise NotImplementedError({'Falta completar: ' + pista!r})")
    elif sangria:
        lineas.append(f'{sangria}pass')
    return lineas


def _sin_pass_de_sobra(lineas):
    """Quita cada ``pass`` de un TODO que no haga falta para que el bloque siga siendo válido."""
    indice = 1
    while indice < len(lineas):
        if lineas[indice].strip() == 'pass' and lineas[indice - 1].lstrip().startswith('# TODO'):
            sin = lineas[:indice] + lineas[indice + 1:]
            try:
                ast.parse('\n'.join(sin))
                lineas = sin
                continue
            except SyntaxError:
                pass
        indice += 1
    return '\n'.join(lineas) + '\n'


def _en_orden_de_ejercicio(rutas, tabla=TABLA):
    """Las soluciones en el orden de su primer ejercicio (servicio1.py, el 1; flask_test.py, el 2...)."""
    primero = {}
    for numero in sorted(tabla):
        primero.setdefault(tabla[numero].archivo, numero)
    return sorted(rutas, key=lambda r: (primero.get(r.name, len(tabla) + 1), r.name))


def generar(soluciones=SOLUCIONES, tabla=TABLA):
    """{nombre de archivo: contenido} de todo lo que debe haber en ``exercises/``."""
    archivos, leeme = {}, [_CABECERA_LEEME]
    for ruta in _en_orden_de_ejercicio(soluciones.glob('*.py'), tabla):
        texto = ruta.read_text(encoding='utf-8')
        archivos[ruta.name] = a_ejercicio(texto, ruta.name)
        # La primera línea del docstring ("servicio1.py: ejercicios 1 y 3 ...") es el título.
        titulo, _, enunciado = (ast.get_docstring(ast.parse(texto)) or ruta.name).partition('\n')
        leeme.append(f'## {titulo}\n\n{enunciado.strip()}\n')
    archivos['LEEME.md'] = '\n'.join(leeme)
    return archivos


def diferencias(destino=EJERCICIOS, soluciones=SOLUCIONES):
    """Los nombres de archivo de ``destino`` que no coinciden con lo generado."""
    esperado = generar(soluciones)
    presentes = {r.name for r in destino.glob('*') if r.is_file()} if destino.is_dir() else set()
    return sorted(
        nombre for nombre in esperado.keys() | presentes
        if nombre not in presentes or nombre not in esperado
        or (destino / nombre).read_text(encoding='utf-8') != esperado[nombre])


def escribir(destino=EJERCICIOS, soluciones=SOLUCIONES):
    destino.mkdir(exist_ok=True)
    esperado = generar(soluciones)
    for ruta in destino.glob('*'):
        if ruta.is_file() and ruta.name not in esperado:
            ruta.unlink()
    for nombre, contenido in esperado.items():
        (destino / nombre).write_text(contenido, encoding='utf-8')
    return sorted(esperado)


def main(argv=None):
    parser = analizador(
        description='Genera exercises/ a partir de las regiones de solución de solutions/.')
    parser.add_argument('--comprobar', action='store_true',
                        help='no escribe nada: termina con error si exercises/ no está al día')
    args = parser.parse_args(argv)
    if args.comprobar:
        distintos = diferencias()
        if distintos:
            print('exercises/ no coincide con solutions/ en: ' + ', '.join(distintos)
                  + '. Regenéralo con "make ejercicios".', file=sys.stderr)
            return 1
        print('exercises/ está al día.')
        return 0
    nombres = escribir()
    print(f'exercises/ regenerado: {", ".join(nombres)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
