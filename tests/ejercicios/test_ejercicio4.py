"""Ejercicio 4: probar el servicio con requests desde un script.

``python mi_trabajo/probar_servicio.py`` corre en su caja, donde
``localhost:9696`` lleva al servicio de prueba del calificador (uno para este
script, que solo anota sus peticiones): valida el cliente como el servicio del
taller y, si el modelo lo puede puntuar, responde una probabilidad al azar,
distinta en cada calificación, con las claves que responde la app del propio
estudiante (si su servicio1.py funciona; si no, las de la lección). Un cuerpo
con las claves correctas y valores inventados (``None``) recibe un 422.

Un cliente que llama a otro puerto cuenta igual si es el puerto en el que
escucha su propio ``python mi_trabajo/servicio1.py``: los dos funcionan juntos
(la nota le recuerda el 9696 de la lección).
"""
import dataclasses

from abandono.calificador.diagnostico import URL_LECCION as URL
from abandono.calificador.ejercicios import ARCHIVOS
from abandono.calificador.juicio import (
    causa_al_importar, causa_del_script, falta, nota, nota_de_redondeo, por_causa, probabilidad_impresa, script,
    script_sin_error, suspenso, una_vez)
from abandono.lanzador import PUERTO_LECCION

ARCHIVO = 'probar_servicio.py'
SERVICIO = ARCHIVOS[ARCHIVO].usa_el_servicio   # el archivo cuya app llama el script: servicio1.py
_SIN_ENVIO = 'el servicio no recibió el cliente en JSON'
AL_AZAR = ('El servicio de prueba de la calificación responde un número al azar, distinto cada vez: se comprueba '
           'que tu script muestra lo que le responden, no un número escrito de antemano.')


def _resumen(peticiones):
    return '; '.join(f"{p['metodo']} {p['ruta']} {_como(p)}" for p in peticiones[:5])


def _como(peticion):
    if not peticion['bytes']:
        return 'sin cuerpo'
    if isinstance(peticion['json'], dict):
        return 'con un cliente en JSON'
    if peticion['json_sin_tipo']:
        return 'con texto JSON, pero sin la cabecera que dice que es JSON'
    return 'con un formulario (data=)' if peticion['formulario'] else 'con un cuerpo que no es JSON'


def _detalle(peticiones):
    return '\n'.join(f"{p['metodo']} {p['ruta']} al puerto {p['puerto']}: Content-Type {p['tipo'] or 'ninguno'}, "
                     f"{p['bytes']} bytes" for p in peticiones[:5])


def _aceptadas(observador):
    # El servicio de prueba acepta solo un cliente que el modelo puede puntuar (valores, no solo claves).
    return [p for p in observador.servicio(ARCHIVO).peticiones if p['aceptada']]


def _puerto_coherente(observador, aceptadas):
    """El 9696 de la lección, o el puerto en el que escucha el servicio del propio estudiante (con una nota)."""
    if any(p['puerto'] == PUERTO_LECCION for p in aceptadas):
        return
    puerto = aceptadas[0]['puerto']
    servicio = observador.script(SERVICIO)
    escucha = servicio.puertos if servicio else []
    if puerto in escucha:
        nota(f'Tu script y tu {SERVICIO} usan el puerto {puerto}: funcionan juntos y cuentan todos los puntos. '
             f'La lección usa el {PUERTO_LECCION}: {URL}.')
        return
    donde = f'escucha en el {escucha[0]}' if escucha else 'no escucha en ese puerto'
    una_vez(observador, f'el puerto {puerto}',
            f'{ARCHIVO} llama al puerto {puerto}, pero tu {SERVICIO} {donde}: en tu computadora esa petición no '
            'llegaría a tu servicio.', f'un POST a {URL}', f'un POST a http://localhost:{puerto}/predict',
            f'usa la URL de la lección, {URL!r}, y el puerto {PUERTO_LECCION} en {SERVICIO}.')


def test_envia_el_cliente_por_post(observador, referencia):
    """probar_servicio.py envía un cliente en JSON por POST a http://localhost:9696/predict"""
    falta(observador, ARCHIVO)
    aceptadas = _aceptadas(observador)
    if aceptadas:
        _puerto_coherente(observador, aceptadas)
        return
    peticiones = observador.servicio(ARCHIVO).peticiones
    if not peticiones:
        _sin_error(observador)
        una_vez(observador, _SIN_ENVIO, f'{ARCHIVO} no llega al servicio: no le hace ninguna petición.',
                f'un POST a {URL}', 'ninguna petición', f'envía el cliente con requests.post({URL!r}, json=cliente).')
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
    una_vez(observador, _SIN_ENVIO, f'{ARCHIVO} no envía el cliente como lo espera el servicio.',
            f'un POST con el cliente en JSON a {URL}', _resumen(peticiones), pista, detalle=_detalle(peticiones))


def _sin_envio(observador, peticiones):
    una_vez(observador, _SIN_ENVIO, f'{ARCHIVO} no envía el cliente.', f'un POST con el cliente en JSON a {URL}',
            _resumen(peticiones) or 'ninguna petición', 'envía el cliente con requests.post(url, json=cliente).')


def _sin_error(observador):
    """Si el script terminó con un error, su bloque; una clave que no está en la respuesta, con las que sí están."""
    causa = causa_del_script(observador, ARCHIVO)
    if causa is not None and causa.error.startswith('KeyError') and not causa_al_importar(observador, ARCHIVO):
        clave = causa.error.partition(':')[2].strip()
        servicio = observador.servicio(ARCHIVO)
        respuesta = servicio.respuesta() if servicio.formato_listo.is_set() else None
        if isinstance(respuesta, dict):
            claves = ', '.join(repr(k) for k in respuesta)
            de_quien = f'tu {SERVICIO}' if servicio.plantilla else 'el servicio (con las claves de la lección)'
            probabilidad = next((k for k, v in respuesta.items() if v == servicio.probabilidad), None)
            causa = dataclasses.replace(
                causa, explicacion=f'lees la clave {clave} de la respuesta, pero {de_quien} responde con las claves '
                                   f'{claves}.',
                arreglo=f'usa las claves de tu servicio: respuesta.json()[{probabilidad!r}]' if probabilidad
                else 'usa las claves que responde tu servicio.')
        por_causa(observador, causa, al_importar=False)
    script_sin_error(observador, ARCHIVO)


def test_muestra_la_respuesta(observador, referencia):
    """probar_servicio.py muestra la probabilidad que responde el servicio"""
    falta(observador, ARCHIVO)
    ejecucion = observador.script(ARCHIVO)
    esperado = referencia.respuesta_prueba
    encontrado, redondeo = probabilidad_impresa(ejecucion.salida, esperado)
    aceptadas = _aceptadas(observador)
    if encontrado is not None:
        if aceptadas:
            _puerto_coherente(observador, aceptadas)
        if 0 < redondeo < 3:
            nota(nota_de_redondeo(redondeo, f'"{script(ARCHIVO)}"', mostrada=True))
        return
    # Sin un cliente en JSON, el servicio no respondió ninguna probabilidad que mostrar; si el
    # script se cayó antes de enviar nada, esa es la causa.
    peticiones = observador.servicio(ARCHIVO).peticiones
    if peticiones and not aceptadas:
        _sin_envio(observador, peticiones)
    _sin_error(observador)
    if not aceptadas:
        _sin_envio(observador, peticiones)
    _puerto_coherente(observador, aceptadas)
    lineas = [l for l in ejecucion.salida.splitlines() if l.strip()]
    suspenso(f'{ARCHIVO} no muestra la probabilidad que le responde el servicio.',
             f'la probabilidad que respondió el servicio ({esperado}) en la salida',
             repr(lineas[-1][:120]) if lineas else 'nada en la salida',
             'imprime la respuesta: print(respuesta.json()).', nota=AL_AZAR)
