"""Genera ``exercises/`` (lo que reciben los estudiantes) a partir de ``solutions/``.

Cada región de solución::

    # BEGIN SOLUCION: pista
    ...código...
    # END SOLUCION

se cambia por un ``TODO`` con la pista. Dentro de una función (región con
sangría) el ``TODO`` lanza ``NotImplementedError``. En el nivel del módulo
solo queda el comentario: así el archivo se sigue importando y cada ejercicio
se califica por separado (una carga del modelo sin hacer no impide calificar
``predict_cliente``). El texto de los ejercicios sale de los docstrings de
las soluciones, que se copian tal cual, y forma ``exercises/LEEME.md``.

    python -m abandono.calificador.ejercicios            # regenera exercises/
    python -m abandono.calificador.ejercicios --comprobar  # solo dice si están al día
"""
import argparse
import ast
import re
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]
SOLUCIONES = RAIZ / 'solutions'
EJERCICIOS = RAIZ / 'exercises'

_INICIO = re.compile(r'^(?P<sangria>\s*)# BEGIN SOLUCION(?::\s*(?P<pista>.*))?$')
_FIN = re.compile(r'^\s*# END SOLUCION$')

_CABECERA_LEEME = """\
# Ejercicios: desplegar el modelo de abandono

Este archivo se genera con `make ejercicios` a partir de `solutions/`; no lo
edites a mano. Completa cada `TODO` de los archivos de esta carpeta, guárdalos
con el mismo nombre en la carpeta de tu entrega y ejecútalos desde una carpeta
que tenga `modelo_trabajo.bin` (lo crea `make modelo`).
"""


class RegionMalFormada(ValueError):
    pass


def a_ejercicio(texto, nombre='archivo'):
    """El texto de una solución con cada región cambiada por su ``TODO``."""
    salida, dentro = [], None
    for numero, linea in enumerate(texto.splitlines(), start=1):
        inicio, fin = _INICIO.match(linea), _FIN.match(linea)
        if inicio:
            if dentro:
                raise RegionMalFormada(f'{nombre}:{numero}: BEGIN SOLUCION dentro de otra región')
            dentro = inicio
            salida.extend(_todo(inicio['sangria'], inicio['pista'] or 'completa este fragmento'))
        elif fin:
            if not dentro:
                raise RegionMalFormada(f'{nombre}:{numero}: END SOLUCION sin BEGIN SOLUCION')
            dentro = None
        elif not dentro:
            salida.append(linea)
    if dentro:
        raise RegionMalFormada(f'{nombre}: falta END SOLUCION')
    return '\n'.join(salida) + '\n'


def _todo(sangria, pista):
    lineas = [f'{sangria}# TODO: {pista}']
    if sangria:
        lineas.append(f"{sangria}raise NotImplementedError({'Falta completar: ' + pista!r})")
    return lineas


def generar(soluciones=SOLUCIONES):
    """{nombre de archivo: contenido} de todo lo que debe haber en ``exercises/``."""
    archivos, leeme = {}, [_CABECERA_LEEME]
    for ruta in sorted(soluciones.glob('*.py')):
        if ruta.name == '__init__.py':
            continue
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
    parser = argparse.ArgumentParser(
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
