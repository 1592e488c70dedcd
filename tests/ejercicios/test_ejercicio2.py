"""Ejercicio 2: flask_test.py con la función hola en una ruta."""
import pytest
import requests

from abandono.calificador import limites
from abandono.calificador.juicio import fase, hechos_de, recortar, suspenso

pytestmark = pytest.mark.ejercicio(2, 'flask_test.py: hola en una ruta')

SALUDO = 'Hola C8280'


@pytest.mark.puntos(1)
def test_funcion_hola(flask_test):
    """la función hola devuelve 'Hola C8280'"""
    fase(flask_test, 'importar')
    hola = hechos_de(flask_test).get('hola')
    if hola is None:
        suspenso('flask_test.py no define la función hola.', "def hola(): return 'Hola C8280'", 'no existe',
                 'la función se tiene que llamar hola, como en la lección.')
    if hola.get('texto') != SALUDO:
        obtenido = recortar(hola['error']) if 'error' in hola else repr(hola.get('texto', hola.get('repr')))
        suspenso('hola() no devuelve el saludo de la lección.', repr(SALUDO), obtenido,
                 "la función devuelve el texto con return 'Hola C8280' (print solo lo muestra en la consola).")


@pytest.mark.puntos(2)
def test_ruta_responde_hola(flask_test):
    """alguna ruta GET de la aplicación responde 'Hola C8280'"""
    fase(flask_test, 'importar')
    app = hechos_de(flask_test).get('app')
    if app is None or flask_test.url is None:
        suspenso('flask_test.py no tiene una aplicación Flask que se pueda servir.', 'app = Flask(...)',
                 'ninguna' if app is None else recortar(flask_test.salida),
                 'crea la aplicación con app = Flask(...) y asigna una ruta a hola con @app.route(...).')
    rutas = [r['regla'] for r in app['rutas'] if 'GET' in r['metodos'] and not r['argumentos']]
    vistas = {}
    for ruta in rutas:
        try:
            respuesta = requests.get(flask_test.url + ruta, timeout=limites.PETICION)
            vistas[ruta] = f'{respuesta.status_code} {respuesta.text[:80]!r}'
            if respuesta.status_code == 200 and respuesta.text.strip() == SALUDO:
                return
        except requests.RequestException as error:
            vistas[ruta] = f'sin respuesta ({type(error).__name__})'
    suspenso('Ninguna ruta de flask_test.py responde el saludo.', f'una ruta GET que responda {SALUDO!r}',
             '; '.join(f'{r} -> {v}' for r, v in vistas.items()) or 'ninguna ruta GET',
             "asigna una ruta a hola con @app.route('/hola') encima de def hola().")
