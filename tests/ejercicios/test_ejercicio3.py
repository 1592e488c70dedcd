"""Ejercicio 3: servicio1.py como la aplicación Flask 'Abandono' con POST /predict en JSON.

La aplicación se prueba como la usaría gunicorn (``servicio1:app`` importado y
servido por el calificador): así el ejercicio 3 no depende de lo que haga el
bloque ``__main__`` del ejercicio 1. Solo ``test_script_sirve_sin_depurador``
ejecuta ``python servicio1.py``.
"""
import pytest
import requests

from abandono.calificador import limites
from abandono.calificador.juicio import (
    MAX_NUMEROS_JSON, causa_de_un_500, clave_de, explicar, importado, nombres_de_flask, numeros_en_json, pedir,
    pista_probabilidad, sirve_sin_depurador, suspenso, una_vez)
from abandono.calificador.referencia import TOLERANCIA

ARCHIVO = 'servicio1.py'

_PISTAS_HTTP = {
    404: "la ruta se llama /predict: @app.route('/predict', methods=['POST']).",
    405: "la ruta tiene que aceptar POST: @app.route('/predict', methods=['POST']).",
    500: 'el servicio falló al responder (arriba está su excepción). Si predict_cliente devuelve la matriz '
         '(y_pred y no y_pred[0]) o un numpy.bool_ va tal cual a jsonify, devuelve el número y conviértelo '
         'con float(...) y bool(...).',
}


@pytest.fixture
def app(observador):
    """La URL de la aplicación de servicio1.py: la que sirve el calificador o, si import se quedó sirviendo, esa."""
    importacion = observador.importado(ARCHIVO)
    if importacion is not None and importacion.url:
        return importacion.url
    importado(observador, ARCHIVO)
    suspenso('servicio1.py no crea una aplicación Flask.', "app = Flask('Abandono')", 'ninguna',
             "crea la aplicación en el nivel del módulo: app = Flask('Abandono').")


def predecir(observador, url, cliente):
    """POST /predict con el cliente en JSON; devuelve el JSON de la respuesta o suspende."""
    # Los suspensos van fuera de los except: así el mensaje no arrastra la excepción de requests.
    try:
        respuesta, fallo = pedir('POST', f'{url}/predict', json=cliente), None
    except requests.RequestException as error:
        respuesta, fallo = None, error
    if isinstance(fallo, requests.Timeout):
        suspenso('POST /predict no responde.', f'una respuesta en menos de {limites.PETICION:.0f} s',
                 'nada (tiempo agotado)', 'busca un bucle que no termina en la función de /predict.')
    if fallo is not None:
        suspenso('POST /predict no responde.', 'una respuesta', type(fallo).__name__,
                 'el servicio se cae al recibir la petición; ejecútalo y mira su salida en la consola.')
    causa = causa_de_un_500(observador, ARCHIVO, respuesta.text) if respuesta.status_code == 500 else None
    if causa is not None:
        una_vez(observador, clave_de(causa), 'POST /predict responde 500: el servicio falla al responder.',
                '200 con la probabilidad en JSON', f'500 por {explicar(causa)}', causa.arreglo or _PISTAS_HTTP[500])
    if respuesta.status_code != 200:
        suspenso('POST /predict con un cliente en JSON no responde 200.', '200 con la probabilidad en JSON',
                 f'{respuesta.status_code} {respuesta.text[:160]!r}',
                 _PISTAS_HTTP.get(respuesta.status_code,
                                  'lee el cliente del cuerpo JSON de la petición con request.get_json().'))
    try:
        return respuesta.json()
    except ValueError:
        pass
    suspenso('POST /predict no responde en JSON.', 'JSON, por ejemplo {"probabilidad_abandono": 0.06}',
             repr(respuesta.text[:120]), 'responde con jsonify(resultado).')


def comprobar_probabilidad(respuesta, esperado, que):
    numeros = numeros_en_json(respuesta)
    if not numeros or len(numeros) > MAX_NUMEROS_JSON:
        suspenso(f'La respuesta de /predict {que} no trae la probabilidad como un número.',
                 'un objeto JSON con la probabilidad como número (por ejemplo en "probabilidad_abandono")',
                 repr(respuesta)[:120] if numeros else f'{len(numeros)} números',
                 'devuelve con jsonify un diccionario pequeño con la probabilidad como float.')
    if not any(abs(n - esperado) <= TOLERANCIA for n in numeros):
        suspenso(f'/predict da otra probabilidad {que}.', f'{esperado:.6f}', repr(respuesta)[:120],
                 pista_probabilidad(numeros[0], esperado))


def test_app_se_llama_abandono(entrada, app):
    """la aplicación Flask se llama 'Abandono'"""
    nombres = nombres_de_flask(entrada.texto(ARCHIVO))
    if 'Abandono' not in nombres:
        suspenso('La aplicación no tiene el nombre de la lección.', "Flask('Abandono')",
                 ', '.join(f'Flask({n})' if n else 'Flask()' for n in nombres) or 'ninguna en el nivel del módulo',
                 "créala con app = Flask('Abandono').")


def test_predict_del_cliente_de_la_leccion(observador, app, referencia):
    """POST /predict con el cliente de la lección responde su probabilidad en JSON"""
    comprobar_probabilidad(predecir(observador, app, referencia.cliente_leccion),
                           referencia.probabilidad_leccion, 'para el cliente de la lección')


def test_predict_muchos_clientes(observador, app, referencia):
    """POST /predict acierta la probabilidad de clientes nuevos"""
    vistas = set()
    for numero, (cliente, esperado) in enumerate(zip(referencia.clientes, referencia.probabilidades), 1):
        respuesta = predecir(observador, app, cliente)
        vistas.add(repr(respuesta))
        if len(vistas) == 1 and numero > 1 and abs(esperado - referencia.probabilidades[0]) > TOLERANCIA:
            suspenso('/predict responde lo mismo a clientes distintos.', f'{esperado:.6f} para el cliente n.º {numero}',
                     repr(respuesta)[:120], 'puntúa el cliente que llega en la petición (request.get_json()), '
                     'no un cliente escrito en el código.')
        comprobar_probabilidad(respuesta, esperado, f'para el cliente n.º {numero}')


def test_script_sirve_sin_depurador(entrada, observador):
    """python servicio1.py sirve la aplicación con el depurador apagado"""
    sirve_sin_depurador(observador, ARCHIVO, entrada.texto(ARCHIVO))


# La última del archivo: los puertos se vigilan desde la importación hasta aquí (con las peticiones
# de las pruebas de arriba en medio) y se leen una vez más al final.
def test_importar_no_arranca_el_servidor(observador, app):
    """importar servicio1 no arranca ningún servidor (gunicorn servicio1:app puede usar la app)"""
    importacion = observador.importado(ARCHIVO)
    otros = observador.puertos_al_importar(ARCHIVO)
    if not (importacion.informe or {}).get('importado') or otros:
        suspenso('Importar servicio1.py arranca un servidor.', 'que import servicio1 solo cree app, sin arrancar nada',
                 f'al importar escucha el puerto {otros[0]}' if otros else 'import no vuelve',
                 "pon app.run(...) dentro de if __name__ == '__main__': para que gunicorn servicio1:app funcione.")
