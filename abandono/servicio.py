"""La aplicación Flask 'Abandono': el servicio de la lección, listo para producción.

``crear_app(dv, modelo)`` sigue el patrón de fábrica del tutorial de Flask:
las pruebas crean una app con el modelo que quieran y ``servicio1.py`` crea la
de verdad con ``modelo_trabajo.bin``.
"""
import hashlib
import json
import pickle

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from abandono import factores, metricas, pagina
from abandono.esquema import ErrorDeEntrada, Validador
from abandono.openapi import documento
from abandono.puntuador import Puntuador

UMBRAL = 0.5
# Un lote de 1000 clientes ocupa unos 600 KB; más de 4 MiB es un error o un abuso.
MAX_CUERPO = 4 * 1024 * 1024

_ERRORES_HTTP = {
    404: 'Esa ruta no existe. Las rutas son POST /predict, POST /predict_lote, GET /salud y GET /openapi.json.',
    405: 'Método no permitido en esta ruta. /predict y /predict_lote solo aceptan POST '
         'con el cliente en JSON: requests.post(url, json=cliente).',
    413: f'El cuerpo de la petición es demasiado grande (máximo {MAX_CUERPO // (1024 * 1024)} MiB).',
}


def respuesta(probabilidad, cliente):
    """La respuesta de /predict: tipos nativos de JSON, nunca tipos de NumPy."""
    resultado = {'probabilidad_abandono': probabilidad, 'abandono': probabilidad >= UMBRAL}
    if 'customerid' in cliente:
        resultado['customerid'] = cliente['customerid']
    return resultado


def cuerpo_de_la_peticion(entorno):
    """Los bytes del cuerpo de la petición.

    Con un ``Content-Length`` dentro del límite se leen tal cual de
    ``wsgi.input``: ``request.get_data()`` cuesta unos 15 µs más por petición
    (flujo limitado y caché de Werkzeug), más que puntuar al cliente. En
    cualquier otro caso (sin longitud, ``chunked``, demasiado grande) decide
    Werkzeug, que responde 413 si el cuerpo pasa de ``MAX_CUERPO``.
    """
    longitud = entorno.get('CONTENT_LENGTH', '')
    if (longitud.isdigit() and int(longitud) <= MAX_CUERPO
            and 'HTTP_TRANSFER_ENCODING' not in entorno):
        return entorno['wsgi.input'].read(int(longitud))
    return request.get_data()


def crear_app(dv, modelo):
    app = Flask('Abandono')
    app.config['MAX_CONTENT_LENGTH'] = MAX_CUERPO
    validador = Validador(dv)
    puntuador = Puntuador(dv, modelo)
    # Identifica el modelo servido en /salud sin volver a leer el archivo.
    huella = hashlib.sha256(pickle.dumps((dv, modelo))).hexdigest()[:12]
    # El documento solo depende del modelo: se construye una vez, no en cada petición.
    descripcion = documento(validador)

    def en_json(datos):
        # json.dumps directo: lo mismo que jsonify sin ordenar claves, unos µs menos.
        return app.response_class(json.dumps(datos), mimetype='application/json')

    @app.post('/predict')
    def predict():
        n = factores.cuantos(request.args, puntuador)
        cliente = validador.cliente(cuerpo_de_la_peticion(request.environ))
        resultado = respuesta(puntuador.probabilidad(cliente), cliente)
        if n:
            resultado['factores'] = factores.principales(puntuador, cliente, n)
        metricas.clientes_puntuados(1)
        return en_json(resultado)

    @app.post('/predict_lote')
    def predict_lote():
        n = factores.cuantos(request.args, puntuador)
        clientes = validador.lote(cuerpo_de_la_peticion(request.environ))
        probabilidades = puntuador.probabilidades(clientes)
        resultados = [respuesta(p, c) for p, c in zip(probabilidades, clientes)]
        if n:
            for resultado, cliente in zip(resultados, clientes):
                resultado['factores'] = factores.principales(puntuador, cliente, n)
        metricas.clientes_puntuados(len(clientes))
        return en_json(resultados)

    @app.get('/salud')
    def salud():
        return jsonify(estado='ok', modelo=huella)

    @app.get('/openapi.json')
    def openapi():
        return jsonify(descripcion)

    @app.errorhandler(ErrorDeEntrada)
    def error_de_entrada(error):
        return jsonify(error.como_json()), error.estado

    @app.errorhandler(HTTPException)
    def error_http(error):
        mensaje = _ERRORES_HTTP.get(error.code, error.description)
        # get_response() conserva cabeceras como Allow en un 405.
        salida = error.get_response()
        salida.data = jsonify(error=mensaje, detalles=[]).get_data()
        salida.content_type = 'application/json'
        return salida

    @app.errorhandler(Exception)
    def error_interno(error):
        app.logger.exception('Error no previsto')
        return jsonify(error='Error interno del servicio. El detalle está en el registro del servidor.',
                       detalles=[]), 500

    pagina.registrar(app, validador, UMBRAL)
    # Al final: mide todas las rutas de arriba.
    metricas.instrumentar(app, huella, type(modelo).__name__)
    return app
