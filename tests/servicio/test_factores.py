"""Los factores de cada predicción: una descomposición exacta del logit, y ?factores=N en el servicio."""
import json

import numpy as np
import pytest

from abandono import factores
from abandono.datos import CARACTERISTICAS, cargar_clientes
from abandono.esquema import Validador
from abandono.puntuador import Puntuador
from abandono.servicio import crear_app

TOLERANCIA = 1e-12


@pytest.fixture(scope='module')
def puntuador(dv_modelo):
    return Puntuador(*dv_modelo)


@pytest.fixture(scope='module')
def cliente_http(dv_modelo):
    return crear_app(*dv_modelo).test_client()


def test_aportes_y_sesgo_reproducen_el_logit_de_los_7043_clientes(dv_modelo, puntuador):
    dv, modelo = dv_modelo
    validador = Validador(dv)
    clientes = [validador.cliente(json.dumps(c).encode())
                for c in cargar_clientes()[CARACTERISTICAS].to_dict(orient='records')]
    assert len(clientes) == 7043
    sumas = np.array([puntuador.sesgo + sum(f['aporte'] for f in factores.aportes(puntuador, c))
                      for c in clientes])
    logits = modelo.decision_function(dv.transform(clientes))
    assert np.abs(sumas - logits).max() <= TOLERANCIA


def test_un_aporte_por_campo_con_el_valor_del_cliente(puntuador, cliente):
    lista = factores.aportes(puntuador, cliente)
    assert [f['campo'] for f in lista] == [*puntuador.categoricas, *puntuador.numericas]
    assert all(f['valor'] == cliente[f['campo']] for f in lista)
    por_campo = {f['campo']: f['aporte'] for f in lista}
    assert por_campo['contract'] == puntuador.categoricas['contract']['one_year']
    assert por_campo['tenure'] == puntuador.numericas['tenure'] * 41


def test_principales_son_los_de_mas_peso(puntuador, cliente):
    todos = sorted(abs(f['aporte']) for f in factores.aportes(puntuador, cliente))
    tres = factores.principales(puntuador, cliente, 3)
    assert [abs(f['aporte']) for f in tres] == todos[::-1][:3]
    # El cliente de la lección se queda sobre todo por sus 41 meses de antigüedad.
    assert tres[0]['campo'] == 'tenure' and tres[0]['aporte'] < 0


def test_predict_con_factores(cliente_http, cliente, puntuador):
    r = cliente_http.post('/predict?factores=3', json=cliente)
    assert r.status_code == 200
    datos = r.get_json()
    assert datos['factores'] == factores.principales(puntuador, cliente, 3)
    assert set(datos['factores'][0]) == {'campo', 'valor', 'aporte'}


def test_predict_sin_factores_no_cambia(cliente_http, cliente):
    assert 'factores' not in cliente_http.post('/predict', json=cliente).get_json()


def test_lote_con_factores(cliente_http, cliente, puntuador):
    otro = cliente | {'contract': 'month-to-month', 'tenure': 1, 'totalcharges': 79.85}
    datos = cliente_http.post('/predict_lote?factores=2', json=[cliente, otro]).get_json()
    assert [d['factores'] for d in datos] == [factores.principales(puntuador, c, 2) for c in (cliente, otro)]


@pytest.mark.parametrize('valor', ['0', '20', 'tres', '-1', '2.5', ''])
def test_factores_no_validos(cliente_http, cliente, valor):
    r = cliente_http.post(f'/predict?factores={valor}', json=cliente)
    assert r.status_code == 422
    assert r.get_json()['detalles'] == [{'campo': 'factores',
                                         'mensaje': 'debe ser un número entero entre 1 y 19'}]
