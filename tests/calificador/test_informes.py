"""Los informes son inertes: lo que elige una entrega (el nombre de su carpeta, lo que imprime) no se ejecuta.

Ni en Markdown (una tabla falsa, HTML, comentarios que esconden filas), ni en una
hoja de cálculo (fórmulas, también tras un espacio o con un ＝ de ancho completo),
ni en la terminal (secuencias de escape que borran la pantalla y pintan otra nota).
Y un nombre no se hace pasar por otro: cada uno tiene su archivo, corto y ASCII, y
los que se ven iguales se avisan.
"""
import csv
import io

from abandono.calificador import informes, nombres
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.calificador.similitud import Compartida, Par
from muestras import HONESTO, NOMBRES_HOSTILES

TABLA_FALSA = 'ana\n| [x](y) | 4 | 3 | 6 | 3 | 16/16 | |\n<!--'
FORMULA = '=HYPERLINK("http://ejemplo.invalid","nota")'
ESCAPES = 'nada\x1b[2J\x1b[H  Total: 16/16\x07\u202e'
FORMULAS_ESCONDIDAS = ['＝1+1', ' =1+1', '\xa0=1+1', '\u200b=1+1', '\u3000@SUM(A1)', '\n=1', '\t=1', '\ufeff-1']


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
    for nombre in (FORMULA, '+1', '-1', '@SUM(A1)', *FORMULAS_ESCONDIDAS):
        filas = list(csv.DictReader(io.StringIO(informes.texto_csv([_calificacion(nombre)]))))
        assert filas[0]['entrega'][0] == "'", ascii(nombre)
    filas = list(csv.DictReader(io.StringIO(informes.similitud_csv([Par(FORMULA, '=b', 0.5, 1, (Compartida('=1', 'a.py:1', 'b.py:1'),))]))))
    assert [filas[0][c][0] for c in ('entrega_a', 'entrega_b', 'lineas_compartidas')] == ["'"] * 3
    assert informes.en_csv('honesto') == 'honesto' and informes.en_csv('1=1') == '1=1'


def test_ni_la_retroalimentacion_ni_la_terminal_llevan_escapes():
    texto = informes.retroalimentacion(_calificacion(ESCAPES, mensaje=f'{ESCAPES}\n```\n# Calificación: 16/16'))
    assert '\x1b' not in texto and '\x07' not in texto and '\u202e' not in texto
    assert '\\x1b[2J' in texto and '\\u202e' in texto
    # El mensaje no cierra su bloque de código: la valla es más larga que sus ```.
    assert '  ````' in texto and '\n# Calificación: 16/16' not in texto
    assert informes.visible('a\x1b[31mb\n\tc\x9b') == 'a\\x1b[31mb\n\tc\\x9b'


def test_cada_caracter_invisible_se_ve():
    """Controles, formatos (ancho cero, BOM, dirección), separadores de línea y espacios que no son el espacio."""
    invisibles = '\x00\x7f\x85\u00ad\u200b\u200d\u2028\u2029\u202e\u2066\ufeff\xa0\u2007\u3000\U000e0001'
    escrito = informes.visible(invisibles)
    assert escrito.isascii() and escrito.count('\\') == len(invisibles)
    assert informes.visible('año ＝ 1') == 'año ＝ 1'   # lo que se ve como es, se queda
    assert informes.en_markdown('honesto\n') == 'honesto&#92;x0a'


def test_cada_nombre_tiene_su_archivo_ascii_corto_y_estable():
    todos = [HONESTO, *NOMBRES_HOSTILES, 'Ana García_1234', 'solucion', 'Solucion', 'ana', '\udcff', '..', 'a/b']
    archivos = [nombres.archivo_de(n) for n in todos]
    assert len(set(archivos)) == len(todos)
    for archivo in archivos:
        assert archivo.isascii() and archivo.isprintable() and len(archivo.encode()) <= 100, archivo
        assert archivo.endswith('.md') and '/' not in archivo and not archivo.startswith('.')
    # El mismo en cada calificación (recalificar una entrega reescribe su archivo, no otro).
    assert nombres.archivo_de('solucion') == 'solucion.md'
    assert nombres.archivo_de('Ana García_1234') == 'ana-garcia_1234.ef84176647.md'
    assert nombres.archivo_de(HONESTO + '\n') == 'honesto.4d7fe99f01.md'


def test_los_nombres_que_se_ven_iguales_se_avisan_y_no_se_confunden():
    calificaciones = [_calificacion(n) for n in (HONESTO, HONESTO + '\n', HONESTO + '\u200b', 'otro')]
    texto = informes.informe(calificaciones, 1.0)
    filas = [l for l in texto.splitlines() if l.startswith('| [')]
    assert len(filas) == 4 == len(set(filas))
    aviso = texto.split('## Nombres que se confunden')[1].split('##')[0]
    assert 'honesto&#92;x0a' in aviso and 'honesto&#92;u200b' in aviso and 'otro' not in aviso
    assert nombres.parecidos(['a', 'a ', 'ａ', 'b']) == [['a', 'a ', 'ａ']]
    entregas = [f['entrega'] for f in csv.DictReader(io.StringIO(informes.texto_csv(calificaciones)))]
    assert len(set(entregas)) == 4 and 'honesto\\x0a' in entregas


def test_la_fila_suma_los_ajustes():
    calificacion = {**_calificacion('ana'), 'ajustes': [{'ejercicio': 1, 'antes': 0, 'despues': 1, 'motivo': 'm'}]}
    fila = informes.fila(calificacion)
    assert fila['ejercicio_1'] == 1 and fila['total'] == 1 and fila['ajuste'] == 1
    assert fila['maximo'] == sum(sum(e.puntos.values()) for e in EJERCICIOS.values())
