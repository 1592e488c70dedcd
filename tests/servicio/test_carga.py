"""Carga: 20 000 peticiones con 32 conexiones contra gunicorn, sin errores ni fugas de memoria.

Tarda unos 15 s en esta máquina, así que está marcada ``lento``:
``python -m pytest -m lento tests/servicio/test_carga.py`` (y ``make bench`` la repite).
"""
import time
from urllib.parse import urlsplit

import pytest

from bench import medidas

# Una prueba de aguante (pytest -m robustez): lo que llega mal, en cantidad o despacio.
pytestmark = pytest.mark.robustez


@pytest.mark.lento
def test_veinte_mil_peticiones_sin_errores_ni_fugas(url_gunicorn):
    # gunicorn abre el puerto antes de crear sus workers: se espera a que estén los dos.
    fin = time.monotonic() + 10
    while len(procesos := medidas.procesos_del_servicio(urlsplit(url_gunicorn).port)) < 3 and time.monotonic() < fin:
        time.sleep(0.1)
    assert len(procesos) == 3, procesos  # el principal y 2 workers
    resultado, antes, despues, crecimiento = medidas.aguante(url_gunicorn, procesos, total=20_000,
                                                             conexiones=32, duracion=120)
    assert resultado.peticiones == 20_000, resultado.estados
    assert resultado.errores == 0, resultado.estados
    assert set(antes) == set(despues)  # ningún worker murió ni se reinició
    assert crecimiento <= 0.05, (antes, despues)
