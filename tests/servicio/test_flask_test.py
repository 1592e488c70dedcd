"""flask_test.py se ejecuta y responde 'Hola C8280'."""
import sys

import requests

from abandono.lanzador import en_marcha, puerto_libre


def test_flask_test_responde_hola():
    puerto = puerto_libre()
    with en_marcha([sys.executable, 'flask_test.py'], puerto, env={'PUERTO': str(puerto)}) as url:
        respuesta = requests.get(url + '/hola', timeout=10)
    assert respuesta.status_code == 200
    assert respuesta.text == 'Hola C8280'
