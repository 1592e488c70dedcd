"""abandono.calificador.diagnostico: leer como Python, encontrar la línea y dar el arreglo conocido."""
import ast

import pytest

from abandono.calificador.diagnostico import arreglo, causa, leer_fuente, linea_en_traza, mal_puestos

FUENTE = "import pickle\n\nwith open('modelo_trabajo.bin', 'rb') as f_in:\n    dv, model = pickle.load(f_in)\n"


def test_un_bom_y_crlf_se_leen_como_los_lee_python():
    datos = ('\r\n'.join(FUENTE.splitlines()) + '\r\n').encode('utf-8-sig')
    with pytest.raises(SyntaxError):
        ast.parse(datos.decode('utf-8'))   # lo que hacía el calificador: el BOM queda delante
    assert ast.dump(ast.parse(leer_fuente(datos))) == ast.dump(ast.parse(FUENTE))
    assert leer_fuente('# -*- coding: latin-1 -*-\nx = "ñ"\n'.encode('latin-1')).endswith('x = "ñ"\n')


def test_la_linea_es_la_del_ultimo_marco_del_archivo():
    traza = ('Traceback (most recent call last):\n  File "/zona/servicio1.py", line 30, in <module>\n'
             '  File "/zona/servicio1.py", line 12, in predict_cliente\n  File "/usr/lib/x.py", line 3, in f\n'
             "NameError: name 'modelo' is not defined\n")
    assert linea_en_traza(traza, 'servicio1.py') == 12
    assert linea_en_traza(traza, 'flask_test.py') is None


@pytest.mark.parametrize('error, fuente, dice', [
    ("UnicodeDecodeError: 'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte", '', "'rb'"),
    ("NameError: name 'modelo' is not defined", FUENTE, '(modelo, no model)'),
    ("NameError: name 'respuesta' is not defined", 'requests.post(url, json=cliente)\n', 'respuesta = requests.post'),
    ("NameError: name 'predic_cliente' is not defined", 'def predict_cliente(c):\n    pass\n', "'predict_cliente'"),
    ('IndentationError: unexpected indent', '', 'más sangría'),
    ("IndentationError: expected an indented block after function definition on line 3", '', '4 espacios más'),
    ("SyntaxError: expected ':'", '', "faltar ':'"),
    ("requests.exceptions.InvalidSchema: No connection adapters were found for 'localhost:9696/predict'", '',
     'con http:// delante'),
])
def test_los_tropiezos_conocidos_tienen_su_arreglo(error, fuente, dice):
    assert dice in arreglo(error, '', fuente)


def test_un_error_desconocido_no_inventa_arreglo():
    assert arreglo('ZeroDivisionError: division by zero', 'x = 1 / 0', 'x = 1 / 0\n') is None


def test_la_causa_lleva_el_texto_de_la_linea():
    c = causa('servicio1.py', "NameError: name 'modelo' is not defined", 4, FUENTE)
    assert (c.codigo, c.donde) == ('dv, model = pickle.load(f_in)', 'servicio1.py, línea 4')
    assert causa('servicio1.py', 'SystemExit: 1', 99, FUENTE).codigo == ''


def test_mal_puestos_con_otras_mayusculas_o_una_carpeta_mas_abajo(tmp_path):
    (tmp_path / 'Servicio1.py').write_text('')
    (tmp_path / 'ejercicios' / 'a').mkdir(parents=True)
    (tmp_path / 'ejercicios' / 'SERVICIO1.PY').write_text('')
    (tmp_path / 'ejercicios' / 'a' / 'servicio1.py').write_text('')   # dos niveles: no se busca
    assert mal_puestos(tmp_path, 'servicio1.py') == ['Servicio1.py', 'ejercicios/SERVICIO1.PY']
    assert mal_puestos(tmp_path, 'flask_test.py') == []


def test_mal_puestos_en_una_carpeta_que_no_existe(tmp_path):
    assert mal_puestos(tmp_path / 'no_existe', 'servicio1.py') == []
