"""Un solo registro en lo que lee el estudiante: el de la lección («tú», «computadora»).

Se buscan las formas de España («vosotros», «os», «vuestra», «ordenador») en el texto de
los cuadernos (markdown, comentarios, textos del código y salidas guardadas), en el
README y en los mensajes de los módulos que usan los cuadernos.
"""
import io
import re
import tokenize

import nbformat
import pytest

from abandono.cuaderno import CUADERNOS, RAIZ

# «os» sin el módulo de Python (``import os``, ``os.system``).
OTRO_REGISTRO = re.compile(r'\b(vosotr[oa]s|(?<!import )os(?!\.)|vuestr[oa]s?|ordenador(es)?|tenéis|podéis|queréis)\b',
                           re.IGNORECASE)
MODULOS = ['abandono/cuaderno.py', 'abandono/redireccion.py']


def prosa_de_codigo(codigo):
    """Los comentarios y los textos de un programa (sin las líneas mágicas de IPython)."""
    limpio = '\n'.join('' if l.lstrip().startswith(('!', '%')) else l for l in codigo.splitlines())
    return [t.string for t in tokenize.generate_tokens(io.StringIO(limpio).readline)
            if t.type in (tokenize.COMMENT, tokenize.STRING)]


def textos_del_cuaderno(ruta):
    nb = nbformat.read(ruta, as_version=4)
    for celda in nb.cells:
        if celda.cell_type == 'markdown':
            yield celda.source
            continue
        yield from prosa_de_codigo(celda.source)
        for salida in celda.get('outputs', []):
            yield salida.get('text', '') + salida.get('data', {}).get('text/plain', '')


@pytest.mark.parametrize('ruta', sorted(CUADERNOS.glob('[0-9][0-9]_*.ipynb')), ids=lambda r: r.name[:2])
def test_cuadernos(ruta):
    assert [m.group() for t in textos_del_cuaderno(ruta) for m in OTRO_REGISTRO.finditer(t)] == []


@pytest.mark.parametrize('ruta', [RAIZ / 'README.md', *sorted((RAIZ / 'docs').glob('*.md'))], ids=lambda r: r.name)
def test_readme_y_docs(ruta):
    texto = ruta.read_text(encoding='utf-8')
    assert [(m.group(), texto[:m.start()].count('\n') + 1) for m in OTRO_REGISTRO.finditer(texto)] == []


@pytest.mark.parametrize('modulo', MODULOS)
def test_mensajes_de_los_modulos(modulo):
    textos = prosa_de_codigo((RAIZ / modulo).read_text(encoding='utf-8'))
    assert [m.group() for t in textos for m in OTRO_REGISTRO.finditer(t)] == []


def test_detecta_el_otro_registro():
    """La búsqueda encuentra lo que busca (si no, las pruebas de arriba no probarían nada)."""
    assert prosa_de_codigo("import os\nx = 1  # os lo explico\nprint('tu ordenador')\n") == [
        '# os lo explico', "'tu ordenador'"]
    assert [m.group() for m in OTRO_REGISTRO.finditer('Os dio vuestra copia, os.system')] == ['Os', 'vuestra']
    assert not OTRO_REGISTRO.search('los osos, costos; import os; os.environ')
