"""Ejercicio 4: probar el servicio con requests desde un script.

``python probar_servicio.py`` corre en su caja, donde ``localhost:9696`` lleva
al servicio de prueba del calificador (uno para este script, que solo anota sus
peticiones): valida el cliente como el servicio del taller y, si el modelo lo
puede puntuar, responde una probabilidad al azar, distinta en cada calificación.
Un cuerpo con las claves correctas y valores inventados (``None``) recibe un 422.
"""
from abandono.calificador.juicio import probabilidad_impresa, suspenso, ultima_linea
from abandono.calificador.referencia import TOLERANCIA_IMPRESA

ARCHIVO = 'probar_servicio.py'
URL = 'http://localhost:9696/predict'


def _resumen(peticiones):
    return '; '.join(f"{p['metodo']} {p['ruta']} ({p['tipo'] or 'sin cuerpo'})" for p in peticiones[:5])


def _pista_sin_peticiones(errores):
    ultima = ultima_linea(errores)
    if any(s in ultima for s in ('No connection adapters', 'No scheme supplied', 'Invalid URL')):
        return f'a la URL le falta el esquema: escribe {URL!r}, con http:// delante.'
    if any(s in ultima for s in ('Connection refused', 'Max retries exceeded', 'NameResolutionError')):
        return f'la URL no lleva al servicio: usa {URL!r}.'
    return f'envía el cliente con requests.post({URL!r}, json=cliente).'


def _ejecucion(observador):
    script = observador.script(ARCHIVO)
    if script is None:
        suspenso(f'Falta {ARCHIVO} en la entrega.', f'un archivo llamado {ARCHIVO}', 'ninguno',
                 'usa los nombres de archivo de la lección.')
    return script


def test_envia_el_cliente_por_post(observador, referencia):
    """probar_servicio.py envía un cliente en JSON por POST a http://localhost:9696/predict"""
    script = _ejecucion(observador)
    peticiones = observador.servicio(ARCHIVO).peticiones
    caracteristicas = set(referencia.cliente_leccion) - {'customerid'}
    if any(p['aceptada'] for p in peticiones):
        return
    if not peticiones:
        obtenido = 'ninguna petición' + (f'; el script terminó con: {ultima_linea(script.errores)}'
                                         if script.codigo not in (0, None) else '')
        suspenso('probar_servicio.py no llegó al servicio.', f'un POST a {URL}', obtenido,
                 _pista_sin_peticiones(script.errores))
    primera = peticiones[0]
    if primera['ruta'] != '/predict':
        pista = f"la ruta del servicio es /predict y tu script pidió {primera['ruta']!r}: usa {URL!r}."
    elif primera['metodo'] != 'POST':
        pista = f"el servicio solo acepta POST y tu script hizo {primera['metodo']}: usa requests.post(url, json=cliente)."
    elif not isinstance(primera['json'], dict):
        pista = ('el cliente no llegó en JSON' + (' (llegó como formulario: data=)' if primera['formulario'] else '')
                 + ': usa requests.post(url, json=cliente).')
    elif faltan := sorted(caracteristicas - primera['json'].keys()):
        pista = f"al cliente que envías le faltan campos ({', '.join(faltan[:5])}): envía el cliente completo."
    else:
        pista = (f"el servicio rechazó el cliente ({(primera['error'] or '')[:200]}): envía los valores del cliente "
                 'de la lección, tal como están.')
    suspenso('probar_servicio.py no envía el cliente como lo espera el servicio.',
             f'un POST con el cliente en JSON a {URL}', _resumen(peticiones), pista)


def test_muestra_la_respuesta(observador, referencia):
    """probar_servicio.py muestra la probabilidad que responde el servicio"""
    script = _ejecucion(observador)
    esperado = referencia.respuesta_prueba
    if not probabilidad_impresa(script.salida, esperado, TOLERANCIA_IMPRESA):
        lineas = [l for l in script.salida.splitlines() if l.strip()]
        suspenso('probar_servicio.py no muestra la respuesta del servicio.',
                 f'la probabilidad que respondió el servicio ({esperado:.3f}) en la salida',
                 repr(lineas[-1][:120]) if lineas else 'nada en la salida',
                 'imprime la respuesta: print(respuesta.json()).')
