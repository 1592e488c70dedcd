"""Un solo registro en lo que lee el estudiante: el de la lección («tú», «computadora», «comando»).

Se buscan las formas de España («vosotros», «os», «vuestra», «ordenador») en el texto de
los cuadernos (markdown, comentarios, textos del código y salidas guardadas), en el
README y en los mensajes de los módulos que usan los cuadernos. En lo que escriben los
cuadernos y sus módulos (no en las salidas de otros programas), también los usos de España
que la guía del taller nombra: «la orden» por comando, «colar», «pisar», «apuntar» por
anotar, «vale», «coger», «fichero».
"""
import io
import re
import tokenize

import nbformat
import pytest

from abandono.cuadernos.ejecutar import cuadernos
from abandono.lanzador import RAIZ

# «os» sin el módulo de Python (``import os``, ``os.system``).
OTRO_REGISTRO = re.compile(r'\b(vosotr[oa]s|(?<!import )os(?!\.)|vuestr[oa]s?|ordenador(es)?|tenéis|podéis|queréis)\b',
                           re.IGNORECASE)
# Los usos de España con otra palabra en la lección: comando, meter, sobrescribir, anotar, de acuerdo, tomar,
# archivo. «Vale» solo como interjección («vale,», «¿vale?»): «no vale» o «vale 0.06» son de todas partes.
DE_ESPANA = re.compile(r'\b((la|una|esta|esa|cada|otra|su|tu|de la) orden|órdenes|col(ar|ó|aba|arse)|cuela|'
                       r'pis(ar|a|e|ó|ando|ado)|(lo|la|los|las) apunta\w*|cog(er|e|ió|iendo)|ficheros?)\b'
                       r'|(?:^|(?<=[.!?¿¡] )|(?<=[¿¡]))vale(?=[,!?.])', re.IGNORECASE | re.MULTILINE)
MODULOS = [*(f'abandono/cuadernos/{m.name}' for m in sorted((RAIZ / 'abandono' / 'cuadernos').glob('*.py'))),
           'abandono/redireccion.py', 'abandono/lanzador.py', 'abandono/empezar.py']


def prosa_de_codigo(codigo):
    """Los comentarios y los textos de un programa (sin las líneas mágicas de IPython)."""
    limpio = '\n'.join('' if l.lstrip().startswith(('!', '%')) else l for l in codigo.splitlines())
    return [t.string for t in tokenize.generate_tokens(io.StringIO(limpio).readline)
            if t.type in (tokenize.COMMENT, tokenize.STRING)]


def textos_del_cuaderno(ruta, salidas=True):
    nb = nbformat.read(ruta, as_version=4)
    for celda in nb.cells:
        if celda.cell_type == 'markdown':
            yield celda.source
            continue
        yield from prosa_de_codigo(celda.source)
        for salida in celda.get('outputs', []) if salidas else []:
            yield salida.get('text', '') + salida.get('data', {}).get('text/plain', '')


@pytest.mark.parametrize('ruta', cuadernos(), ids=lambda r: r.name[:2])
def test_cuadernos(ruta):
    assert [m.group() for t in textos_del_cuaderno(ruta) for m in OTRO_REGISTRO.finditer(t)] == []
    assert [m.group() for t in textos_del_cuaderno(ruta, salidas=False) for m in DE_ESPANA.finditer(t)] == []


@pytest.mark.parametrize('ruta', [RAIZ / 'README.md', *sorted((RAIZ / 'docs').glob('*.md'))], ids=lambda r: r.name)
def test_readme_y_docs(ruta):
    texto = ruta.read_text(encoding='utf-8')
    assert [(m.group(), texto[:m.start()].count('\n') + 1) for m in OTRO_REGISTRO.finditer(texto)] == []


@pytest.mark.parametrize('modulo', MODULOS)
def test_mensajes_de_los_modulos(modulo):
    textos = prosa_de_codigo((RAIZ / modulo).read_text(encoding='utf-8'))
    assert [m.group() for t in textos for m in OTRO_REGISTRO.finditer(t)] == []
    assert [m.group() for t in textos for m in DE_ESPANA.finditer(t)] == []


def test_docs_de_los_cuadernos_y_el_camino_del_estudiante():
    """docs/cuadernos.md entero y, del README, lo que lee el estudiante (hasta «Si eres docente»)."""
    textos = [(RAIZ / 'docs' / 'cuadernos.md').read_text(encoding='utf-8'),
              (RAIZ / 'README.md').read_text(encoding='utf-8').split('**Si eres docente**')[0],
              (RAIZ / 'README.md').read_text(encoding='utf-8').split('## Sin make (Windows)')[1]]
    assert [m.group() for t in textos for m in DE_ESPANA.finditer(t)] == []


def test_detecta_el_otro_registro():
    """La búsqueda encuentra lo que busca (si no, las pruebas de arriba no probarían nada)."""
    assert [m.group() for m in DE_ESPANA.finditer(
        'Escribe la orden; no pise el fichero, cuela un pickle y lo apuntas, ¿vale? El orden de las sumas: '
        'un valor que no vale, otro que sí. Vale, coge el modelo')] == ['la orden', 'pise', 'fichero', 'cuela', 'lo apuntas', 'vale',
                                                    'Vale', 'coge']
    assert prosa_de_codigo("import os\nx = 1  # os lo explico\nprint('tu ordenador')\n") == [
        '# os lo explico', "'tu ordenador'"]
    assert [m.group() for m in OTRO_REGISTRO.finditer('Os dio vuestra copia, os.system')] == ['Os', 'vuestra']
    assert not OTRO_REGISTRO.search('los osos, costos; import os; os.environ')
