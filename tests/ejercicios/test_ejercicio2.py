"""Ejercicio 2: flask_test.py con la función hola en una ruta."""
import pytest
import requests

from abandono.calificador import limites
from abandono.calificador.juicio import importado, no_termina, sirve_sin_depurador, suspenso, ultima_linea

ARCHIVO = 'flask_test.py'
SALUDO = 'Hola C8280'


@pytest.fixture
def importacion(observador):
    importacion = observador.importado(ARCHIVO)
    importado(importacion, ARCHIVO)
    return importacion


def test_funcion_hola(importacion):
    """la función hola devuelve 'Hola C8280'"""
    hola = importacion.informe.get('hola')
    if hola is None:
        no_termina(importacion.informe, ARCHIVO)
        suspenso('flask_test.py no define la función hola.', "def hola(): return 'Hola C8280'", 'no existe',
                 'la función se tiene que llamar hola, como en la lección.')
    if hola.get('texto') != SALUDO:
        obtenido = (ultima_linea(hola['error']) if 'error' in hola
                    else repr(hola['texto']) if 'texto' in hola else f"un {hola['tipo']}")
        suspenso('hola() no devuelve el saludo de la lección.', repr(SALUDO), obtenido,
                 "la función devuelve el texto con return 'Hola C8280' (print solo lo muestra en la consola).")


def test_ruta_responde_hola(importacion):
    """alguna ruta GET de la aplicación responde 'Hola C8280'"""
    rutas = importacion.informe.get('app') or []
    if importacion.url is None:
        suspenso('flask_test.py no tiene una aplicación Flask que se pueda servir.', 'app = Flask(...)',
                 'ninguna', 'crea la aplicación con app = Flask(...) y asigna una ruta a hola con @app.route(...).')
    candidatas = [r['regla'] for r in rutas if 'GET' in r['metodos'] and not r['argumentos']] or ['/', '/hola']
    vistas = {}
    for ruta in candidatas[:10]:
        try:
            respuesta = requests.get(importacion.url + ruta, timeout=limites.PETICION)
        except requests.RequestException as error:
            vistas[ruta] = f'sin respuesta ({type(error).__name__})'
            continue
        if respuesta.status_code == 200 and respuesta.text.strip() == SALUDO:
            return
        vistas[ruta] = f'{respuesta.status_code} {respuesta.text[:40]!r}'
    suspenso('Ninguna ruta de flask_test.py responde el saludo.', f'una ruta GET que responda {SALUDO!r}',
             '; '.join(f'{r} -> {v}' for r, v in vistas.items()),
             "asigna una ruta a hola con @app.route('/hola') encima de def hola().")


def test_script_sirve_sin_depurador(observador):
    """python flask_test.py sirve la aplicación con el depurador apagado"""
    sirve_sin_depurador(observador.script(ARCHIVO), ARCHIVO)
