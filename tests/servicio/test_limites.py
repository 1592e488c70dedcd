"""El límite del cuerpo deja pasar el lote más grande que se admite: 10 000 clientes.

Se envían como lo hace ``requests.post(url, json=...)`` (con ``", "`` y
``": "`` entre elementos), cada cliente con las categorías más largas que
conoce el modelo, números con todas sus cifras y un customerid de 100
caracteres: el peor caso de un lote válido.
"""
import json

import requests

from abandono.esquema import MAX_CLIENTES_LOTE, categorias_del_modelo
from abandono.servicio import MAX_CUERPO


def cliente_mas_largo(dv, i):
    cliente = {'customerid': f'{i:0100d}'}
    cliente.update({campo: max(valores, key=len) for campo, valores in categorias_del_modelo(dv).items()})
    cliente.update(seniorcitizen=1, tenure=1200, monthlycharges=99999.99999999999, totalcharges=99999999.99999999)
    return cliente


def cuerpo_de_requests(datos):
    return requests.Request('POST', 'http://127.0.0.1/', json=datos).prepare().body


def test_un_lote_lleno_del_peor_caso_cabe_con_margen(dv_modelo):
    cuerpo = cuerpo_de_requests([cliente_mas_largo(dv_modelo[0], i) for i in range(MAX_CLIENTES_LOTE)])
    assert len(cuerpo) <= 0.9 * MAX_CUERPO, len(cuerpo) / 2**20


def test_exactamente_el_limite_de_clientes_es_200(cliente_app, dv_modelo_pequeno):
    clientes = [cliente_mas_largo(dv_modelo_pequeno[0], i) for i in range(MAX_CLIENTES_LOTE)]
    respuesta = cliente_app.post('/predict_lote', data=cuerpo_de_requests(clientes),
                                 headers={'Content-Type': 'application/json'})
    assert respuesta.status_code == 200, respuesta.get_data(as_text=True)[:300]
    assert len(respuesta.json) == MAX_CLIENTES_LOTE
    assert respuesta.json[-1]['customerid'] == f'{MAX_CLIENTES_LOTE - 1:0100d}'


def test_un_cliente_de_mas_es_422_en_espanol_y_no_413(cliente_app, cliente):
    lote = [cliente | {'customerid': f'cliente-{i:05d}'} for i in range(MAX_CLIENTES_LOTE + 1)]
    respuesta = cliente_app.post('/predict_lote', json=lote)
    assert respuesta.status_code == 422
    assert respuesta.json['detalles'] == [
        {'campo': 'cuerpo', 'mensaje': f'como mucho se aceptan {MAX_CLIENTES_LOTE} clientes por petición'}]


def test_el_lote_lleno_por_http_con_gunicorn(url_gunicorn, dv_modelo):
    """Lo mismo de punta a punta: el servidor no pone otro límite por debajo."""
    clientes = [cliente_mas_largo(dv_modelo[0], i) for i in range(MAX_CLIENTES_LOTE)]
    respuesta = requests.post(url_gunicorn + '/predict_lote', json=clientes, timeout=60)
    assert respuesta.status_code == 200, respuesta.text[:300]
    assert len(respuesta.json()) == MAX_CLIENTES_LOTE
    assert json.loads(respuesta.content)[0]['customerid'] == '0' * 100


def _en_trozos(datos, trozo=64 * 1024):
    """Un generador: requests lo envía con Transfer-Encoding: chunked, sin Content-Length."""
    for i in range(0, len(datos), trozo):
        yield datos[i:i + trozo]


def test_un_cuerpo_chunked_demasiado_grande_es_413_en_espanol(url_servicio):
    """Sin Content-Length el servicio lee como mucho MAX_CUERPO + 1 bytes y responde 413, no «JSON no válido»."""
    grande = b'[' + b' ' * (MAX_CUERPO + 2**20) + b']'
    respuesta = requests.post(url_servicio + '/predict_lote', data=_en_trozos(grande), timeout=60,
                              headers={'Content-Type': 'application/json'})
    assert respuesta.status_code == 413, respuesta.text[:300]
    assert respuesta.json()['error'].startswith(
        f'El cuerpo de la petición es demasiado grande (máximo {MAX_CUERPO // 2**20} MiB')


def test_un_cuerpo_chunked_normal_se_responde(url_servicio, cliente):
    respuesta = requests.post(url_servicio + '/predict', data=_en_trozos(json.dumps(cliente).encode(), 100),
                              headers={'Content-Type': 'application/json'}, timeout=10)
    assert respuesta.status_code == 200, respuesta.text[:300]
    assert respuesta.json()['customerid'] == cliente['customerid']
