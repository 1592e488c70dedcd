"""Los textos del taller solo nombran archivos que existen.

Docstrings y comentarios del código, comentarios de la configuración
(Makefile, Dockerfile, YAML, nginx...) y la documentación en Markdown (la de
los cuadernos incluida): cada ruta que empieza por una carpeta del taller
(``tests/servicio/test_lentos.py``, ``docs/modelo.md``) y cada módulo de
pruebas nombrado a secas (``test_lentos.py``) debe existir. Una ruta con un
hueco (``test_ejercicio<n>.py``, ``k8s/*.yaml``) es un patrón y no se comprueba.
"""
import ast
import io
import json
import re
import tokenize
from pathlib import PurePosixPath

from abandono.taller import RAIZ, archivos

ARCHIVOS = archivos()
EXISTEN = set(ARCHIVOS) | {str(p) for r in ARCHIVOS for p in PurePosixPath(r).parents}
NOMBRES = {PurePosixPath(r).name for r in ARCHIVOS}
CARPETAS = sorted({r.split('/')[0] for r in ARCHIVOS if '/' in r})

# Una ruta que empieza por una carpeta del taller; detrás, ni un hueco ni más ruta.
RUTA = re.compile(r'(?<![\w./-])((?:%s)/[\w./-]*?)(?=[.,:;)]*(?:[^\w./<{*\[…-]|$))' % '|'.join(map(re.escape, CARPETAS)))
# Un módulo de pruebas nombrado a secas.
PRUEBA = re.compile(r'(?<![\w./<-])(test_\w+\.py)\b(?![<{*])')
# Una línea que termina en «carpeta/» y sigue con un nombre de archivo: la ruta se partió ahí.
PARTIDA = re.compile(r'(?<=[\w-]/)\n[ \t]*(?:#[ \t]*)?(?=[\w-]+\.\w)')
# Los que se nombran porque aún no existen: la receta de un ejercicio nuevo dice cómo se llamará.
POR_CREAR = {'tests/ejercicios/test_ejercicio5.py'}


def _comentarios_y_docstrings(texto):
    """(línea, texto) de cada bloque de comentarios seguidos y de cada docstring de un archivo de Python."""
    bloque, inicio, anterior = [], 0, -1
    for token in tokenize.generate_tokens(io.StringIO(texto).readline):
        if token.type != tokenize.COMMENT:
            continue
        if token.start[0] != anterior + 1 and bloque:
            yield inicio, '\n'.join(bloque)
            bloque = []
        if not bloque:
            inicio = token.start[0]
        bloque.append(token.string)
        anterior = token.start[0]
    if bloque:
        yield inicio, '\n'.join(bloque)
    for nodo in ast.walk(ast.parse(texto)):
        if isinstance(nodo, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            docstring = ast.get_docstring(nodo, clean=False)
            if docstring:
                yield nodo.body[0].lineno, docstring


def _textos():
    """(lugar, texto) de cada texto que lee una persona."""
    for ruta in ARCHIVOS:
        nombre = PurePosixPath(ruta).name
        if ruta.endswith('.py'):
            for linea, texto in _comentarios_y_docstrings((RAIZ / ruta).read_text(encoding='utf-8')):
                yield f'{ruta}:{linea}', texto
        elif ruta.endswith('.md'):
            yield ruta, (RAIZ / ruta).read_text(encoding='utf-8')
        elif ruta.endswith('.ipynb'):
            celdas = json.loads((RAIZ / ruta).read_text(encoding='utf-8'))['cells']
            for i, celda in enumerate(celdas, 1):
                if celda['cell_type'] == 'markdown':
                    yield f'{ruta} (celda {i})', ''.join(celda['source'])
        elif nombre in ('Makefile', 'Dockerfile', '.dockerignore', '.gitignore') or nombre.endswith(
                ('.yaml', '.yml', '.conf', '.cfg', '.toml', '.in', '.txt')):
            comentarios = [linea for linea in (RAIZ / ruta).read_text(encoding='utf-8').splitlines()
                           if linea.lstrip().startswith('#')]
            yield ruta, '\n'.join(comentarios)


def _que_faltan(texto):
    texto = PARTIDA.sub('', texto)
    rutas = {m.rstrip('/.') for m in RUTA.findall(texto)}
    faltan = sorted(r for r in rutas if r and r not in EXISTEN | POR_CREAR)
    return faltan + sorted({p for p in PRUEBA.findall(texto) if p not in NOMBRES})


def test_cada_archivo_que_nombra_un_texto_existe():
    rotas = [f'  {lugar}: {", ".join(faltan)}' for lugar, texto in _textos() if (faltan := _que_faltan(texto))]
    assert not rotas, 'Estos textos nombran archivos que no existen:\n' + '\n'.join(rotas)


def test_reconoce_una_ruta_partida_en_dos_lineas_y_se_salta_los_patrones():
    assert _que_faltan('# los clientes normales (tests/despliegue/\n# test_lentos_a_escala.py), y') == [
        'tests/despliegue/test_lentos_a_escala.py']
    assert _que_faltan('ver test_que_no_existe.py y docs/nada.md.') == ['docs/nada.md', 'test_que_no_existe.py']
    assert _que_faltan('tests/ejercicios/test_ejercicio<n>.py, despliegue/k8s/*.yaml, tests/servicio/test_lentos.py') == []
