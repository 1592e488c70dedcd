"""La ruta rápida del servicio da lo mismo que ``modelo.predict_proba`` para los 7043 clientes."""
import json

import numpy as np
import pytest
import requests

from abandono.datos import CARACTERISTICAS, cargar_clientes
from abandono.esquema import Validador
from abandono.puntuador import Puntuador

# Una prueba de aguante (pytest -m robustez): lo que llega mal, en cantidad o despacio.
pytestmark = pytest.mark.robustez

TOLERANCIA = 1e-12


@pytest.fixture(scope='module')
def clientes():
    df = cargar_clientes()
    registros = df[CARACTERISTICAS].to_dict(orient='records')
    for cliente, customerid in zip(registros, df.index.astype(str)):
        cliente['customerid'] = customerid
    return registros


@pytest.fixture(scope='module')
def esperadas(clientes, dv_modelo):
    dv, modelo = dv_modelo
    return modelo.predict_proba(dv.transform(clientes))[:, 1]


def test_son_todos_los_clientes(clientes):
    assert len(clientes) == 7043


def test_un_cliente_cada_vez(clientes, esperadas, dv_modelo):
    """Lo que hace POST /predict: validar el JSON de un cliente y puntuarlo."""
    validador, puntuador = Validador(dv_modelo[0]), Puntuador(*dv_modelo)
    obtenidas = np.array([puntuador.probabilidad(validador.cliente(json.dumps(c).encode()))
                          for c in clientes])
    assert np.abs(obtenidas - esperadas).max() <= TOLERANCIA


def test_por_lotes(clientes, esperadas, dv_modelo):
    """Lo que hace POST /predict_lote, en lotes de 1000."""
    validador, puntuador = Validador(dv_modelo[0]), Puntuador(*dv_modelo)
    obtenidas = []
    for inicio in range(0, len(clientes), 1000):
        lote = validador.lote(json.dumps(clientes[inicio:inicio + 1000]).encode())
        obtenidas += puntuador.probabilidades(lote)
    assert np.abs(np.array(obtenidas) - esperadas).max() <= TOLERANCIA


def test_por_http_con_gunicorn(url_gunicorn, clientes, esperadas):
    """De punta a punta: JSON de ida, JSON de vuelta (los float viajan sin perder cifras)."""
    respuesta = requests.post(url_gunicorn + '/predict_lote', json=clientes, timeout=60)
    assert respuesta.status_code == 200, respuesta.text[:500]
    cuerpo = respuesta.json()
    assert [r['customerid'] for r in cuerpo] == [c['customerid'] for c in clientes]
    obtenidas = np.array([r['probabilidad_abandono'] for r in cuerpo])
    assert np.abs(obtenidas - esperadas).max() <= TOLERANCIA
    assert [r['abandono'] for r in cuerpo] == (esperadas >= 0.5).tolist()
    # Y unos cuantos por /predict, uno a uno.
    with requests.Session() as sesion:
        for i in range(0, len(clientes), 97):
            r = sesion.post(url_gunicorn + '/predict', json=clientes[i], timeout=10).json()
            assert abs(r['probabilidad_abandono'] - esperadas[i]) <= TOLERANCIA
