"""Ejercicio 3: servicio1.py como la aplicación Flask 'Abandono' con POST /predict en JSON.

La aplicación se prueba como la usaría gunicorn (``servicio1:app`` importado y
servido por el calificador): así el ejercicio 3 no depende de lo que haga el
bloque ``__main__`` del ejercicio 1. Solo ``test_script_sirve_sin_depurador``
ejecuta ``python mi_trabajo/servicio1.py``.
"""
import pytest
import requests

from abandono.calificador import diagnostico, limites
from abandono.calificador.juicio import (
    MAX_NUMEROS_JSON, bloque, causa_arranque, causa_de_un_500, causa_del_formulario, detalle_http,
    funcion_de_la_ruta, importado, nombres_de_flask, nota, nota_de_redondeo, numeros_en_json,
    pista_probabilidad, sirve_sin_depurador, suspenso, una_vez)
from abandono.calificador.observacion import leer_json, pedir
from abandono.calificador.referencia import MODELO_DE_LA_CALIFICACION, coincide

ARCHIVO = 'servicio1.py'
RUTA = "@app.route('/predict', methods=['POST'])"


@pytest.fixture
def app(observador):
    """La URL de la aplicación de servicio1.py: la que sirve el calificador o, si import se quedó sirviendo, esa."""
    importacion = observador.importado(ARCHIVO)
    if importacion is not None and importacion.url:
        return importacion.url
    importado(observador, ARCHIVO)
    suspenso('servicio1.py no crea una aplicación Flask.', "app = Flask('Abandono')", 'ninguna',
             "crea la aplicación en el nivel del módulo: app = Flask('Abandono').")


def _ruta_sin_post(observador, respuesta):
    """El bloque de una /predict que no acepta POST: la línea de su decorador y cómo se escribe."""
    funcion = funcion_de_la_ruta(observador, ARCHIVO)
    decorador = diagnostico.decorador_de_ruta(funcion, '/predict')
    linea = decorador[0] if decorador else (funcion.lineno if funcion else None)
    causa = diagnostico.Causa(
        ARCHIVO, detalle_http(respuesta), linea,
        diagnostico.texto_de_la_linea(observador.entrada.texto(ARCHIVO), linea),
        'la ruta /predict no acepta POST: sin methods, una ruta de Flask solo acepta GET, y el cliente llega con POST.',
        f'escribe {RUTA}.', '/predict no acepta POST')
    bloque(observador, causa, '200 con la probabilidad en JSON', 'HTTP 405: método no permitido')


def _sin_ruta(observador, respuesta):
    rutas = [r['regla'] for r in (observador.importado(ARCHIVO).informe or {}).get('app') or []]
    una_vez(observador, '/predict no existe', 'La aplicación no tiene la ruta /predict, a la que llega el cliente.',
            'una ruta /predict', f'sus rutas: {", ".join(rutas)}' if rutas else 'ninguna ruta',
            f'asígnale a la función la ruta con {RUTA}.', detalle=detalle_http(respuesta))


def predecir(observador, url, cliente):
    """POST /predict con el cliente en JSON; devuelve el JSON de la respuesta (números con sus decimales) o suspende."""
    # Los suspensos van fuera de los except: así el mensaje no arrastra la excepción de requests.
    try:
        respuesta, fallo = pedir('POST', f'{url}/predict', json=cliente), None
    except requests.RequestException as error:
        respuesta, fallo = None, error
    if isinstance(fallo, requests.Timeout):
        suspenso('POST /predict no responde a tiempo.', f'una respuesta en menos de {limites.PETICION:.0f} s',
                 'nada (tiempo agotado)', 'busca un bucle que no termina en la función de /predict.')
    if fallo is not None:
        suspenso('POST /predict se cae al recibir la petición.', 'una respuesta', 'ninguna',
                 f'ejecuta "python mi_trabajo/{ARCHIVO}" y mira su salida en la consola al enviarle un cliente.',
                 detalle=type(fallo).__name__)
    if respuesta.status_code == 500:
        causa = causa_de_un_500(observador, ARCHIVO, respuesta.text)
        if causa is not None:
            bloque(observador, causa, '200 con la probabilidad en JSON', 'HTTP 500: el servicio falla al responder')
    if respuesta.status_code == 405:
        _ruta_sin_post(observador, respuesta)
    if respuesta.status_code == 404:
        _sin_ruta(observador, respuesta)
    if respuesta.status_code != 200:
        formulario = causa_del_formulario(observador, ARCHIVO)
        if formulario is not None:
            bloque(observador, formulario, '200 con la probabilidad en JSON', f'HTTP {respuesta.status_code}')
        suspenso(f'POST /predict con un cliente en JSON no responde bien (HTTP {respuesta.status_code}).',
                 '200 con la probabilidad en JSON', f'HTTP {respuesta.status_code}',
                 'lee el cliente del cuerpo JSON de la petición con request.get_json() y responde con jsonify(...).',
                 detalle=detalle_http(respuesta))
    try:
        return leer_json(respuesta.text)
    except ValueError:
        pass
    suspenso('POST /predict no responde en JSON.', 'JSON, por ejemplo {"probabilidad_abandono": 0.06}',
             repr(respuesta.text[:120]), 'responde con jsonify(resultado).')


def comprobar_probabilidad(observador, respuesta, esperado, que):
    numeros = numeros_en_json(respuesta)
    if not numeros or len(numeros) > MAX_NUMEROS_JSON:
        suspenso(f'La respuesta de /predict {que} no trae la probabilidad como un número.',
                 'un objeto JSON con la probabilidad como número (por ejemplo en "probabilidad_abandono")',
                 repr(respuesta)[:120] if numeros else f'{len(numeros)} números',
                 'devuelve con jsonify un diccionario pequeño con la probabilidad como float.')
    encontrado, redondeo = coincide(numeros, esperado)
    if encontrado is None:
        formulario = causa_del_formulario(observador, ARCHIVO)
        if formulario is not None:
            bloque(observador, formulario, f'{esperado:.6f} {que}', repr(respuesta)[:120])
        suspenso(f'/predict da otra probabilidad {que}.', f'{esperado:.6f}', repr(respuesta)[:120],
                 pista_probabilidad(numeros[0], esperado), nota=MODELO_DE_LA_CALIFICACION)
    if redondeo:
        nota(nota_de_redondeo(redondeo, 'La respuesta de /predict'))


def test_app_se_llama_abandono(observador, app):
    """la aplicación Flask se llama 'Abandono'"""
    nombres = nombres_de_flask(observador.entrada.texto(ARCHIVO))
    if 'Abandono' not in nombres:
        suspenso('La aplicación no tiene el nombre de la lección.', "Flask('Abandono')",
                 ', '.join(f'Flask({n})' if n else 'Flask()' for n in nombres) or 'ninguna en el nivel del módulo',
                 "créala con app = Flask('Abandono').")


def test_predict_del_cliente_de_la_leccion(observador, app, referencia):
    """POST /predict con el cliente de la lección responde su probabilidad en JSON"""
    comprobar_probabilidad(observador, predecir(observador, app, referencia.cliente_leccion),
                           referencia.probabilidad_leccion, 'para el cliente de la lección')


def test_predict_muchos_clientes(observador, app, referencia):
    """POST /predict acierta la probabilidad de clientes nuevos"""
    vistas = set()
    for numero, (cliente, esperado) in enumerate(zip(referencia.clientes, referencia.probabilidades), 1):
        respuesta = predecir(observador, app, cliente)
        vistas.add(repr(respuesta))
        if len(vistas) == 1 and numero > 1 and coincide(numeros_en_json(respuesta), esperado)[0] is None:
            formulario = causa_del_formulario(observador, ARCHIVO)
            if formulario is not None:
                bloque(observador, formulario, f'{esperado:.6f} para el cliente n.º {numero}', repr(respuesta)[:120])
            suspenso('/predict responde lo mismo a clientes distintos.', f'{esperado:.6f} para el cliente n.º {numero}',
                     repr(respuesta)[:120], 'puntúa el cliente que llega en la petición (request.get_json()), '
                     'no un cliente escrito en el código.')
        comprobar_probabilidad(observador, respuesta, esperado, f'para el cliente n.º {numero}')


def test_script_sirve_sin_depurador(observador):
    """python mi_trabajo/servicio1.py sirve la aplicación con el depurador apagado"""
    sirve_sin_depurador(observador, ARCHIVO)


# La última del archivo: los puertos se vigilan desde la importación hasta aquí (con las peticiones
# de las pruebas de arriba en medio) y se leen una vez más al final.
def test_importar_no_arranca_el_servidor(observador, app):
    """importar servicio1 no arranca ningún servidor"""
    importacion = observador.importado(ARCHIVO)
    otros = observador.puertos_al_importar(ARCHIVO)
    if not (importacion.informe or {}).get('importado') or otros:
        arranque = causa_arranque(observador, ARCHIVO)
        if arranque is not None:
            bloque(observador, arranque, 'que import servicio1 solo cree app, sin arrancar nada',
                   f'al importar escucha el puerto {otros[0]}' if otros else 'import no vuelve')
        suspenso('Importar servicio1.py arranca un servidor.', 'que import servicio1 solo cree app, sin arrancar nada',
                 f'al importar escucha el puerto {otros[0]}' if otros else 'import no vuelve',
                 "pon app.run(...) dentro de if __name__ == '__main__':, al final del archivo: así "
                 'importar el archivo solo define la app, y quien la importa decide cuándo servirla.')
