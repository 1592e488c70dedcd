"""Ejercicio 4: probar el servicio con requests desde un script.

``python probar_servicio.py`` corre en su caja, donde ``localhost:9696`` lleva
al servicio de prueba del calificador (uno para este script, que solo anota sus
peticiones): valida el cliente como el servicio del taller y, si el modelo lo
puede puntuar, responde una probabilidad al azar, distinta en cada calificación.
Un cuerpo con las claves correctas y valores inventados (``None``) recibe un 422.
"""
from abandono.calificador.juicio import falta, probabilidad_impresa, script_sin_error, suspenso, una_vez
from abandono.calificador.referencia import TOLERANCIA_IMPRESA

ARCHIVO = 'probar_servicio.py'
URL = 'http://localhost:9696/predict'
_SIN_ENVIO = 'el servicio no recibió el cliente en JSON'


def _resumen(peticiones):
    return '; '.join(f"{p['metodo']} {p['ruta']} ({_cuerpo(p)})" for p in peticiones[:5])


def _cuerpo(peticion):
    if not peticion['bytes']:
        return 'sin cuerpo'
    return f"{peticion['tipo'] or 'sin Content-Type'}, {peticion['bytes']} bytes"


def _envio_correcto(peticiones):
    # El servicio de prueba acepta solo un cliente que el modelo puede puntuar (valores, no solo claves).
    return any(p['aceptada'] for p in peticiones)


def test_envia_el_cliente_por_post(observador, referencia):
    """probar_servicio.py envía un cliente en JSON por POST a http://localhost:9696/predict"""
    falta(observador, ARCHIVO)
    peticiones = observador.servicio(ARCHIVO).peticiones
    if _envio_correcto(peticiones):
        return
    if not peticiones:
        script_sin_error(observador, ARCHIVO)
        una_vez(observador, _SIN_ENVIO, 'probar_servicio.py no llegó al servicio.', f'un POST a {URL}',
                'ninguna petición', f'envía el cliente con requests.post({URL!r}, json=cliente).')
    primera = peticiones[0]
    caracteristicas = set(referencia.cliente_leccion) - {'customerid'}
    if primera['ruta'] != '/predict':
        pista = f"la ruta del servicio es /predict y tu script pidió {primera['ruta']!r}: usa {URL!r}."
    elif primera['metodo'] != 'POST':
        pista = f"el servicio solo acepta POST y tu script hizo {primera['metodo']}: usa requests.post(url, json=cliente)."
    elif primera['json_sin_tipo']:
        pista = ('el cliente llegó como texto JSON pero sin la cabecera Content-Type: application/json '
                 '(requests.post(url, data=json.dumps(cliente)) no la pone): usa requests.post(url, json=cliente), '
                 'que convierte el cliente y pone la cabecera.')
    elif not isinstance(primera['json'], dict):
        pista = ('el cliente no llegó en JSON' + (' (llegó como formulario: data=)' if primera['formulario'] else '')
                 + ': usa requests.post(url, json=cliente).')
    elif faltan := sorted(caracteristicas - primera['json'].keys()):
        pista = f"al cliente que envías le faltan campos ({', '.join(faltan[:5])}): envía el cliente completo."
    else:
        pista = (f"el servicio rechazó el cliente ({(primera['error'] or '')[:200]}): envía los valores del cliente "
                 'de la lección, tal como están.')
    una_vez(observador, _SIN_ENVIO, 'probar_servicio.py no envía el cliente como lo espera el servicio.',
            f'un POST con el cliente en JSON a {URL}', _resumen(peticiones), pista)


def _sin_envio(observador, peticiones):
    una_vez(observador, _SIN_ENVIO, 'probar_servicio.py no envía el cliente.', f'un POST con el cliente en JSON a {URL}',
            _resumen(peticiones) or 'ninguna petición', 'envía el cliente con requests.post(url, json=cliente).')


def test_muestra_la_respuesta(observador, referencia):
    """probar_servicio.py muestra la probabilidad que responde el servicio"""
    falta(observador, ARCHIVO)
    script = observador.script(ARCHIVO)
    esperado = referencia.respuesta_prueba
    if not probabilidad_impresa(script.salida, esperado, TOLERANCIA_IMPRESA):
        # Sin un cliente en JSON, el servicio no respondió ninguna probabilidad que mostrar; si el
        # script se cayó antes de enviar nada, esa es la causa.
        peticiones = observador.servicio(ARCHIVO).peticiones
        enviado = _envio_correcto(peticiones)
        if peticiones and not enviado:
            _sin_envio(observador, peticiones)
        script_sin_error(observador, ARCHIVO)
        if not enviado:
            _sin_envio(observador, peticiones)
        lineas = [l for l in script.salida.splitlines() if l.strip()]
        suspenso('probar_servicio.py no muestra la respuesta del servicio.',
                 f'la probabilidad que respondió el servicio ({esperado:.3f}) en la salida',
                 repr(lineas[-1][:120]) if lineas else 'nada en la salida',
                 'imprime la respuesta: print(respuesta.json()).')
