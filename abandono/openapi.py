"""El documento OpenAPI del servicio, generado a partir del esquema del modelo."""
from abandono.esquema import MAX_CLIENTES_LOTE


def documento(validador):
    cliente = validador.esquema_json()
    resultado = {
        'type': 'object',
        'required': ['probabilidad_abandono', 'abandono'],
        'properties': {
            'probabilidad_abandono': {'type': 'number', 'minimum': 0, 'maximum': 1},
            'abandono': {'type': 'boolean'},
            'customerid': {'type': 'string'},
        },
    }
    error = {
        'type': 'object',
        'required': ['error', 'detalles'],
        'properties': {
            'error': {'type': 'string'},
            'detalles': {'type': 'array', 'items': {
                'type': 'object', 'properties': {'campo': {'type': 'string'}, 'mensaje': {'type': 'string'}}}},
        },
    }

    def errores(*codigos):
        return {str(c): {'description': 'Error', 'content': {'application/json': {
            'schema': {'$ref': '#/components/schemas/Error'}}}} for c in codigos}

    def json(esquema):
        return {'application/json': {'schema': esquema}}

    return {
        'openapi': '3.0.3',
        'info': {'title': 'Abandono', 'version': '1.0',
                 'description': 'Probabilidad de abandono de clientes (modelo del curso).'},
        'paths': {
            '/predict': {'post': {
                'summary': 'Probabilidad de abandono de un cliente',
                'requestBody': {'required': True, 'content': json({'$ref': '#/components/schemas/Cliente'})},
                'responses': {'200': {'description': 'Predicción',
                                      'content': json({'$ref': '#/components/schemas/Resultado'})},
                              **errores(400, 413, 422)},
            }},
            '/predict_lote': {'post': {
                'summary': 'Probabilidad de abandono de varios clientes',
                'requestBody': {'required': True, 'content': json({
                    'type': 'array', 'minItems': 1, 'maxItems': MAX_CLIENTES_LOTE,
                    'items': {'$ref': '#/components/schemas/Cliente'}})},
                'responses': {'200': {'description': 'Una predicción por cliente, en el mismo orden',
                                      'content': json({'type': 'array',
                                                       'items': {'$ref': '#/components/schemas/Resultado'}})},
                              **errores(400, 413, 422)},
            }},
            '/salud': {'get': {
                'summary': 'El servicio está vivo',
                'responses': {'200': {'description': 'Estado y huella del modelo', 'content': json({
                    'type': 'object', 'properties': {'estado': {'type': 'string'}, 'modelo': {'type': 'string'}}})}},
            }},
        },
        'components': {'schemas': {'Cliente': cliente, 'Resultado': resultado, 'Error': error}},
    }
