"""La aplicación Flask 'Abandono': el servicio de la lección, listo para producción.

``crear_app(dv, modelo)`` sigue el patrón de fábrica del tutorial de Flask:
las pruebas crean una app con el modelo que quieran y ``servicio1.py`` crea la
de verdad con ``modelo_trabajo.bin``.
"""
import hashlib
import json
import pickle

from flask import Flask, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from abandono import factores, metricas, modelos, pagina
from abandono.esquema import MAX_CLIENTES_LOTE, Error, ErrorDeEntrada, Resultado, Salud, Validador
from abandono.openapi import documento

UMBRAL = 0.5
# Un lote lleno (MAX_CLIENTES_LOTE clientes) tal como lo envía requests.post(json=...)
# ocupa como mucho 6,9 MiB: 723 bytes por cliente con las categorías más largas y un
# customerid de 100 caracteres (tests/servicio/test_limites.py). 8 MiB deja margen;
# más es un error o un abuso.
MAX_CUERPO = 8 * 1024 * 1024
JSON = 'application/json; charset=utf-8'

_ERRORES_HTTP = {
    # abandono/ganchos.py: el cuerpo no terminó de llegar en su plazo (PLAZO_CUERPO).
    408: 'El cuerpo de la petición tardó demasiado en llegar; vuelve a enviarla.',
    413: f'El cuerpo de la petición es demasiado grande (máximo {MAX_CUERPO // (1024 * 1024)} MiB, '
         f'que caben {MAX_CLIENTES_LOTE} clientes por lote).',
}
_SIN_JSON = ('El cuerpo debe ser JSON y llegar con la cabecera Content-Type: application/json '
             '(requests.post(url, json=cliente) la pone sola).')
_COMPRIMIDO = 'El servicio no acepta cuerpos comprimidos (Content-Encoding): envía el JSON tal cual.'


def respuesta(probabilidad, cliente) -> Resultado:
    """La respuesta de /predict: tipos nativos de JSON, nunca tipos de NumPy."""
    resultado = Resultado(probabilidad_abandono=probabilidad, abandono=probabilidad >= UMBRAL)
    if 'customerid' in cliente:
        resultado['customerid'] = cliente['customerid']
    return resultado


def cuerpo_de_la_peticion(entorno):
    """Los bytes del cuerpo de la petición, que debe ser JSON sin comprimir (si no, un 415).

    Con un ``Content-Length`` dentro del límite se leen tal cual de
    ``wsgi.input``: ``request.get_data()`` cuesta unos 15 µs más por petición
    (flujo limitado y caché de Werkzeug), más que puntuar al cliente. Uno
    declarado más grande es un 413 sin leer nada. Sin longitud (``chunked``)
    se leen como mucho ``MAX_CUERPO`` + 1 bytes del flujo de Werkzeug y, si
    llegan todos, también es un 413: nunca se guarda en memoria más que eso.
    """
    if entorno.get('CONTENT_TYPE', '').partition(';')[0].strip().lower() != 'application/json':
        raise ErrorDeEntrada(415, _SIN_JSON, [{'campo': 'Content-Type', 'mensaje': 'debe ser application/json'}])
    if 'HTTP_CONTENT_ENCODING' in entorno:
        raise ErrorDeEntrada(415, _COMPRIMIDO, [{'campo': 'Content-Encoding', 'mensaje': 'no se admite'}])
    longitud = entorno.get('CONTENT_LENGTH', '')
    if longitud.isdigit() and int(longitud) > MAX_CUERPO:
        raise RequestEntityTooLarge()
    if longitud.isdigit() and 'HTTP_TRANSFER_ENCODING' not in entorno:
        return entorno['wsgi.input'].read(int(longitud))
    datos = _leer_hasta(request.stream, MAX_CUERPO + 1)
    if len(datos) > MAX_CUERPO:
        raise RequestEntityTooLarge()
    return datos


def _leer_hasta(flujo, limite):
    """Hasta ``limite`` bytes de ``flujo``; un read() puede dar menos (un trozo de ``chunked``)."""
    partes, leidos = [], 0
    while leidos < limite:
        parte = flujo.read(limite - leidos)
        if not parte:
            break
        partes.append(parte)
        leidos += len(parte)
    return b''.join(partes)


def metodos(permitidos):
    return [m for m in sorted(permitidos) if m not in ('HEAD', 'OPTIONS')]


def rutas(app):
    """'POST /predict, GET /salud, ...': las rutas de ``app`` sin parámetros, de su url_map."""
    return ', '.join(f'{" o ".join(metodos(regla.methods))} {regla.rule}'
                     for regla in app.url_map.iter_rules() if not regla.arguments)


def crear_app(dv, modelo):
    # Sin carpeta static: la app no sirve archivos de la carpeta desde la que se arranca.
    app = Flask('Abandono', static_folder=None)
    app.config['MAX_CONTENT_LENGTH'] = MAX_CUERPO
    validador = Validador(dv)
    puntuador = modelos.puntuador(dv, modelo)
    # Identifica el modelo servido en /salud sin volver a leer el archivo.
    huella = hashlib.sha256(pickle.dumps((dv, modelo))).hexdigest()[:12]
    # El documento solo depende del modelo: se construye una vez, no en cada petición.
    descripcion = documento(validador)

    def en_json(datos, estado=200):
        # json.dumps directo y no jsonify: las claves en el orden escrito («error» antes
        # que «detalles»), los acentos como letras (Método, no M\\u00e9todo) y unos µs menos.
        return app.response_class(json.dumps(datos, ensure_ascii=False), estado, content_type=JSON)

    @app.post('/predict')
    def predict():
        n = factores.cuantos(request, puntuador)
        cliente = validador.cliente(cuerpo_de_la_peticion(request.environ))
        resultado = respuesta(puntuador.probabilidad(cliente), cliente)
        if n:
            resultado['factores'] = factores.principales(puntuador, cliente, n)
        metricas.clientes_puntuados(1)
        return en_json(resultado)

    @app.post('/predict_lote')
    def predict_lote():
        n = factores.cuantos(request, puntuador)
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
        return en_json(Salud(estado='ok', modelo=huella))

    @app.get('/openapi.json')
    def openapi():
        return en_json(descripcion)

    @app.errorhandler(ErrorDeEntrada)
    def error_de_entrada(error):
        return en_json(error.como_json(), error.estado)

    @app.errorhandler(HTTPException)
    def error_http(error):
        if error.code == 404:
            mensaje = f'Esa ruta no existe. Las rutas son: {rutas(app)}.'
        elif isinstance(error, MethodNotAllowed):
            mensaje = (f'Método {request.method} no permitido en {request.path}; '
                       f'acepta {", ".join(metodos(error.valid_methods))}.')
            if 'POST' in error.valid_methods:
                mensaje += ' Envía el cliente en JSON: requests.post(url, json=cliente).'
        else:
            mensaje = _ERRORES_HTTP.get(error.code, error.description)
        # get_response() conserva cabeceras como Allow en un 405.
        salida = error.get_response()
        salida.data = json.dumps(Error(error=mensaje, detalles=[]), ensure_ascii=False)
        salida.content_type = JSON
        return salida

    @app.errorhandler(Exception)
    def error_interno(error):
        app.logger.exception('Error no previsto')
        return en_json(Error(error='Error interno del servicio. El detalle está en el registro del servidor.',
                             detalles=[]), 500)

    @app.after_request
    def cabeceras(salida):
        # nosniff: ningún navegador interpreta una respuesta como otra cosa (un JSON como HTML);
        # no-store: ninguna caché intermedia guarda datos de clientes ni sus probabilidades.
        salida.headers['X-Content-Type-Options'] = 'nosniff'
        salida.headers['Cache-Control'] = 'no-store'
        return salida

    pagina.registrar(app, validador, puntuador, UMBRAL)
    # Al final: mide todas las rutas de arriba.
    metricas.instrumentar(app, huella, type(modelo).__name__)
    return app
