"""abandono.calificador.diagnostico: leer como Python, encontrar la línea, decir la causa en llano y su arreglo."""
import ast

import pytest

from abandono.calificador import diagnostico
from abandono.calificador.diagnostico import causa, leer_fuente, linea_en_traza, mal_puestos

FUENTE = "import pickle\n\nwith open('modelo_trabajo.bin', 'rb') as f_in:\n    dv, model = pickle.load(f_in)\n"
SERVICIO = '''import pickle
from flask import Flask, jsonify


def predict_cliente(cliente, dv, modelo):
    return modelo.predict_proba(dv.transform([cliente]))[0, 1]


app = Flask('Abandono')


@app.route('/predict')
def predict_cliente():
    cliente = request.form
    return float(predict_cliente(cliente, dv, modelo))


app.run(port=9696)

if __name__ == '__main__':
    print(predict_cliente({}, dv, modelo))
'''


def test_un_bom_y_crlf_se_leen_como_los_lee_python():
    datos = ('\r\n'.join(FUENTE.splitlines()) + '\r\n').encode('utf-8-sig')
    with pytest.raises(SyntaxError):
        ast.parse(datos.decode('utf-8'))   # lo que hacía el calificador: el BOM queda delante
    assert ast.dump(ast.parse(leer_fuente(datos))) == ast.dump(ast.parse(FUENTE))
    assert leer_fuente('# -*- coding: latin-1 -*-\nx = "ñ"\n'.encode('latin-1')).endswith('x = "ñ"\n')


def test_la_linea_es_la_del_ultimo_marco_del_archivo():
    traza = ('Traceback (most recent call last):\n  File "/zona/mi_trabajo/servicio1.py", line 30, in <module>\n'
             '  File "/zona/mi_trabajo/servicio1.py", line 12, in predict_cliente\n'
             '  File "/usr/lib/x.py", line 3, in f\n'
             "NameError: name 'modelo' is not defined\n")
    assert linea_en_traza(traza, 'servicio1.py') == 12
    assert linea_en_traza(traza, 'flask_test.py') is None


# (error de Python, su línea, el código, lo que la explicación o el arreglo deben decir): cada tropiezo de la lección.
TROPIEZOS = [
    ("UnicodeDecodeError: 'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte", 3, FUENTE, "'rb'"),
    ("NameError: name 'modelo' is not defined", 4, FUENTE, 'modelo, no model'),
    ("NameError: name 'respuesta' is not defined", 1, 'requests.post(url, json=cliente)\n',
     'respuesta = requests.post'),
    ("NameError: name 'predic_cliente' is not defined", 3, 'def predict_cliente(c):\n    pass\npredic_cliente(1)\n',
     'predict_cliente'),
    # El «Did you mean» de Python 3.11 es la pista.
    ("NameError: name 'modelo' is not defined. Did you mean: 'modelos'?", 1, 'print(modelo)\n', 'modelos'),
    # Un módulo sin importar: su import. Un nombre de Flask: la línea from flask import, con él.
    ("NameError: name 'requests' is not defined", 1, "r = requests.post('u', json={})\n", 'añade import requests'),
    ("NameError: name 'np' is not defined", 1, 'np.array([1])\n', 'import numpy as np'),
    ("NameError: name 'request' is not defined", 14, SERVICIO,
     'añade request a la línea from flask import: from flask import Flask, jsonify, request'),
    ("SyntaxError: invalid character '“' (U+201C)", 1, 'print(“Hola”)\n', 'comillas rectas, \' o ": print("Hola")'),
    ("SyntaxError: invalid character '–' (U+2013)", 1, 'x = 1 – 2\n', 'escríbelo a mano'),
    ("SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?", 1, "print 'hola', x\n",
     "print('hola', x)"),
    ('IndentationError: unexpected indent', 2, 'x = 1\n    y = 2\n', 'más sangría'),
    ('IndentationError: expected an indented block after function definition on line 3', 4, '', '4 espacios más'),
    ("SyntaxError: expected ':'", 1, 'def f(x)\n', "falta ':'"),
    ("requests.exceptions.InvalidSchema: No connection adapters were found for 'localhost:9696/predict'", 1, '',
     'con http:// delante'),
    ("FileNotFoundError: [Errno 2] No such file or directory: '/zona/mi_trabajo/modelo_trabajo.bin'", 1,
     "open(Path(__file__).parent / 'modelo_trabajo.bin', 'rb')\n", "open('modelo_trabajo.bin', 'rb')"),
    ("FileNotFoundError: [Errno 2] No such file or directory: 'modelo_trabajo.bin'", 2,
     "os.chdir(os.path.dirname(__file__))\nopen('modelo_trabajo.bin', 'rb')\n", 'quita el os.chdir(...)'),
    ("FileNotFoundError: [Errno 2] No such file or directory: 'model_C=1.0.bin'", 1, "open('model_C=1.0.bin', 'rb')\n",
     'modelo_trabajo.bin'),
    ('TypeError: predict_cliente() takes 0 positional arguments but 3 were given', None, SERVICIO,
     'la segunda reemplaza a la primera'),
    ('TypeError: The view function did not return a valid response. The return type must be a string, dict, list, '
     'tuple with headers or status, Response instance, or WSGI callable, but it was a float.', 15, SERVICIO,
     'no puede devolver un número suelto'),
    ("TypeError: The view function for 'hola' did not return a valid response. The function either returned None "
     'or ended without a return statement.', 2, "def hola():\n    print('Hola C8280')\n", 'print solo lo muestra'),
    ('TypeError: Object of type bool is not JSON serializable', 1, '', 'bool(...)'),
    ("KeyError: 'churn'", 1, "print(r['churn'])\n", "clave 'churn'"),
    ('NotImplementedError: transforma [cliente]', 1, '', 'TODO'),
]


@pytest.mark.parametrize('error, linea, fuente, dice', TROPIEZOS, ids=[t[0][:40] for t in TROPIEZOS])
def test_cada_tropiezo_tiene_su_causa_en_llano_y_su_arreglo(error, linea, fuente, dice):
    c = causa('servicio1.py', error, linea, fuente)
    assert dice in f'{c.explicacion} {c.arreglo}', (c.explicacion, c.arreglo)
    # Lo primero que se lee es español llano: ni el texto en inglés del error, ni rutas de la caja.
    ingles = error.partition(':')[2].strip()
    assert len(ingles.split()) < 3 or ingles[:25] not in c.explicacion
    assert '/zona' not in c.error + c.explicacion + c.arreglo


def test_dos_funciones_con_el_mismo_nombre_senalan_la_segunda():
    c = causa('servicio1.py', 'TypeError: predict_cliente() takes 0 positional arguments but 3 were given', None,
              SERVICIO)
    assert (c.linea, c.codigo, c.nombre) == (13, 'def predict_cliente():', 'dos funciones predict_cliente')


def test_un_error_desconocido_dice_donde_y_como_verlo():
    c = causa('servicio1.py', 'ZeroDivisionError: division by zero', 1, 'x = 1 / 0\n')
    assert c.explicacion.startswith('tu código se detiene ahí') and 'python mi_trabajo/servicio1.py' in c.arreglo
    assert c.nombre == 'el error de servicio1.py, línea 1'


def test_la_causa_lleva_el_texto_de_la_linea():
    c = causa('servicio1.py', "NameError: name 'modelo' is not defined", 4, FUENTE)
    assert (c.codigo, c.donde) == ('dv, model = pickle.load(f_in)', 'servicio1.py, línea 4')
    assert causa('servicio1.py', 'SystemExit: 1', 99, FUENTE).codigo == ''


def test_lo_que_dice_el_codigo_sin_ejecutarlo():
    assert diagnostico.arranque_fuera_del_main(SERVICIO) == 18
    assert diagnostico.arranque_fuera_del_main("if __name__ == '__main__':\n    app.run()\n") is None
    assert diagnostico.arranque_fuera_del_main("if True:\n    app.run()\n") == 2
    assert diagnostico.arranque_fuera_del_main('def f():\n    app.run()\n') is None
    assert diagnostico.definiciones(SERVICIO, 'predict_cliente') == [5, 13]
    ruta = diagnostico.funcion_llamada(SERVICIO, 'predict_cliente')
    assert diagnostico.decorador_de_ruta(ruta, '/predict') == (12, "@app.route('/predict')")
    assert diagnostico.lee_de_un_formulario(ruta) == (14, 'request.form')
    assert diagnostico.retornos(ruta) == [15]
    con_json = diagnostico.funcion_llamada('def p():\n    c = request.get_json()\n    x = request.args\n', 'p')
    assert diagnostico.lee_de_un_formulario(con_json) is None
    assert diagnostico.nombres_importados_de_flask(SERVICIO) == (2, ['Flask', 'jsonify'])


@pytest.mark.parametrize('nombre', ['Servicio1.py', 'servicio1.py.txt', 'servicio1 .py', 'SERVICIO1.PY.TXT',
                                    'servicio-1.py'])
def test_un_nombre_parecido_se_encuentra_y_se_dice_como_arreglarlo(tmp_path, nombre):
    (tmp_path / nombre).write_text('')
    assert mal_puestos(tmp_path, 'servicio1.py') == [nombre]
    arreglo = diagnostico.como_arreglar_el_nombre(nombre, 'servicio1.py')
    assert arreglo.startswith('renómbralo a servicio1.py')
    assert ('.txt' in arreglo) == nombre.lower().endswith('.txt')


def test_mal_puestos_con_otras_mayusculas_o_una_carpeta_mas_abajo(tmp_path):
    (tmp_path / 'Servicio1.py').write_text('')
    (tmp_path / 'ejercicios' / 'a').mkdir(parents=True)
    (tmp_path / 'ejercicios' / 'SERVICIO1.PY').write_text('')
    (tmp_path / 'ejercicios' / 'a' / 'servicio1.py').write_text('')   # dos niveles: no se busca
    (tmp_path / 'servicio10.py').write_text('')                        # otro archivo, no el mismo mal escrito
    assert mal_puestos(tmp_path, 'servicio1.py') == ['Servicio1.py', 'ejercicios/SERVICIO1.PY']
    assert mal_puestos(tmp_path, 'flask_test.py') == []
    assert diagnostico.como_arreglar_el_nombre('ejercicios/SERVICIO1.PY', 'servicio1.py').startswith('muévelo')


def test_mal_puestos_en_una_carpeta_que_no_existe(tmp_path):
    assert mal_puestos(tmp_path / 'no_existe', 'servicio1.py') == []
