"""Fuzzing del servicio vivo (gunicorn): más de 2000 peticiones generadas.

Dos fuentes:

* schemathesis lee ``/openapi.json`` y genera clientes que cumplen el esquema
  (deben dar 200) y que lo incumplen (deben dar 4xx); cada respuesta debe
  cumplir el documento: un código que declara, su tipo de contenido y su esquema;
* hypothesis estropea clientes válidos a su manera: campos que faltan o
  sobran, tipos equivocados, categorías desconocidas, números enormes, NaN,
  permanencias negativas, JSON roto, cuerpos profundos o enormes, lotes.

Para cada respuesta se comprueba: nunca un 5xx; un 200 solo si la entrada
era válida (según un oráculo escrito aquí, independiente del servicio) y
con la probabilidad de ``predict_proba``; si no, un error JSON en español que
nombra el campo.
"""
import json
import math
import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)
from hypothesis import strategies as st

from abandono.datos import CARACTERISTICAS, CATEGORICAS, CLIENTE_LECCION
from abandono.esquema import categorias_del_modelo
from abandono.servicio import MAX_CUERPO

# Una prueba de aguante (pytest -m robustez): lo que llega mal, en cantidad o despacio.
pytestmark = pytest.mark.robustez

EJEMPLOS_HYPOTHESIS = int(os.environ.get('FUZZ_EJEMPLOS', 1700))
EJEMPLOS_SCHEMATHESIS = 120  # por operación y modo: 2 operaciones × 2 modos
AJUSTES = settings(max_examples=EJEMPLOS_HYPOTHESIS, deadline=None, database=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))

RANGOS = {'seniorcitizen': (int, 0, 1), 'tenure': (int, 0, 1200),
          'monthlycharges': (float, 0, 100_000), 'totalcharges': (float, 0, 100_000_000)}
# Lo que delataría un mensaje sin traducir (pydantic, Werkzeug, Flask).
INGLES = re.compile(r'Input should|Field required|Unable to|should be|is not|Invalid|Internal Server|'
                    r'Traceback|Bad Request|Not Found|Method Not Allowed|Request Entity|too long|Extra inputs')
ESPANOL = re.compile(r'debe|falta|valor|cuerpo|petición|clientes|demasiado|ruta|Método|no es|vacía')


# --- El oráculo: qué es un cliente válido, escrito sin mirar esquema.py -----

def campo_valido(campo, valor, categorias):
    if campo in categorias:
        return isinstance(valor, str) and valor in categorias[campo]
    tipo, minimo, maximo = RANGOS[campo]
    if isinstance(valor, bool) or not isinstance(valor, (int, float)):
        return False
    if tipo is int and not isinstance(valor, int):
        return False
    return (isinstance(valor, int) or math.isfinite(valor)) and minimo <= valor <= maximo


def campos_invalidos(cliente, categorias):
    """Los campos que impiden puntuar ``cliente`` ([] si es válido)."""
    if not isinstance(cliente, dict):
        return ['cuerpo']
    malos = [c for c in CARACTERISTICAS if c not in cliente or not campo_valido(c, cliente[c], categorias)]
    cid = cliente.get('customerid')
    if cid is not None and not (isinstance(cid, str) and len(cid) <= 100):
        malos.append('customerid')
    return malos


def tipo_de_contenido(respuesta):
    # requests: {'Content-Type': '...'}; schemathesis: {'content-type': ['...']}
    for nombre, valor in respuesta.headers.items():
        if nombre.lower() == 'content-type':
            return valor[0] if isinstance(valor, list) else valor
    return ''


def comprobar_error(respuesta, campos=()):
    """Un 4xx en JSON, en español, que nombra cada campo de ``campos``."""
    assert 400 <= respuesta.status_code < 500, (respuesta.status_code, respuesta.text[:300])
    assert tipo_de_contenido(respuesta).startswith('application/json')
    cuerpo = respuesta.json()
    texto = json.dumps(cuerpo, ensure_ascii=False)
    assert cuerpo['error'] and ESPANOL.search(cuerpo['error']), cuerpo
    assert not INGLES.search(texto), cuerpo
    for detalle in cuerpo['detalles']:
        assert detalle['campo'] in cuerpo['error'] or len(cuerpo['detalles']) > 5, cuerpo
    for campo in campos:
        assert campo in texto, (campo, cuerpo)
    return cuerpo


def comprobar(respuesta, cuerpo_enviado, dv_modelo, categorias, ruta='/predict'):
    """Decide qué debía pasar con ``cuerpo_enviado`` (ya deserializado) y lo comprueba."""
    assert respuesta.status_code < 500, respuesta.text[:300]
    clientes = cuerpo_enviado if ruta == '/predict_lote' else [cuerpo_enviado]
    if ruta == '/predict_lote' and (not isinstance(clientes, list) or not 1 <= len(clientes) <= 10_000):
        comprobar_error(respuesta)
        return
    malos = {i: campos_invalidos(c, categorias) for i, c in enumerate(clientes)}
    malos = {i: m for i, m in malos.items() if m}
    if not malos:
        assert respuesta.status_code == 200, respuesta.text[:500]
        dv, modelo = dv_modelo
        limpios = [{c: cliente[c] for c in CARACTERISTICAS} for cliente in clientes]
        esperadas = modelo.predict_proba(dv.transform(limpios))[:, 1]
        obtenidas = respuesta.json() if ruta == '/predict_lote' else [respuesta.json()]
        for esperada, obtenida in zip(esperadas, obtenidas, strict=True):
            assert abs(obtenida['probabilidad_abandono'] - esperada) <= 1e-12
            assert obtenida['abandono'] is bool(esperada >= 0.5)
        return
    assert respuesta.status_code == 422, (respuesta.status_code, respuesta.text[:300], malos)
    # Nombra el primer campo malo (el resumen lista hasta 5; los detalles, todos).
    i, campos = next(iter(malos.items()))
    nombre = campos[0]
    if ruta == '/predict_lote':  # clientes[3].tenure, o clientes[3] si no es un objeto
        nombre = f'clientes[{i}]' + ('' if nombre == 'cuerpo' else f'.{nombre}')
    comprobar_error(respuesta, [nombre])


# --- hypothesis ----------------------------------------------------------

def cliente_valido(categorias):
    campos = {c: st.sampled_from(categorias[c]) for c in CATEGORICAS if c in categorias}
    campos.update(seniorcitizen=st.integers(0, 1), tenure=st.integers(0, 1200),
                  monthlycharges=st.floats(0, 100_000), totalcharges=st.floats(0, 100_000_000) | st.integers(0, 10**6))
    return st.fixed_dictionaries(campos, optional={'customerid': st.text(max_size=100) | st.none()})


VALORES_RAROS = st.one_of(
    st.text(max_size=30),
    st.integers(-10**6, 10**6), st.integers(-10**40, 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 10**400, -1, -0.0, 1201, 100_000.01, 2, True, False, None, '',
                     'Yes', 'FEMALE', ' female', 'one year', 'month_to_month', '41', '∞', 'ñ' * 200]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def peticiones(draw, categorias):
    """(ruta, cuerpo deserializado o None, bytes a enviar)."""
    tipo = draw(st.sampled_from(['cliente'] * 6 + ['lote'] * 2 + ['bytes'] * 2))
    if tipo == 'bytes':
        crudo = draw(st.one_of(
            st.binary(max_size=200),
            st.text(max_size=200).map(str.encode),
            st.sampled_from(['{', '{"tenure": 41,', '[' * 5000, '{"a":' * 2000 + '1' + '}' * 2000,
                             'null', 'true', '"cliente"', '41', '{}', '[]']).map(str.encode),
        ))
        return draw(st.sampled_from(['/predict', '/predict_lote'])), None, crudo

    def estropear(cliente):
        for campo in draw(st.lists(st.sampled_from(CARACTERISTICAS + ['customerid']), min_size=1, max_size=3, unique=True)):
            if draw(st.booleans()):
                cliente.pop(campo, None)
            else:
                cliente[campo] = draw(VALORES_RAROS)
        for extra in draw(st.lists(st.text(min_size=1, max_size=10), max_size=2)):
            if extra not in CARACTERISTICAS and extra != 'customerid':
                cliente[extra] = draw(VALORES_RAROS)
        return cliente

    if tipo == 'cliente':
        cliente = draw(cliente_valido(categorias))
        if draw(st.integers(0, 9)) < 7:
            cliente = estropear(cliente)
        return '/predict', cliente, json.dumps(cliente).encode()
    lote = [draw(cliente_valido(categorias)) for _ in range(draw(st.integers(1, 4)))]
    if draw(st.booleans()):
        i = draw(st.integers(0, len(lote) - 1))
        lote[i] = estropear(lote[i])
    return '/predict_lote', lote, json.dumps(lote).encode()


@pytest.mark.lento
def test_hypothesis_estropea_clientes(url_gunicorn, dv_modelo):
    categorias = categorias_del_modelo(dv_modelo[0])
    enviadas = []

    @AJUSTES
    @given(peticiones(categorias))
    def una(peticion):
        ruta, cuerpo, crudo = peticion
        respuesta = sesion.post(url_gunicorn + ruta, data=crudo, timeout=30,
                                headers={'Content-Type': 'application/json'})
        enviadas.append(respuesta.status_code)
        if cuerpo is None:  # bytes sueltos: puede que sean JSON válido por casualidad
            try:
                cuerpo = json.loads(crudo)
            except (ValueError, RecursionError):
                assert respuesta.status_code == 400, respuesta.text[:300]
                comprobar_error(respuesta, ['JSON'])
                return
        comprobar(respuesta, cuerpo, dv_modelo, categorias, ruta)

    with requests.Session() as sesion:
        una()
    print(f'hypothesis: {len(enviadas)} peticiones')
    assert len(enviadas) >= EJEMPLOS_HYPOTHESIS * 0.95
    # Hubo de todo: válidos, inválidos y JSON roto.
    assert enviadas.count(200) >= len(enviadas) // 10
    assert enviadas.count(422) >= len(enviadas) // 3
    assert enviadas.count(400) >= len(enviadas) // 100


# Lo que el documento promete de cada respuesta (no solo que no haya un 5xx).
CONFORMIDAD = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_headers_conformance, response_schema_conformance]


@pytest.mark.parametrize('ruta', ['/salud', '/openapi.json'])
def test_schemathesis_las_rutas_get_cumplen_el_documento(url_gunicorn, ruta):
    documento = requests.get(url_gunicorn + '/openapi.json', timeout=30).json()
    operacion = schemathesis.openapi.from_dict(documento)[ruta]['GET']

    @settings(max_examples=5, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(operacion.as_strategy())
    def una(caso):
        respuesta = caso.call(base_url=url_gunicorn, timeout=30)
        assert respuesta.status_code == 200
        caso.validate_response(respuesta, checks=CONFORMIDAD)

    una()


@pytest.mark.lento
@pytest.mark.parametrize('modo', ['positive', 'negative'])
@pytest.mark.parametrize('ruta', ['/predict', '/predict_lote'])
def test_schemathesis_desde_openapi(url_gunicorn, dv_modelo, ruta, modo):
    categorias = categorias_del_modelo(dv_modelo[0])
    documento = requests.get(url_gunicorn + '/openapi.json', timeout=30).json()
    operacion = schemathesis.openapi.from_dict(documento)[ruta]['POST']
    enviadas = []

    @settings(max_examples=EJEMPLOS_SCHEMATHESIS, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(operacion.as_strategy(generation_mode=schemathesis.GenerationMode(modo)))
    def una(caso):
        respuesta = caso.call(base_url=url_gunicorn, timeout=30)
        enviadas.append(respuesta.status_code)
        caso.validate_response(respuesta, checks=CONFORMIDAD)
        # El parámetro ?factores se comprueba antes que el cuerpo.
        factores = parse_qs(urlsplit(respuesta.request.url).query, keep_blank_values=True).get('factores')
        if factores is not None and not (factores[0].isdigit() and 1 <= int(factores[0]) <= len(CARACTERISTICAS)):
            assert respuesta.status_code == 422
            comprobar_error(respuesta, ['factores'])
            return
        try:
            cuerpo = json.loads(respuesta.request.body or b'')
        except (ValueError, RecursionError):
            comprobar_error(respuesta, ['JSON'])
            return
        comprobar(respuesta, cuerpo, dv_modelo, categorias, ruta)

    una()
    print(f'schemathesis {ruta} {modo}: {len(enviadas)} peticiones')
    assert len(enviadas) >= 100
    if modo == 'positive':
        assert set(enviadas) == {200}


CASOS_FIJOS = [
    ('/predict', b'', 400, 'JSON'),
    ('/predict', b'[' * 100_000 + b']' * 100_000, 400, 'JSON'),
    ('/predict', b' ' * (MAX_CUERPO + 1), 413, 'demasiado grande'),
    ('/predict', json.dumps({'x': 'a' * (3 * 1024 * 1024)}).encode(), 422, 'tenure'),
    ('/predict', json.dumps(CLIENTE_LECCION).replace('41', 'NaN').encode(), 422, 'tenure'),
    ('/predict', json.dumps(CLIENTE_LECCION).replace('3320.75', 'Infinity').encode(), 422, 'totalcharges'),
    ('/predict', json.dumps(CLIENTE_LECCION).replace('3320.75', '1' + '0' * 5000).encode(), 400, 'totalcharges'),
    ('/predict', json.dumps(CLIENTE_LECCION | {'tenure': -1}).encode(), 422, 'tenure'),
    ('/predict', json.dumps(CLIENTE_LECCION | {'tenure': 10**30}).encode(), 422, 'tenure'),
    ('/predict', json.dumps(CLIENTE_LECCION | {'contract': 'Two year'}).encode(), 422, 'contract'),
    ('/predict', json.dumps(CLIENTE_LECCION).encode('utf-16'), 400, 'JSON'),
    ('/predict_lote', json.dumps([{}] * 10_001).encode(), 422, '10000'),
    ('/predict_lote', json.dumps([CLIENTE_LECCION, 7]).encode(), 422, 'clientes[1]'),
    ('/predict_lote', json.dumps([CLIENTE_LECCION, CLIENTE_LECCION | {'gender': 'x'}]).encode(), 422,
     'clientes[1].gender'),
]


@pytest.mark.parametrize('ruta, crudo, estado, palabra', CASOS_FIJOS, ids=range(len(CASOS_FIJOS)))
def test_casos_extremos(url_gunicorn, ruta, crudo, estado, palabra):
    respuesta = requests.post(url_gunicorn + ruta, data=crudo, timeout=30,
                              headers={'Content-Type': 'application/json'})
    assert respuesta.status_code == estado, respuesta.text[:300]
    comprobar_error(respuesta, [palabra])
