"""Ejercicio 3: servicio1.py como la aplicación Flask 'Abandono' con POST /predict en JSON."""
import pytest
import requests

from abandono.calificador import limites
from abandono.calificador.juicio import (
    fase, hechos_de, numeros_en_json, pista_probabilidad, recortar, suspenso)
from abandono.calificador.referencia import TOLERANCIA

pytestmark = pytest.mark.ejercicio(3, 'servicio1.py: la aplicación Abandono')

_PISTAS_HTTP = {
    404: "la ruta se llama /predict: @app.route('/predict', methods=['POST']).",
    405: "la ruta tiene que aceptar POST: @app.route('/predict', methods=['POST']).",
    500: 'el servicio falló al responder. Si la salida de predict_cliente va tal cual a jsonify, '
         'conviértela a tipos de Python (float(...), bool(...)): jsonify no sabe escribir los de NumPy.',
}


def app_de(servicio1):
    fase(servicio1, 'importar')
    app = hechos_de(servicio1).get('app')
    if app is None:
        suspenso('servicio1.py no crea una aplicación Flask.', "app = Flask('Abandono')", 'ninguna',
                 "crea la aplicación en el nivel del módulo: app = Flask('Abandono').")
    return app


def predecir(servicio1, cliente):
    """POST /predict con el cliente en JSON; devuelve el JSON de la respuesta o suspende."""
    app_de(servicio1)
    if servicio1.url is None:
        suspenso('No se pudo servir la aplicación de servicio1.py.', 'que arranque',
                 recortar(servicio1.salida), 'ejecuta python servicio1.py y mira el error.')
    try:
        respuesta = requests.post(f'{servicio1.url}/predict', json=cliente, timeout=limites.PETICION)
    except requests.Timeout:
        suspenso('POST /predict no responde.', f'una respuesta en menos de {limites.PETICION:.0f} s',
                 'nada (tiempo agotado)', 'busca un bucle que no termina en la función de /predict.')
    except requests.RequestException as error:
        suspenso('POST /predict no responde.', 'una respuesta', type(error).__name__,
                 'el servicio se cae al recibir la petición; mira su salida en la consola.')
    if respuesta.status_code != 200:
        suspenso('POST /predict con un cliente en JSON no responde 200.', '200 con la probabilidad en JSON',
                 f'{respuesta.status_code} {respuesta.text[:200]!r}',
                 _PISTAS_HTTP.get(respuesta.status_code,
                                  'lee el cliente del cuerpo JSON de la petición con request.get_json().'))
    try:
        return respuesta.json()
    except ValueError:
        suspenso('POST /predict no responde en JSON.', 'JSON, por ejemplo {"probabilidad_abandono": 0.06}',
                 repr(respuesta.text[:200]), 'responde con jsonify(resultado).')


def comprobar_probabilidad(respuesta, esperado, que):
    numeros = numeros_en_json(respuesta)
    if not numeros:
        suspenso(f'La respuesta de /predict {que} no trae la probabilidad como número.',
                 'un número entre 0 y 1 (por ejemplo en una clave "probabilidad_abandono")',
                 repr(respuesta)[:200], 'pon la probabilidad como float en el diccionario que devuelves con jsonify.')
    if not any(abs(n - esperado) <= TOLERANCIA for n in numeros):
        suspenso(f'/predict da otra probabilidad {que}.', f'{esperado:.6f}', repr(respuesta)[:200],
                 pista_probabilidad(numeros[0], esperado))


@pytest.mark.puntos(1)
def test_app_se_llama_abandono(servicio1):
    """la aplicación Flask se llama 'Abandono'"""
    app = app_de(servicio1)
    if app['nombre'] != 'Abandono':
        suspenso('La aplicación no tiene el nombre de la lección.', "'Abandono'", repr(app['nombre']),
                 "créala con app = Flask('Abandono').")


@pytest.mark.puntos(1)
def test_predict_por_post(servicio1, referencia):
    """POST /predict con el cliente de la lección responde su probabilidad en JSON"""
    comprobar_probabilidad(predecir(servicio1, referencia['cliente_leccion']),
                           referencia['probabilidad_leccion'], 'para el cliente de la lección')


@pytest.mark.puntos(2)
def test_predict_muchos_clientes(servicio1, referencia):
    """POST /predict acierta la probabilidad de 50 clientes reales"""
    vistas = set()
    for numero, (cliente, esperado) in enumerate(zip(referencia['clientes'], referencia['probabilidades']), 1):
        respuesta = predecir(servicio1, cliente)
        vistas.add(repr(respuesta))
        if len(vistas) == 1 and numero > 1 and abs(esperado - referencia['probabilidades'][0]) > TOLERANCIA:
            suspenso('/predict responde lo mismo a clientes distintos.', f'{esperado:.6f} para el cliente n.º {numero}',
                     repr(respuesta)[:200], 'puntúa el cliente que llega en la petición (request.get_json()), '
                     'no un cliente escrito en el código.')
        comprobar_probabilidad(respuesta, esperado, f'para el cliente n.º {numero}')


@pytest.mark.puntos(1)
def test_importar_no_arranca_el_servidor(servicio1):
    """importar servicio1 no arranca el servidor (gunicorn o waitress pueden usar app)"""
    app_de(servicio1)
    arranques = hechos_de(servicio1)['importar']['arranques']
    if arranques:
        suspenso('Importar servicio1.py arranca el servidor de desarrollo.',
                 'que import servicio1 solo cree app, sin arrancar nada',
                 f'{arranques[0]["servidor"]}(port={arranques[0]["puerto"]}) al importar',
                 "pon app.run(...) dentro de if __name__ == '__main__': para que gunicorn servicio1:app funcione.")


@pytest.mark.puntos(1)
def test_arranca_sin_depurador(servicio1):
    """python servicio1.py arranca la aplicación con el depurador apagado"""
    app = app_de(servicio1)
    arranques = hechos_de(servicio1)['script']['arranques'] if 'script' in hechos_de(servicio1) else []
    if not arranques:
        suspenso('Al ejecutar servicio1.py no se arranca la aplicación.', 'una llamada a app.run(...)',
                 'ninguna', "termina el script con app.run(host='0.0.0.0', port=9696) dentro de if __name__ == '__main__':.")
    if app['debug'] or any(a['debug'] for a in arranques):
        suspenso('servicio1.py arranca con el depurador activado.', 'debug=False (o sin debug)', 'debug=True',
                 'el depurador de Werkzeug deja ejecutar código a quien llegue al servicio: '
                 'úsalo solo en tu máquina, nunca en lo que entregas.')
