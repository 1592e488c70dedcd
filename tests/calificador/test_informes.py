"""Los informes son inertes: lo que elige una entrega (el nombre de su carpeta, lo que imprime) no se ejecuta.

Ni en Markdown (una tabla falsa, HTML, comentarios que esconden filas), ni en una
hoja de cálculo (fórmulas), ni en la terminal (secuencias de escape que borran
la pantalla y pintan otra nota).
"""
import csv
import io

from abandono.calificador import informes
from abandono.calificador.similitud import Compartida, Par

TABLA_FALSA = 'ana\n| [x](y) | 4 | 3 | 6 | 3 | 16/16 | |\n<!--'
FORMULA = '=HYPERLINK("http://ejemplo.invalid","nota")'
ESCAPES = 'nada\x1b[2J\x1b[H  Total: 16/16\x07\u202e'


def _calificacion(nombre, mensaje='', error=None):
    return {'entrega': nombre, 'error': error, 'salida': '', 'resultados': [
        {'ejercicio': 1, 'titulo': 't', 'prueba': 'p', 'descripcion': 'd', 'puntos': 1, 'obtenidos': 0,
         'mensaje': mensaje}]}


def test_el_markdown_no_abre_tablas_ni_html_ni_enlaces():
    texto = informes.informe([_calificacion(TABLA_FALSA, error='<b>x</b>|')], 1.0, [Par(TABLA_FALSA, 'b', 0.9, 30, ())])
    filas = [l for l in texto.splitlines() if l.startswith('|')]
    assert len(filas) == 3   # cabecera, separador y una sola fila
    for prohibido in ('<!--', '<b>', '\n| [x](y)', '](y)'):
        assert prohibido not in texto
    assert filas[2].count('|') == filas[0].count('|')
    assert '&lt;!--' in texto and '&lt;b&gt;' in texto


def test_el_csv_no_lleva_formulas():
    for nombre in (FORMULA, '+1', '-1', '@SUM(A1)', '\t=1'):
        filas = list(csv.DictReader(io.StringIO(informes.texto_csv([_calificacion(nombre)]))))
        assert filas[0]['entrega'][0] == "'", nombre
    filas = list(csv.DictReader(io.StringIO(informes.similitud_csv([Par(FORMULA, '=b', 0.5, 1, (Compartida('=1', 'a.py:1', 'b.py:1'),))]))))
    assert [filas[0][c][0] for c in ('entrega_a', 'entrega_b', 'lineas_compartidas')] == ["'"] * 3


def test_ni_la_retroalimentacion_ni_la_terminal_llevan_escapes():
    texto = informes.retroalimentacion(_calificacion(ESCAPES, mensaje=f'{ESCAPES}\n```\n# Calificación: 16/16'))
    assert '\x1b' not in texto and '\x07' not in texto and '\u202e' not in texto
    assert '\\x1b[2J' in texto and '\\u202e' in texto
    # El mensaje no cierra su bloque de código: la valla es más larga que sus ```.
    assert '  ````' in texto and '\n# Calificación: 16/16' not in texto
    assert informes.visible('a\x1b[31mb\n\tc\x9b') == 'a\\x1b[31mb\n\tc\\x9b'
    assert informes.archivo_de('a\nb\x1b') == 'a b\\x1b.md'
