"""servicio1:app arranca igual con waitress (el servidor para Windows)."""
import requests

from abandono.lanzador import en_marcha, orden_servicio, puerto_libre


def test_waitress_sirve_la_misma_app(cliente):
    puerto = puerto_libre()
    with en_marcha(orden_servicio('waitress', puerto), puerto) as url:
        cuerpo = requests.post(url + '/predict', json=cliente, timeout=10).json()
    assert cuerpo['abandono'] is False
    assert round(cuerpo['probabilidad_abandono'], 4) == 0.0619
