"""Ejercicio 2: flask_test.py con la función hola en una ruta."""
import pytest
import requests

from abandono.calificador.juicio import (
    bloque, causa_de_un_500, importado, no_termina, sirve_sin_depurador, suspenso, ultima_linea)
from abandono.calificador.observacion import pedir

ARCHIVO = 'flask_test.py'
SALUDO = 'Hola C8280'


@pytest.fixture
def importacion(observador):
    importado(observador, ARCHIVO)
    return observador.importado(ARCHIVO)


def _error_en_la_ruta(observador, ruta, respuesta):
    """Si la ruta de hola falla dentro (500), el bloque de su causa: su línea y su arreglo."""
    causa = causa_de_un_500(observador, ARCHIVO, respuesta.text, ruta) if respuesta.status_code == 500 else None
    if causa is not None:
        bloque(observador, causa, f'{SALUDO!r} en {ruta}', f'HTTP 500 en {ruta}: la función falla al responder')


def test_funcion_hola(observador, importacion):
    """la función hola devuelve 'Hola C8280' en su ruta"""
    # El punto sale de la respuesta HTTP de la ruta de hola, leída de app.url_map (cuentan
    # @app.route y app.add_url_rule); lo que informe la sonda al llamar a hola() solo sirve para la pista.
    informe = importacion.informe
    hola = ((informe.get('sondas') or {}).get('hola') or [None])[0]
    if hola is None:
        no_termina(observador, informe, ARCHIVO)
        suspenso('flask_test.py no define la función hola.', "def hola(): return 'Hola C8280'", 'no existe',
                 'la función se tiene que llamar hola, como en la lección.')
    rutas = [r['regla'] for r in informe.get('app') or []
             if r.get('funcion') == 'hola' and 'GET' in r['metodos'] and not r['argumentos']]
    if not rutas:
        no_termina(observador, informe, ARCHIVO)
        suspenso('La función hola no tiene ruta.', "@app.route('/hola') encima de def hola()",
                 'ninguna ruta GET de la aplicación lleva a hola',
                 "asígnale una ruta con @app.route('/hola'), justo encima de def hola():.")
    if importacion.url is None:
        suspenso('flask_test.py no tiene una aplicación Flask que se pueda servir.', 'app = Flask(...)',
                 'ninguna', "crea la aplicación con app = Flask('test') antes de def hola().")
    vistas = []
    for ruta in rutas[:5]:
        try:
            respuesta = pedir('GET', importacion.url + ruta)
        except requests.RequestException as error:
            vistas.append(f'{ruta} -> sin respuesta ({type(error).__name__})')
            continue
        if respuesta.status_code == 200 and respuesta.text.strip() == SALUDO:
            return
        _error_en_la_ruta(observador, ruta, respuesta)
        vistas.append(f'{ruta} -> {respuesta.status_code} {respuesta.text[:40]!r}')
    if 'error' in hola:
        vistas.append(f"hola() falla: {ultima_linea(hola['error'])}")
    suspenso('hola() no devuelve el saludo de la lección.', f'{SALUDO!r} en {rutas[0]}', '; '.join(vistas),
             "la función devuelve el texto con return 'Hola C8280' (print solo lo muestra en la consola).")


def test_ruta_responde_hola(observador, importacion):
    """alguna ruta GET de la aplicación responde 'Hola C8280'"""
    rutas = importacion.informe.get('app') or []
    if importacion.url is None:
        suspenso('flask_test.py no tiene una aplicación Flask que se pueda servir.', 'app = Flask(...)',
                 'ninguna', "crea la aplicación con app = Flask('test') y asigna una ruta a hola con @app.route('/hola').")
    candidatas = [r['regla'] for r in rutas if 'GET' in r['metodos'] and not r['argumentos']] or ['/', '/hola']
    vistas = {}
    for ruta in candidatas[:10]:
        try:
            respuesta = pedir('GET', importacion.url + ruta)
        except requests.RequestException as error:
            vistas[ruta] = f'sin respuesta ({type(error).__name__})'
            continue
        if respuesta.status_code == 200 and respuesta.text.strip() == SALUDO:
            return
        _error_en_la_ruta(observador, ruta, respuesta)
        vistas[ruta] = f'{respuesta.status_code} {respuesta.text[:40]!r}'
    suspenso('Ninguna ruta de flask_test.py responde el saludo.', f'una ruta GET que responda {SALUDO!r}',
             '; '.join(f'{r} -> {v}' for r, v in vistas.items()),
             "asigna una ruta a hola con @app.route('/hola') encima de def hola().")


def test_script_sirve_sin_depurador(observador):
    """python mi_trabajo/flask_test.py sirve la aplicación con el depurador apagado"""
    sirve_sin_depurador(observador, ARCHIVO)
