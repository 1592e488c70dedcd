"""La forma de los cuadernos: enseñan haciendo, preguntan antes de responder y dejan lo avanzado para el final.

- Cada ejercicio de la lección y cada paso que pide tiene su celda «TU CÓDIGO AQUÍ» (vacía,
  con el objetivo en un comentario), seguida de su comprobación (o de la pregunta que
  responde) y, plegada en Markdown (``<details>``), una solución.
- Las preguntas de la lección van antes de cualquier salida que las responda, con una celda
  para la respuesta del estudiante y, plegada, la del cuaderno.
- Ni OpenBLAS ni AVX-512 antes de los apéndices «Para saber más»; ninguna celda escondida.
- Los parámetros apuntan a la carpeta del estudiante.
"""
import re

import nbformat
import pytest

from abandono.cuadernos.ejecutar import CUADERNOS, cuadernos
from abandono.cuadernos.preparacion import CELDA
from abandono.lanzador import RAIZ

TU_CODIGO = '# TU CÓDIGO AQUÍ: '
RUTAS = cuadernos()
LECCION = [r for r in RUTAS if r.name < '07']          # 01 a 06: la lección, en clase
ANTES_DE_LOS_APENDICES = [r for r in RUTAS if r.name[0].isdigit()]
DE_LOS_APENDICES = re.compile(r'\b(OpenBLAS|AVX|SkylakeX|Haswell|n[úu]cleos?|liblinear)', re.IGNORECASE)
# Las preguntas de la lección: su cuaderno y lo que ninguna salida anterior puede decir todavía.
PREGUNTAS = {
    '¿Cuál es tu resultado?': ('01', ['¿Abandonará?', 'Lo que más baja el riesgo']),
    '¿El resultado es el mismo?': ('02', ['¿Iguales?', 'iguales hasta']),
    '¿Qué mensaje aparece después de que se ejecuta?': ('06', ['Serving Flask app', 'Running on', 'Debug mode',
                                                              'Press CTRL+C']),
}


def _leer(ruta):
    return nbformat.read(ruta, as_version=4)


def _salidas(celda):
    """El texto de las salidas de una celda (sin las imágenes)."""
    return ''.join(o.get('text', '') + ''.join(str(v) for k, v in o.get('data', {}).items() if k.startswith('text/'))
                   for o in celda.get('outputs', []))


def _todo(nb):
    """Fuentes y salidas de todas las celdas, en orden."""
    return [c.source + '\n' + _salidas(c) for c in nb.cells]


def _tu_codigo(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == 'code' and c.source.startswith('# TU CÓDIGO AQUÍ')]


@pytest.mark.parametrize('ruta', RUTAS, ids=lambda r: r.name[:2])
def test_empieza_diciendo_que_ensena_y_termina_con_el_siguiente_paso(ruta):
    nb = _leer(ruta)
    primera = nb.cells[0].source
    assert 'Qué aprenderás' in primera and '**Tiempo:**' in primera
    if ruta.name.startswith('A'):
        assert primera.startswith('# Apéndice') and 'Para saber más' in primera.splitlines()[0]
    assert next(c for c in nb.cells if c.cell_type == 'code').source == CELDA, \
        'la primera celda se edita en abandono/cuadernos/preparacion.py y make cuadernos la copia'
    assert nb.cells[-1].cell_type == 'markdown' and nb.cells[-1].source.startswith('## Para terminar')


@pytest.mark.parametrize('ruta', RUTAS, ids=lambda r: r.name[:2])
def test_ninguna_celda_escondida_y_los_parametros_en_tu_carpeta(ruta):
    """Colab ignora source_hidden: lo que se pliega va en <details>. CARPETA es la del estudiante."""
    nb = _leer(ruta)
    assert [i for i, c in enumerate(nb.cells) if c.metadata.get('jupyter')] == []
    for celda in nb.cells:
        if 'parameters' in celda.metadata.get('tags', []) and 'CARPETA' in celda.source:
            assert re.search(r"^CARPETA = 'mi_trabajo'", celda.source, re.M), celda.source


@pytest.mark.parametrize('ruta', LECCION, ids=lambda r: r.name[:2])
def test_cada_paso_tiene_tu_codigo_su_comprobacion_y_una_solucion_plegada(ruta):
    nb = _leer(ruta)
    celdas = _tu_codigo(nb)
    assert celdas, 'cada cuaderno de la lección pide escribir algo'
    for n, i in enumerate(celdas):
        celda = nb.cells[i]
        # Vacía: el objetivo, en palabras; el código, solo en la solución plegada.
        assert celda.source.startswith(TU_CODIGO) and all(l.startswith('#') for l in celda.source.splitlines())
        siguiente = nb.cells[i + 1]
        comprueba = siguiente.cell_type == 'code' and re.search(r'^\w+ = revisar\.\w+\(', siguiente.source, re.M)
        assert comprueba or siguiente.source.startswith('**Pregunta:**'), siguiente.source
        hasta = celdas[n + 1] if n + 1 < len(celdas) else len(nb.cells)
        plegadas = [c.source for c in nb.cells[i + 1:hasta] if c.cell_type == 'markdown' and '<details>' in c.source]
        assert plegadas and re.search(r'```python\n.+?```', plegadas[0], re.DOTALL), 'falta la solución plegada'


def test_cada_ejercicio_de_la_leccion_se_escribe_y_se_comprueba():
    """Los ejercicios 1 a 4 de la lección: en 04, 05 y 06, con su celda y el calificador."""
    calificados = {}
    for ruta in LECCION:
        for celda in _leer(ruta).cells:
            for numeros in re.findall(r'revisar\.ejercicios\(([\d, ]+)', celda.source):
                for numero in re.findall(r'\d+', numeros):
                    calificados.setdefault(int(numero), []).append(ruta.name[:2])
    assert calificados == {1: ['04'], 2: ['05'], 3: ['06'], 4: ['06']}


@pytest.mark.parametrize('pregunta', PREGUNTAS, ids=lambda p: PREGUNTAS[p][0])
def test_cada_pregunta_va_antes_que_su_respuesta(pregunta):
    donde, respuestas = PREGUNTAS[pregunta]
    (ruta,) = CUADERNOS.glob(f'{donde}_*.ipynb')
    nb = _leer(ruta)
    (i,) = [i for i, c in enumerate(nb.cells) if c.cell_type == 'markdown' and f'**Pregunta:** {pregunta}' in c.source]
    # Detrás, la celda para tu respuesta y, plegada, la del cuaderno.
    assert nb.cells[i + 1].source.startswith('**Tu respuesta:**')
    assert nb.cells[i + 2].source.startswith('<details><summary>Respuesta</summary>')
    antes = [t for r in RUTAS if r.name < ruta.name for t in _todo(_leer(r))] + [_salidas(c) for c in nb.cells[:i]]
    for respuesta in respuestas:
        assert not any(respuesta in t for t in antes), f'{respuesta!r} aparece antes de preguntar {pregunta}'
    assert any(respuesta in t for t in _todo(nb)[i:] for respuesta in respuestas), 'la respuesta no aparece después'


def test_nada_de_openblas_antes_de_los_apendices():
    """La convergencia y los núcleos de OpenBLAS son del apéndice A1; «núcleo» no significa otra cosa."""
    encontrado = [(r.name[:2], m.group()) for r in ANTES_DE_LOS_APENDICES for t in _todo(_leer(r))
                  for m in DE_LOS_APENDICES.finditer(t)]
    assert encontrado == []
    assert DE_LOS_APENDICES.search(''.join(_todo(_leer(next(r for r in RUTAS if r.name.startswith('A1'))))))


def test_los_ejercicios_remiten_a_archivos_que_existen():
    for ruta in RUTAS:
        for archivo in re.findall(r'exercises/([\w.]+\.py)', '\n'.join(c.source for c in _leer(ruta).cells)):
            assert (RAIZ / 'exercises' / archivo).exists(), f'{ruta.name} remite a exercises/{archivo}, que no existe'
