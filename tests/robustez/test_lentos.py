"""Clientes lentos (slowloris): las órdenes que recomienda el README siguen respondiendo.

200 conexiones con cabeceras sin terminar y 50 con un cuerpo a medias, un
byte por segundo durante 20 s, mientras un cliente normal manda POST /predict;
el objetivo es responder al menos el 99 % con p99 < 1 s. Solo 127.0.0.1, con
un número de conexiones y un tiempo máximos (``bench/lentos.py``). La
prueba completa tarda unos 25 s por servidor y va en la tanda lenta
(``pytest -m lento``); una versión corta contra gunicorn corre siempre.
"""
import pytest

from abandono.lanzador import en_marcha, orden_servicio, puerto_libre
from bench import lentos, medidas

OBJETIVO = 0.99
P99_MS = 1000


def comprobar(resultado, minimo):
    respondidas = resultado.peticiones - resultado.errores
    # Un cliente normal que apenas llegó a preguntar no demuestra nada.
    assert resultado.peticiones >= minimo, resultado.estados
    assert respondidas / resultado.peticiones >= OBJETIVO, resultado.estados
    assert resultado.p99_ms < P99_MS, resultado.p99_ms


def test_gunicorn_aguanta_250_conexiones_lentas_unos_segundos(url_gunicorn):
    resultado, _ = lentos.medir(url_gunicorn, medidas.cuerpo_cliente(), duracion=4.0, preparacion=1.0)
    comprobar(resultado, minimo=100)


@pytest.mark.lento
@pytest.mark.parametrize('servidor', ['gunicorn', 'waitress', 'desarrollo'])
def test_cada_orden_recomendada_aguanta_20_segundos(servidor):
    puerto = puerto_libre()
    with en_marcha(orden_servicio(servidor, puerto), puerto) as url:
        resultado, _ = lentos.medir(url, medidas.cuerpo_cliente(), cabeceras=200, cuerpos=50, duracion=20.0)
    comprobar(resultado, minimo=200)


@pytest.mark.lento
def test_la_medida_detecta_un_servidor_que_no_aguanta():
    """gunicorn con workers síncronos (la orden de antes): dos conexiones lentas lo bloquean."""
    puerto = puerto_libre()
    orden = lentos.candidatos(puerto)['gunicorn sync -w 2 (antes)']
    with en_marcha(orden, puerto) as url:
        resultado, _ = lentos.medir(url, medidas.cuerpo_cliente(), duracion=6.0, preparacion=1.0)
    assert resultado.peticiones - resultado.errores < resultado.peticiones * OBJETIVO, resultado.estados
