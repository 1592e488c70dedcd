"""Qué responde la app a cada petición, con ``crear_app(...).test_client()`` y un modelo pequeño.

Sin servidor ni puerto: cada caso tarda milisegundos. Que los servidores de
verdad (desarrollo, gunicorn, waitress) entregan lo mismo por HTTP lo prueba
``test_http.py``.
"""
import gzip
import hashlib
import json
import pickle

import pytest

from abandono.datos import CARACTERISTICAS, CLIENTE_LECCION

JSON = {'Content-Type': 'application/json'}


def post(cliente_app, ruta='/predict', **kwargs):
    return cliente_app.post(ruta, **kwargs)


def assert_error(respuesta, estado, *palabras):
    """Un error con el código esperado, en JSON UTF-8 legible, en español y que nombra lo que falla."""
    assert respuesta.status_code == estado, respuesta.get_data(as_text=True)
    assert respuesta.headers['Content-Type'] == 'application/json; charset=utf-8'
    texto = respuesta.get_data(as_text=True)
    assert '\\u00' not in texto  # los acentos viajan como letras, no como escapes
    cuerpo = json.loads(texto)
    assert list(cuerpo) == ['error', 'detalles']
    for palabra in palabras:
        assert palabra in texto, (palabra, cuerpo)
    return cuerpo


def test_el_cliente_de_la_leccion(cliente_app, cliente, dv_modelo_pequeno):
    respuesta = post(cliente_app, json=cliente)
    assert respuesta.status_code == 200
    dv, modelo = dv_modelo_pequeno
    esperada = modelo.predict_proba(dv.transform([CLIENTE_LECCION]))[0, 1]
    assert respuesta.json == {'probabilidad_abandono': pytest.approx(esperada, abs=1e-12),
                              'abandono': bool(esperada >= 0.5), 'customerid': CLIENTE_LECCION['customerid']}


def test_un_cliente_que_abandona(cliente_app, cliente):
    cliente.update(contract='month-to-month', tenure=1, internetservice='fiber_optic',
                   onlinesecurity='no', techsupport='no', paymentmethod='electronic_check',
                   totalcharges=79.85)
    cuerpo = post(cliente_app, json=cliente).json
    assert cuerpo['probabilidad_abandono'] > 0.5
    assert cuerpo['abandono'] is True


@pytest.mark.parametrize('customerid', [None, 'ausente'])
def test_sin_customerid_tambien_vale(cliente_app, cliente, customerid):
    if customerid is None:
        cliente['customerid'] = None
    else:
        del cliente['customerid']
    cuerpo = post(cliente_app, json=cliente).json
    assert set(cuerpo) == {'probabilidad_abandono', 'abandono'}


def test_otras_claves_no_cuentan(cliente_app, cliente):
    con_otra = post(cliente_app, json=cliente | {'color_favorito': 'azul'}).json
    assert con_otra == post(cliente_app, json=cliente).json


def test_json_mal_formado_es_400_y_nombra_el_campo_cercano(cliente_app):
    cuerpo = assert_error(post(cliente_app, data='{"gender": "female", "tenure": 4x}', headers=JSON),
                          400, 'JSON', 'tenure')
    assert cuerpo['detalles'] == [{'campo': 'tenure', 'mensaje': 'JSON no válido'}]


def test_cuerpo_vacio_es_400(cliente_app):
    assert_error(post(cliente_app, headers=JSON), 400, 'JSON')


@pytest.mark.parametrize('tipo', [None, 'application/x-www-form-urlencoded', 'text/plain', 'application/xml'])
def test_cuerpo_que_no_llega_como_json_es_415(cliente_app, tipo):
    cabeceras = {'Content-Type': tipo} if tipo else {}
    cuerpo = assert_error(post(cliente_app, data=json.dumps(CLIENTE_LECCION), headers=cabeceras),
                          415, 'Content-Type: application/json', 'requests.post(url, json=cliente)')
    assert cuerpo['detalles'] == [{'campo': 'Content-Type', 'mensaje': 'debe ser application/json'}]


def test_content_type_con_charset_vale(cliente_app):
    respuesta = post(cliente_app, data=json.dumps(CLIENTE_LECCION),
                     headers={'Content-Type': 'Application/JSON; charset=utf-8'})
    assert respuesta.status_code == 200


@pytest.mark.parametrize('ruta', ['/predict', '/predict_lote'])
def test_cuerpo_comprimido_es_415(cliente_app, ruta):
    datos = CLIENTE_LECCION if ruta == '/predict' else [CLIENTE_LECCION]
    respuesta = post(cliente_app, ruta, data=gzip.compress(json.dumps(datos).encode()),
                     headers=JSON | {'Content-Encoding': 'gzip'})
    assert_error(respuesta, 415, 'comprimidos', 'Content-Encoding')


def test_falta_un_campo_es_422(cliente_app, cliente):
    del cliente['tenure']
    cuerpo = assert_error(post(cliente_app, json=cliente), 422, 'tenure', 'falta')
    assert cuerpo['detalles'] == [{'campo': 'tenure', 'mensaje': 'falta este campo'}]


def test_con_muchos_fallos_el_resumen_se_corta_con_puntos_suspensivos(cliente_app):
    cuerpo = assert_error(post(cliente_app, json={'customerid': 'x'}), 422, 'falta este campo')
    assert len(cuerpo['detalles']) == len(CARACTERISTICAS)
    nombrados = [d['campo'] for d in cuerpo['detalles'][:5]]
    assert cuerpo['error'] == ('Datos del cliente no válidos. '
                               + '; '.join(f'{c}: falta este campo' for c in nombrados)
                               + f'; … ({len(CARACTERISTICAS) - 5} más en detalles)')


@pytest.mark.parametrize('campo, valor, mensaje', [
    ('tenure', '41', 'entero'),
    ('tenure', 41.5, 'entero'),
    ('monthlycharges', 'mucho', 'número'),
    ('seniorcitizen', True, 'entero'),
    ('gender', 1, 'permitidos'),
    ('totalcharges', None, 'número'),
    ('customerid', 'x' * 101, 'demasiado largo'),
    ('customerid', 8879, 'texto'),
])
def test_tipo_equivocado_es_422(cliente_app, cliente, campo, valor, mensaje):
    cliente[campo] = valor
    assert_error(post(cliente_app, json=cliente), 422, campo, mensaje)


@pytest.mark.parametrize('campo, valor, limite', [
    ('tenure', -1, '>= 0'), ('monthlycharges', 1e300, '<= 100000'), ('seniorcitizen', 2, '<= 1')])
def test_numero_fuera_de_rango_es_422(cliente_app, cliente, campo, valor, limite):
    cuerpo = assert_error(post(cliente_app, json=cliente | {campo: valor}), 422, campo)
    assert cuerpo['detalles'] == [{'campo': campo, 'mensaje': f'debe ser {limite}'}]


def test_nan_es_422(cliente_app):
    cuerpo = json.dumps(CLIENTE_LECCION).replace('79.85', 'NaN')
    assert_error(post(cliente_app, data=cuerpo, headers=JSON), 422, 'monthlycharges', 'finito')


@pytest.mark.parametrize('campo, valor', [
    ('contract', 'weekly'), ('gender', 'Female'), ('paymentmethod', 'bank transfer (automatic)')])
def test_categoria_desconocida_es_422_y_lista_las_permitidas(cliente_app, cliente, campo, valor,
                                                              dv_modelo_pequeno):
    cliente[campo] = valor
    cuerpo = assert_error(post(cliente_app, json=cliente), 422, campo, 'desconocido')
    permitidas = [n.split('=', 1)[1] for n in dv_modelo_pequeno[0].feature_names_ if n.startswith(f'{campo}=')]
    assert cuerpo['detalles'][0]['mensaje'] == (f'valor desconocido {valor!r}; valores permitidos: '
                                                + ', '.join(permitidas))


def test_una_lista_en_predict_es_422(cliente_app, cliente):
    assert_error(post(cliente_app, json=[cliente]), 422, 'objeto JSON')


@pytest.mark.parametrize('ruta', ['/predict', '/predict_lote'])
def test_get_en_una_ruta_post_es_405_en_espanol(cliente_app, ruta):
    respuesta = cliente_app.get(ruta)
    cuerpo = assert_error(respuesta, 405, 'Método GET no permitido', 'acepta POST', 'requests.post')
    assert cuerpo['error'].startswith('Método')
    assert 'POST' in respuesta.headers['Allow']


def test_post_en_salud_es_405(cliente_app):
    assert_error(cliente_app.post('/salud'), 405, 'Método POST no permitido en /salud; acepta GET.')


def test_cuerpo_enorme_es_413(cliente_app, app):
    from abandono.servicio import MAX_CUERPO
    assert_error(post(cliente_app, data=b' ' * (MAX_CUERPO + 1), headers=JSON), 413, 'demasiado grande', 'MiB')


def test_json_muy_anidado_es_un_error_claro(cliente_app):
    respuesta = post(cliente_app, data='[' * 50_000 + ']' * 50_000, headers=JSON)
    assert respuesta.status_code in (400, 422)
    assert respuesta.json['error']


def test_ruta_desconocida_es_404_con_las_rutas_de_la_app(cliente_app, app):
    cuerpo = assert_error(cliente_app.get('/nada'), 404, 'Esa ruta no existe')
    for regla in app.url_map.iter_rules():
        if not regla.arguments:
            assert regla.rule in cuerpo['error']
    assert 'POST /predict,' in cuerpo['error'] and 'GET /salud' in cuerpo['error']


@pytest.mark.parametrize('ruta', ['/static/servicio1.py', '/static/modelo_trabajo.bin'])
def test_no_sirve_archivos_de_la_carpeta(cliente_app, ruta):
    assert_error(cliente_app.get(ruta), 404, 'Esa ruta no existe')


@pytest.mark.parametrize('metodo, ruta, datos', [
    ('post', '/predict', CLIENTE_LECCION), ('post', '/predict', {}), ('post', '/predict_lote', [CLIENTE_LECCION]),
    ('get', '/salud', None), ('get', '/openapi.json', None), ('get', '/nada', None), ('get', '/predict', None),
])
def test_cabeceras_en_todas_las_respuestas(cliente_app, metodo, ruta, datos):
    respuesta = getattr(cliente_app, metodo)(ruta, json=datos)
    assert respuesta.headers['X-Content-Type-Options'] == 'nosniff'
    assert respuesta.headers['Cache-Control'] == 'no-store'
    assert respuesta.headers['Content-Type'] == 'application/json; charset=utf-8'


def test_lote(cliente_app, cliente, dv_modelo_pequeno):
    otro = cliente | {'customerid': 'otro', 'contract': 'month-to-month', 'tenure': 1}
    respuesta = post(cliente_app, '/predict_lote', json=[cliente, otro])
    assert respuesta.status_code == 200
    dv, modelo = dv_modelo_pequeno
    esperadas = modelo.predict_proba(dv.transform([cliente, otro]))[:, 1]
    assert [r['customerid'] for r in respuesta.json] == [CLIENTE_LECCION['customerid'], 'otro']
    assert [r['probabilidad_abandono'] for r in respuesta.json] == pytest.approx(esperadas, abs=1e-12)


def test_lote_con_un_cliente_malo_nombra_su_posicion(cliente_app, cliente):
    malo = cliente | {'contract': 'weekly'}
    assert_error(post(cliente_app, '/predict_lote', json=[cliente, malo]), 422, 'clientes[1].contract')


@pytest.mark.parametrize('datos, palabra', [([], 'vacía'), (CLIENTE_LECCION, 'lista de clientes')])
def test_lote_vacio_o_sin_lista_es_422(cliente_app, datos, palabra):
    assert_error(post(cliente_app, '/predict_lote', json=datos), 422, palabra)


def test_salud_da_la_huella_del_modelo(cliente_app, dv_modelo_pequeno):
    esperada = hashlib.sha256(pickle.dumps(dv_modelo_pequeno)).hexdigest()[:12]
    assert cliente_app.get('/salud').json == {'estado': 'ok', 'modelo': esperada}


def test_openapi_describe_el_cliente_del_modelo(cliente_app, dv_modelo_pequeno):
    documento = cliente_app.get('/openapi.json').json
    cliente = documento['components']['schemas']['Cliente']
    dv = dv_modelo_pequeno[0]
    assert cliente['properties']['contract']['enum'] == [
        n.split('=', 1)[1] for n in dv.feature_names_ if n.startswith('contract=')]
