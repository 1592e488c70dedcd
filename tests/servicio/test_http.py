"""El servicio real, por HTTP, con el servidor de desarrollo y con gunicorn."""
import json

import pytest
import requests

from abandono.datos import CLIENTE_LECCION

PROBABILIDAD_LECCION = 0.06187568559832739


def post(url, ruta='/predict', **kwargs):
    return requests.post(url + ruta, timeout=10, **kwargs)


def assert_error(respuesta, estado, *palabras):
    """Un error con el código esperado, en JSON, en español y que nombra lo que falla."""
    assert respuesta.status_code == estado, respuesta.text
    assert respuesta.headers['Content-Type'].startswith('application/json')
    cuerpo = respuesta.json()
    texto = json.dumps(cuerpo, ensure_ascii=False)
    for palabra in palabras:
        assert palabra in texto, (palabra, cuerpo)
    return cuerpo


def test_el_cliente_de_la_leccion(url_servicio, cliente, dv_modelo):
    respuesta = post(url_servicio, json=cliente)
    assert respuesta.status_code == 200
    cuerpo = respuesta.json()
    dv, modelo = dv_modelo
    esperada = modelo.predict_proba(dv.transform([CLIENTE_LECCION]))[0, 1]
    assert cuerpo['probabilidad_abandono'] == pytest.approx(esperada, abs=1e-12)
    assert cuerpo['probabilidad_abandono'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-12)
    assert cuerpo['abandono'] is False
    assert cuerpo['customerid'] == '8879-zkjof'


def test_un_cliente_que_abandona(url_servicio, cliente):
    cliente.update(contract='month-to-month', tenure=1, internetservice='fiber_optic',
                   onlinesecurity='no', techsupport='no', paymentmethod='electronic_check',
                   totalcharges=79.85)
    cuerpo = post(url_servicio, json=cliente).json()
    assert cuerpo['probabilidad_abandono'] > 0.5
    assert cuerpo['abandono'] is True


def test_sin_customerid_tambien_vale(url_servicio, cliente):
    del cliente['customerid']
    cuerpo = post(url_servicio, json=cliente).json()
    assert cuerpo['probabilidad_abandono'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-12)
    assert 'customerid' not in cuerpo


def test_json_mal_formado_es_400(url_servicio):
    assert_error(post(url_servicio, data='{"gender": "female",',
                      headers={'Content-Type': 'application/json'}), 400, 'JSON')


def test_cuerpo_que_no_es_json_es_400(url_servicio):
    assert_error(post(url_servicio, data='gender=female&tenure=41'), 400, 'JSON')


def test_cuerpo_vacio_es_400(url_servicio):
    assert_error(post(url_servicio), 400, 'JSON')


def test_falta_un_campo_es_422(url_servicio, cliente):
    del cliente['tenure']
    cuerpo = assert_error(post(url_servicio, json=cliente), 422, 'tenure', 'falta')
    assert cuerpo['detalles'] == [{'campo': 'tenure', 'mensaje': 'falta este campo'}]


@pytest.mark.parametrize('campo, valor, mensaje', [
    ('tenure', '41', 'entero'),
    ('tenure', 41.5, 'entero'),
    ('monthlycharges', 'mucho', 'número'),
    ('seniorcitizen', True, 'entero'),
    ('gender', 1, 'permitidos'),
    ('totalcharges', None, 'número'),
])
def test_tipo_equivocado_es_422(url_servicio, cliente, campo, valor, mensaje):
    cliente[campo] = valor
    assert_error(post(url_servicio, json=cliente), 422, campo, mensaje)


@pytest.mark.parametrize('campo, valor', [('tenure', -1), ('monthlycharges', 1e300), ('seniorcitizen', 2)])
def test_numero_fuera_de_rango_es_422(url_servicio, cliente, campo, valor):
    assert_error(post(url_servicio, json=cliente | {campo: valor}), 422, campo)


def test_nan_es_422(url_servicio, cliente):
    cuerpo = json.dumps(CLIENTE_LECCION).replace('79.85', 'NaN')
    assert_error(post(url_servicio, data=cuerpo, headers={'Content-Type': 'application/json'}),
                 422, 'monthlycharges', 'finito')


@pytest.mark.parametrize('campo, valor', [
    ('contract', 'weekly'), ('gender', 'Female'), ('paymentmethod', 'bank transfer (automatic)')])
def test_categoria_desconocida_es_422_y_lista_las_permitidas(url_servicio, cliente, campo, valor, dv_modelo):
    cliente[campo] = valor
    cuerpo = assert_error(post(url_servicio, json=cliente), 422, campo, 'desconocido')
    permitidas = [n.split('=', 1)[1] for n in dv_modelo[0].feature_names_ if n.startswith(f'{campo}=')]
    for valor_permitido in permitidas:
        assert valor_permitido in cuerpo['detalles'][0]['mensaje']


def test_una_lista_en_predict_es_422(url_servicio, cliente):
    assert_error(post(url_servicio, json=[cliente]), 422, 'objeto JSON')


def test_get_en_predict_es_405(url_servicio):
    respuesta = requests.get(url_servicio + '/predict', timeout=10)
    assert_error(respuesta, 405, 'POST')
    assert 'POST' in respuesta.headers['Allow']


def test_cuerpo_enorme_es_413(url_servicio):
    assert_error(post(url_servicio, data=b' ' * (5 * 1024 * 1024),
                      headers={'Content-Type': 'application/json'}), 413, 'demasiado grande')


def test_json_muy_anidado_es_un_error_claro(url_servicio):
    respuesta = post(url_servicio, data='[' * 50_000 + ']' * 50_000,
                     headers={'Content-Type': 'application/json'})
    assert respuesta.status_code in (400, 422)
    assert respuesta.json()['error']


def test_ruta_desconocida_es_404_en_espanol(url_servicio):
    assert_error(requests.get(url_servicio + '/nada', timeout=10), 404, 'ruta')


def test_lote(url_servicio, cliente):
    otro = cliente | {'customerid': 'otro', 'contract': 'month-to-month', 'tenure': 1}
    respuesta = post(url_servicio, '/predict_lote', json=[cliente, otro])
    assert respuesta.status_code == 200
    primero, segundo = respuesta.json()
    assert primero['customerid'] == '8879-zkjof'
    assert primero['probabilidad_abandono'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-12)
    assert segundo['customerid'] == 'otro'
    assert segundo['probabilidad_abandono'] > primero['probabilidad_abandono']


def test_lote_con_un_cliente_malo_nombra_su_posicion(url_servicio, cliente):
    malo = cliente | {'contract': 'weekly'}
    assert_error(post(url_servicio, '/predict_lote', json=[cliente, malo]), 422, 'clientes[1].contract')


def test_lote_vacio_es_422(url_servicio):
    assert_error(post(url_servicio, '/predict_lote', json=[]), 422, 'vacía')


def test_salud(url_servicio, dv_modelo):
    cuerpo = requests.get(url_servicio + '/salud', timeout=10).json()
    assert cuerpo['estado'] == 'ok'
    assert len(cuerpo['modelo']) == 12


def test_openapi_describe_las_rutas(url_servicio):
    documento = requests.get(url_servicio + '/openapi.json', timeout=10).json()
    assert {'/predict', '/predict_lote', '/salud'} <= set(documento['paths'])
    cliente = documento['components']['schemas']['Cliente']
    assert cliente['properties']['contract']['enum'] == ['month-to-month', 'one_year', 'two_year']
