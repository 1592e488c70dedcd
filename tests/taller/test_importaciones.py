"""Quién importa a quién: sin ciclos, y el calificador con la frontera que dice el README.

Se leen las importaciones del código (``abandono/``, ``bench/``,
``solutions/`` y los ``.py`` de la raíz) con ``ast``, también las que van
dentro de una función: un ciclo que solo se cierra al llamar a algo sigue
siendo un ciclo.
"""
import ast
import re

from abandono.taller import RAIZ

CALIFICADOR = 'abandono.calificador'


def _modulos():
    """{nombre del módulo: su archivo} del código del taller."""
    archivos = [*RAIZ.glob('abandono/**/*.py'), *RAIZ.glob('bench/*.py'), *RAIZ.glob('solutions/*.py'),
                *RAIZ.glob('*.py')]
    modulos = {}
    for archivo in archivos:
        partes = archivo.relative_to(RAIZ).with_suffix('').parts
        if partes[-1] == '__init__':
            partes = partes[:-1]
        modulos['.'.join(partes)] = archivo
    return modulos


MODULOS = _modulos()


def _importa(nombre, archivo):
    """Los módulos del taller que importa ``nombre`` (``from paquete import módulo`` cuenta como el módulo)."""
    importados = set()
    for nodo in ast.walk(ast.parse(archivo.read_text(encoding='utf-8'))):
        if isinstance(nodo, ast.Import):
            importados.update(alias.name for alias in nodo.names)
        elif isinstance(nodo, ast.ImportFrom):
            assert nodo.level == 0, f'{archivo}: el taller importa con rutas absolutas (from abandono...)'
            importados.add(nodo.module)
            importados.update(f'{nodo.module}.{alias.name}' for alias in nodo.names)
    # Importar un submódulo importa su paquete, que aquí no importa nada: no se cuenta.
    return {m for m in importados if m in MODULOS and m != nombre and not nombre.startswith(f'{m}.')}


GRAFO = {nombre: _importa(nombre, archivo) for nombre, archivo in MODULOS.items()}


def _ciclos(grafo):
    """Los grupos de módulos que se importan en círculo (componentes fuertemente conexas de más de uno)."""
    indice, bajo, pila, en_pila, grupos = {}, {}, [], set(), []

    def visitar(v):
        indice[v] = bajo[v] = len(indice)
        pila.append(v)
        en_pila.add(v)
        for w in sorted(grafo[v]):
            if w not in indice:
                visitar(w)
                bajo[v] = min(bajo[v], bajo[w])
            elif w in en_pila:
                bajo[v] = min(bajo[v], indice[w])
        if bajo[v] == indice[v]:
            grupo = []
            while True:
                w = pila.pop()
                en_pila.discard(w)
                grupo.append(w)
                if w == v:
                    break
            if len(grupo) > 1:
                grupos.append(sorted(grupo))

    for v in sorted(grafo):
        if v not in indice:
            visitar(v)
    return grupos


def test_ningun_modulo_importa_a_uno_que_lo_importa():
    ciclos = _ciclos(GRAFO)
    assert not ciclos, 'Módulos que se importan en círculo:\n' + '\n'.join(
        '  ' + ' ⇄ '.join(grupo) for grupo in ciclos)


def test_un_ciclo_se_detecta():
    assert _ciclos({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c']]
    assert _ciclos({'a': {'b'}, 'b': set()}) == []


def _del_calificador(nombre):
    return nombre == CALIFICADOR or nombre.startswith(f'{CALIFICADOR}.')


# Lo único de fuera que lo usa: las celdas de los cuadernos que comprueban tus archivos, por comprobar.py
# (lo mismo que make comprobar). bench/, make y las pruebas lo ejecutan como programa o complemento de pytest.
DE_FUERA = {'abandono.cuadernos.revisar': {'abandono.calificador', 'abandono.calificador.caja', 'abandono.calificador.comprobar',
                                           'abandono.calificador.informes'}}


def test_fuera_del_calificador_solo_lo_usan_las_celdas_que_comprueban():
    quienes = {n: {m for m in importados if _del_calificador(m)} for n, importados in GRAFO.items()
               if not _del_calificador(n) and any(_del_calificador(m) for m in importados)}
    assert quienes == DE_FUERA, f'Importan {CALIFICADOR} desde fuera: {quienes}'
    mapa = (RAIZ / 'README.md').read_text(encoding='utf-8')
    assert all(f"{n.removeprefix('abandono.').replace('.', '/')}.py" in mapa for n in DE_FUERA), \
        'el mapa del README no dice quién usa el calificador desde fuera'


def test_lo_que_el_calificador_importa_del_taller_es_lo_que_dice_el_readme():
    importa = {m.removeprefix('abandono.') for n, importados in GRAFO.items() if _del_calificador(n)
               for m in importados if not _del_calificador(m)}
    mapa = (RAIZ / 'README.md').read_text(encoding='utf-8')
    frase = re.search(r'de abandono/ solo importa (.+?);', mapa, re.S)
    assert frase, 'el mapa del README ya no dice qué importa el calificador de abandono/'
    dice = set(re.findall(r'\w+', frase[1].replace(' y ', ', '))) - {'y'}
    assert dice == importa, f'el README dice {sorted(dice)} y el calificador importa {sorted(importa)}'
