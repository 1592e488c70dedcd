"""El servicio real por HTTP con el modelo del curso: servidor de desarrollo, gunicorn y waitress.

Un conjunto corto: lo que el servidor podría cambiar (cuerpo, cabeceras,
códigos, acentos). Cada caso de validación, uno a uno, está en ``test_app.py``.
"""
import hashlib
import json
import socket
from urllib.parse import urlsplit

import pytest
import requests

from abandono.datos import CLIENTE_LECCION
from abandono.integridad import RUTA_MODELO, ruta_huella


def test_el_cliente_de_la_leccion(url_servicio, cliente, probabilidad_leccion):
    respuesta = requests.post(url_servicio + '/predict', json=cliente, timeout=10)
    assert respuesta.status_code == 200
    assert respuesta.json() == {'probabilidad_abandono': pytest.approx(probabilidad_leccion, abs=1e-12),
                                'abandono': False, 'customerid': CLIENTE_LECCION['customerid']}
    assert respuesta.headers['Content-Type'] == 'application/json; charset=utf-8'
    assert respuesta.headers['X-Content-Type-Options'] == 'nosniff'
    assert respuesta.headers['Cache-Control'] == 'no-store'


def test_un_error_en_espanol_legible(url_servicio):
    respuesta = requests.get(url_servicio + '/predict', timeout=10)
    assert respuesta.status_code == 405
    assert 'POST' in respuesta.headers['Allow']
    # Los bytes tal cual, como los enseñan curl o el navegador: «Método», no «M\u00e9todo».
    assert respuesta.content.startswith('{"error": "Método GET no permitido'.encode())


def test_un_422_nombra_el_campo(url_servicio, cliente):
    respuesta = requests.post(url_servicio + '/predict', json=cliente | {'contract': 'weekly'}, timeout=10)
    assert respuesta.status_code == 422
    assert respuesta.json()['detalles'][0]['campo'] == 'contract'


def test_cuerpo_enorme_es_413(url_servicio):
    from abandono.servicio import MAX_CUERPO
    respuesta = requests.post(url_servicio + '/predict', data=b' ' * (MAX_CUERPO + 1),
                              headers={'Content-Type': 'application/json'}, timeout=30)
    assert respuesta.status_code == 413
    assert 'demasiado grande' in respuesta.json()['error']


def test_lote(url_servicio, cliente, probabilidad_leccion):
    otro = cliente | {'customerid': 'otro', 'contract': 'month-to-month', 'tenure': 1}
    respuesta = requests.post(url_servicio + '/predict_lote', json=[cliente, otro], timeout=10)
    primero, segundo = respuesta.json()
    assert primero['probabilidad_abandono'] == pytest.approx(probabilidad_leccion, abs=1e-12)
    assert segundo['customerid'] == 'otro'


def test_salud_da_la_huella_del_modelo_servido(url_servicio, dv_modelo):
    # La huella de /salud resume (dv, modelo); la del archivo, sus bytes. Las dos deben cuadrar.
    cuerpo = requests.get(url_servicio + '/salud', timeout=10).json()
    assert cuerpo == {'estado': 'ok', 'modelo': hashlib.sha256(open(RUTA_MODELO, 'rb').read()).hexdigest()[:12]}
    assert open(ruta_huella(RUTA_MODELO)).read().startswith(cuerpo['modelo'])


def test_ninguna_cabecera_server_dice_la_version(url_servicio):
    servidor = requests.get(url_servicio + '/salud', timeout=10).headers.get('Server', '')
    assert not any(c.isdigit() for c in servidor), servidor


def test_peticiones_en_tuberia(url_servicio, request):
    """Dos peticiones seguidas en la misma conexión (HTTP/1.1 pipelining) se responden las dos.

    Salvo en el servidor de desarrollo: Werkzeug cierra cada conexión tras la
    primera respuesta y lo anuncia con «Connection: close», así que el cliente
    debe repetir la segunda en otra conexión (requests lo hace solo).
    """
    desarrollo = request.node.callspec.params['url_servicio'] == 'desarrollo'
    partes = urlsplit(url_servicio)
    cuerpo = json.dumps(CLIENTE_LECCION).encode()
    una = (f'POST /predict HTTP/1.1\r\nHost: {partes.netloc}\r\nContent-Type: application/json\r\n'
           f'Content-Length: {len(cuerpo)}\r\n\r\n').encode() + cuerpo
    ultima = una.replace(b'\r\n\r\n', b'\r\nConnection: close\r\n\r\n', 1)
    with socket.create_connection((partes.hostname, partes.port), timeout=10) as conexion:
        conexion.sendall(una + ultima)
        recibido = b''
        while datos := conexion.recv(65536):
            recibido += datos
    assert recibido.count(b'HTTP/1.1 200') == (1 if desarrollo else 2), recibido[:500]
    if desarrollo:
        assert b'Connection: close' in recibido
