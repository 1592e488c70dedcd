"""El documento OpenAPI del servicio, generado de los mismos tipos que usa el código.

El cliente sale del ``Validador`` (las categorías que conoce el modelo) y las
respuestas de los TypedDict de ``esquema`` (``Resultado``, ``Error``,
``Salud``), con los que el servicio construye lo que devuelve: si cambia uno,
cambia el documento. ``tests/servicio/test_fuzz.py`` comprueba con
schemathesis que las respuestas reales cumplen estos esquemas y códigos.
"""
from pydantic import TypeAdapter

from abandono.datos import COLUMNAS_NUMERICAS
from abandono.esquema import MAX_CLIENTES_LOTE, Error, Resultado, Salud

REF = '#/components/schemas/{model}'

# Cada código de error que puede responder la app, y cuándo.
ERRORES = {
    400: 'El cuerpo no es JSON válido (o está vacío).',
    404: 'La ruta no existe; el mensaje lista las que hay.',
    405: 'La ruta no acepta ese método; la cabecera Allow dice cuáles acepta.',
    413: 'El cuerpo pasa del límite de tamaño.',
    415: 'El cuerpo no llega con Content-Type: application/json, o llega comprimido.',
    422: 'Datos no válidos: cada campo que falla está en «detalles».',
    500: 'Error interno; el detalle queda en el registro del servidor.',
}
# Los que dependen del cuerpo de la petición.
_DEL_CUERPO = (400, 413, 415, 422, 500)


def documento(validador):
    esquemas = {'Cliente': validador.esquema_json(ref_template=REF)}

    def esquema(tipo):
        completo = TypeAdapter(tipo).json_schema(ref_template=REF)
        esquemas.update(completo.pop('$defs', {}))
        esquemas[tipo.__name__] = completo
        return {'$ref': REF.format(model=tipo.__name__)}

    def json(contenido):
        return {'application/json': {'schema': contenido}}

    error = esquema(Error)
    respuestas_error = {str(codigo): {'$ref': f'#/components/responses/{codigo}'} for codigo in ERRORES}

    def errores(*codigos):
        return {str(codigo): respuestas_error[str(codigo)] for codigo in codigos}

    resultado = esquema(Resultado)
    factores = {
        'name': 'factores', 'in': 'query', 'required': False,
        'description': 'Cuántos aportes al logit (los de más peso) añadir a cada resultado; '
                       'solo con una regresión logística.',
        'schema': {'type': 'integer', 'minimum': 1, 'maximum': len(validador.categorias) + len(COLUMNAS_NUMERICAS)},
    }
    return {
        'openapi': '3.0.3',
        'info': {'title': 'Abandono', 'version': '1.0',
                 'description': 'Probabilidad de abandono de clientes (modelo del curso). Además de lo que '
                                'dice cada operación, una ruta que no existe responde 404 y un método que la '
                                'ruta no acepta, 405, los dos con el esquema Error.'},
        'paths': {
            '/predict': {'post': {
                'summary': 'Probabilidad de abandono de un cliente',
                'parameters': [factores],
                'requestBody': {'required': True, 'content': json({'$ref': REF.format(model='Cliente')})},
                'responses': {'200': {'description': 'Predicción', 'content': json(resultado)},
                              **errores(*_DEL_CUERPO)},
            }},
            '/predict_lote': {'post': {
                'summary': 'Probabilidad de abandono de varios clientes',
                'parameters': [factores],
                'requestBody': {'required': True, 'content': json({
                    'type': 'array', 'minItems': 1, 'maxItems': MAX_CLIENTES_LOTE,
                    'items': {'$ref': REF.format(model='Cliente')}})},
                'responses': {'200': {'description': 'Una predicción por cliente, en el mismo orden',
                                      'content': json({'type': 'array', 'items': resultado})},
                              **errores(*_DEL_CUERPO)},
            }},
            '/salud': {'get': {
                'summary': 'El servicio está vivo',
                'responses': {'200': {'description': 'Estado y huella del modelo', 'content': json(esquema(Salud))},
                              **errores(500)},
            }},
            '/openapi.json': {'get': {
                'summary': 'Este documento',
                'responses': {'200': {'description': 'El documento OpenAPI', 'content': json({'type': 'object'})},
                              **errores(500)},
            }},
        },
        'components': {
            'schemas': esquemas,
            'responses': {str(codigo): {'description': descripcion, 'content': json(error)}
                          for codigo, descripcion in ERRORES.items()},
        },
    }
