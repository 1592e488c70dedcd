"""Las ayudas de abandono/cuaderno.py con servicios de verdad: el del taller y uno de estudiante."""
import re

import pytest

from abandono import cuaderno

# Un servicio de estudiante como lo escribe la lección (9696 a mano, sin /salud), con sus
# propios nombres de claves y un fallo para los clientes sin 'tenure'.
SERVICIO_ESTUDIANTE = """\
import pickle

from flask import Flask, jsonify, request

with open('modelo_trabajo.bin', 'rb') as f_in:
    dv, modelo = pickle.load(f_in)

app = Flask('Abandono')


@app.route('/predict', methods=['POST'])
def predict():
    cliente = request.get_json()
    cliente['tenure'] + 0  # sin 'tenure': KeyError y un 500
    p = modelo.predict_proba(dv.transform([cliente]))[0, 1]
    return jsonify({'abandona': bool(p >= 0.5), 'prob_de_irse': float(p)})


if __name__ == '__main__':
    app.run(host='0.0.0.0', port=9696)
"""


@pytest.fixture(scope='module')
def estudiante(tmp_path_factory):
    carpeta = tmp_path_factory.mktemp('mi_trabajo')
    (carpeta / 'servicio1.py').write_text(SERVICIO_ESTUDIANTE)
    with cuaderno.ejecutar_script(carpeta / 'servicio1.py') as proceso:
        yield proceso


def test_comparar_lee_la_probabilidad_se_llame_como_se_llame(url_desarrollo, estudiante, cliente, capsys):
    sin_tenure = {k: v for k, v in cliente.items() if k != 'tenure'}
    tabla = cuaderno.comparar([cliente, sin_tenure], url_desarrollo, estudiante)
    assert tabla['tuyo'][0] == pytest.approx(tabla['referencia'][0], abs=1e-12)
    assert list(tabla['¿igual?']) == ['sí', 'NO']
    assert tabla['tuyo'][1] == 'error 500' and tabla['referencia'][1] == 'error 422'
    # Debajo de la tabla, el error del servicio del estudiante: sus líneas y la excepción, sin Flask.
    impreso = capsys.readouterr().out
    assert "cliente['tenure'] + 0" in impreso and "KeyError: 'tenure'" in impreso, impreso
    assert 'servicio1.py", line 14, in predict' in impreso and 'site-packages' not in impreso


@pytest.mark.parametrize('codigo, dice, no_dice', [
    ("print('0.062')\n", '¿falta el ejercicio 3, app.run al final?', 'se detuvo con un error'),
    ('def f():\n    x = 1\n   return x\n', 'IndentationError: unindent does not match', '¿falta el ejercicio 3'),
    ("print('0.062')\nprint(modelo)\n", "NameError: name 'modelo' is not defined", '¿falta el ejercicio 3'),
])
def test_un_script_que_termina_dice_por_que(tmp_path, url_desarrollo, cliente, codigo, dice, no_dice):
    """Sin error, la conjetura de app.run; con error, el suyo, sin los marcos de runpy ni de redireccion.py."""
    (tmp_path / 'servicio1.py').write_text(codigo)
    proceso = cuaderno.ejecutar_script(tmp_path / 'servicio1.py')
    assert proceso.termino
    final = proceso.final()
    assert dice in final and no_dice not in final, final
    assert 'runpy' not in final and 'redireccion' not in final, final
    assert list(cuaderno.comparar([cliente], url_desarrollo, proceso)['tuyo']) == ['no sirve']


def test_servicio_sin_salud_se_usa_y_se_dice(estudiante, capsys):
    assert cuaderno.servicio(estudiante.url).url == estudiante.url
    assert 'No tiene GET /salud' in capsys.readouterr().out


def test_servicio_del_taller_se_reconoce(url_desarrollo, capsys):
    assert cuaderno.servicio(url_desarrollo + '/').url == url_desarrollo
    assert capsys.readouterr().out == f'Servicio: el del taller en {url_desarrollo}.\n'


@pytest.mark.parametrize('url, error, mensaje', [
    ('http://127.0.0.1:9696/predict', ValueError, "sin /predict: 'http://127.0.0.1:9696'"),
    ('http://127.0.0.1:1', RuntimeError, 'Nadie responde en http://127.0.0.1:1'),
])
def test_servicio_url_equivocada(url, error, mensaje):
    with pytest.raises(error, match=re.escape(mensaje)):
        cuaderno.servicio(url)


def test_carpeta_que_no_existe(tmp_path):
    with pytest.raises(FileNotFoundError, match='make empezar'):
        cuaderno.carpeta(tmp_path / 'no_existe')


def test_script_que_falla_termina_con_su_error(tmp_path):
    """Un ejercicio a medias no rompe el cuaderno: termina y su salida cuenta por qué."""
    (tmp_path / 'servicio1.py').write_text("print('0.062')\nraise NotImplementedError('Falta completar: el ejercicio 3')\n")
    proceso = cuaderno.ejecutar_script(tmp_path / 'servicio1.py')
    assert (proceso.termino, proceso.codigo, proceso.url) == (True, 1, None)
    assert proceso.salida().startswith('0.062\n') and 'NotImplementedError: Falta completar' in proceso.salida()
    with pytest.raises(RuntimeError, match=r"(?s)servicio1\.py terminó sin escribir 'Press CTRL\+C'.*Falta completar"):
        proceso.esperar_texto('Press CTRL+C')


def test_probar_un_script_que_no_termina(tmp_path):
    (tmp_path / 'probar_servicio.py').write_text('import time\ntime.sleep(60)\n')
    assert cuaderno.probar(tmp_path / 'probar_servicio.py', 1, espera=2) == (
        'probar_servicio.py no terminó en 2 s (¿una petición sin respuesta?).\n')
