"""La sonda: importa un archivo del estudiante DENTRO de su caja, prueba sus funciones y sirve su app.

caja.py la copia a la caja; solo usa la biblioteca estándar y lo que ya usa la
entrega (pickle, Flask, Werkzeug). Recibe lo que debe probar (``{"archivo",
"sondas", "clientes", "puerto", "carpeta"}``; las sondas, de la tabla
``ejercicios.ARCHIVOS``) antes de importar nada del estudiante:
en la caja, la pasarela la llama con ``ejecutar``; sin caja, por la entrada
estándar. Escribe su informe (una línea JSON) en el descriptor que le dan.
Después sirve la aplicación Flask del módulo con el servidor
WSGI de Werkzeug en 127.0.0.1:puerto, como haría gunicorn con ``servicio1:app``.

El informe lo escribe un proceso que ejecuta código del estudiante, así que
solo vale lo que el calificador puede comprobar por su cuenta: probabilidades
que coinciden con las suyas para clientes que la entrega no conocía.
"""
import argparse
import importlib
import json
import os
import pickle
import sys
import threading
import time
import traceback

def texto_del_error(error):
    return ''.join(traceback.format_exception_only(type(error), error)).strip()[-300:]


def linea_del_error(error, archivo):
    """La línea de ``archivo`` donde saltó ``error`` (su último marco en él), o None."""
    if isinstance(error, SyntaxError) and os.path.basename(error.filename or '') == archivo:
        return error.lineno
    marcos = [m for m in traceback.extract_tb(error.__traceback__) if os.path.basename(m.filename) == archivo]
    return marcos[-1].lineno if marcos else None


def con_limite(funcion, limite, *args):
    """(resultado, error) de ``funcion(*args)`` en un hilo; error si no termina a tiempo."""
    estado = {'resultado': None, 'error': None}

    def objetivo():
        try:
            estado['resultado'] = funcion(*args)
        except BaseException as error:  # noqa: BLE001 — también SystemExit
            estado['error'] = texto_del_error(error)

    hilo = threading.Thread(target=objetivo, daemon=True)
    hilo.start()
    hilo.join(limite)
    if hilo.is_alive():
        return None, f'no terminó en {limite:.0f} s'
    return estado['resultado'], estado['error']


def describir(valor):
    """Un valor devuelto por el estudiante, corto: número, texto (recortado) o tipo."""
    tipo = type(valor).__name__
    if isinstance(valor, str):
        return {'tipo': tipo, 'texto': valor[:60]}
    forma = list(getattr(valor, 'shape', ()))[:3]
    if not forma and not isinstance(valor, bool) and 'bool' not in tipo:
        try:
            return {'tipo': tipo, 'numero': float(valor)}
        except (TypeError, ValueError):
            pass
    return {'tipo': tipo, 'forma': forma}


def objetos(espacio, clase):
    return [v for k, v in espacio.items() if not k.startswith('_') and isinstance(v, clase)]


def cargados(espacio, clientes, limite):
    """Las variables del módulo que son un DictVectorizer y un clasificador, aplicadas a ``clientes``."""
    from sklearn.base import ClassifierMixin
    from sklearn.feature_extraction import DictVectorizer

    vectorizadores, modelos = objetos(espacio, DictVectorizer), objetos(espacio, ClassifierMixin)
    resultado = {'encontrados': {'dv': bool(vectorizadores), 'modelo': bool(modelos)}}
    if vectorizadores and modelos:
        def con_lo_suyo():
            return modelos[0].predict_proba(vectorizadores[0].transform(clientes))[:, 1].tolist()
        resultado['probabilidades'], resultado['error'] = con_limite(con_lo_suyo, limite)
    return resultado


def llamar(funcion, argumentos, clientes, limite, calificacion):
    """[lo que devuelve ``funcion``, descrito], una vez por cliente si uno de sus argumentos es 'cliente'.

    'dv' y 'modelo' son los de la calificación (``calificacion()`` los carga); otro valor se pasa tal cual.
    """
    resultados = []
    for cliente in (clientes if 'cliente' in argumentos else [None]):
        valores = []
        for argumento in argumentos:
            if argumento == 'cliente':
                valores.append(dict(cliente))
            elif argumento in ('dv', 'modelo'):
                valores.append(calificacion()[argumento])
            else:
                valores.append(argumento)
        valor, error = con_limite(funcion, limite, *valores)
        resultados.append({'error': error} if error else describir(valor))
        if error:
            break  # el primer fallo basta para el mensaje y un bucle no se paga N veces
    return resultados


def probar(espacio, sondas, clientes, limite, modelo_ruta):
    """{clave: resultado} de cada sonda del pedido, como las declara la tabla (ejercicios.ARCHIVOS)."""
    modelo = {}

    def calificacion():
        if not modelo:
            with open(modelo_ruta, 'rb') as archivo:
                modelo['dv'], modelo['modelo'] = pickle.load(archivo)
        return modelo

    informe = {}
    for sonda in sondas:
        if sonda['tipo'] == 'Cargados':
            informe[sonda['clave']] = cargados(espacio, clientes, limite)
        elif sonda['tipo'] == 'Llamada' and callable(espacio.get(sonda['funcion'])):
            informe[sonda['clave']] = llamar(espacio[sonda['funcion']], sonda['argumentos'], clientes, limite,
                                             calificacion)
    return informe


def aplicacion(espacio):
    from flask import Flask

    if isinstance(espacio.get('app'), Flask):
        return espacio['app']
    apps = objetos(espacio, Flask)
    return apps[0] if apps else None


def rutas(app):
    """Las reglas de ``app.url_map``: cuentan las de @app.route y las de app.add_url_rule."""
    return [{'regla': r.rule, 'metodos': sorted(r.methods - {'HEAD', 'OPTIONS'}), 'argumentos': bool(r.arguments),
             'funcion': getattr(app.view_functions.get(r.endpoint), '__name__', r.endpoint)}
            for r in app.url_map.iter_rules() if r.endpoint != 'static'][:20]


def servir(app, puerto, archivo):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger('werkzeug').setLevel(logging.ERROR)
    app.debug = False  # el depurador ejecuta código que llega por HTTP; aquí nunca

    def error_interno(error):
        # El estudiante ve en su informe la excepción, no la página genérica de Flask.
        original = getattr(error, 'original_exception', None) or error
        linea = linea_del_error(original, archivo)
        donde = f' ({archivo}, línea {linea})' if linea else ''
        return f'Error interno: {type(original).__name__}: {str(original)[:240]}{donde}', 500

    app.register_error_handler(500, error_interno)
    make_server('127.0.0.1', puerto, app, threaded=True).serve_forever()


def ejecutar(pedido, informe_fd, zona):
    """Importa el archivo del pedido, escribe el informe en ``informe_fd`` y sirve su app. No vuelve.

    El módulo se importa en el hilo principal, como lo harían ``python`` o gunicorn
    (``signal.signal`` solo funciona ahí). Si no vuelve a tiempo (se quedó en
    ``app.run`` o en un bucle), un vigilante prueba el módulo a medias e informa.
    """
    informe = os.fdopen(informe_fd, 'w', encoding='utf-8')
    # La entrega, en su carpeta debajo de la zona (la carpeta de trabajo, con el modelo), como en el taller;
    # al final de sys.path: los archivos de la entrega no tapan los módulos de la sonda.
    sys.path.append(os.path.join(zona, pedido.get('carpeta', '')))
    nombre = pedido['archivo'].removesuffix('.py')
    inicio = time.monotonic()
    volvio, turno = threading.Event(), threading.Lock()   # informa quien tome el turno primero

    def informar(modulo, error, linea=None):
        datos = {'importado': error is None, 'error': error, 'linea': linea,
                 'segundos': round(time.monotonic() - inicio, 2), 'probado': modulo is not None}
        app = None
        if modulo is not None:
            espacio = vars(modulo)
            try:
                datos['sondas'] = probar(espacio, pedido.get('sondas', []), pedido['clientes'], pedido['funcion'],
                                         f'{zona}/modelo_trabajo.bin')
            except Exception as fallo:  # noqa: BLE001 — el módulo del estudiante puede ser muy raro
                datos['error_sonda'] = f'{type(fallo).__name__}: {fallo}'[:300]
            app = aplicacion(espacio) if error is None else None
            datos['app'] = rutas(app) if app is not None else None
        informe.write(json.dumps(datos) + '\n')
        informe.close()
        sys.stdout.flush()
        return app

    def vigilar():
        if not volvio.wait(pedido['fase']) and turno.acquire(blocking=False):
            # Lo definido hasta donde se quedó ya está en el módulo a medias; lo que arrancó al
            # importar sigue sirviendo y la caja lo para.
            informar(sys.modules.get(nombre), f'no terminó en {pedido["fase"]:.0f} s')

    threading.Thread(target=vigilar, daemon=True).start()
    try:
        modulo, error, linea = importlib.import_module(nombre), None, None
    except BaseException as fallo:  # noqa: BLE001 — también SystemExit
        modulo, error, linea = sys.modules.get(nombre), texto_del_error(fallo), linea_del_error(fallo, pedido['archivo'])
    volvio.set()
    if not turno.acquire(blocking=False):
        threading.Event().wait()   # volvió tarde: el vigilante ya informó
    app = informar(modulo, error, linea)
    if app is not None:
        servir(app, pedido['puerto'], pedido['archivo'])
    os._exit(0)


def main():
    """Sin caja (``--sin-aislamiento``): la sonda como programa, con el pedido por la entrada estándar."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--informe-fd', type=int, required=True)
    parser.add_argument('--zona', default='/zona')
    args = parser.parse_args()
    ejecutar(json.loads(sys.stdin.readline()), args.informe_fd, args.zona)


if __name__ == '__main__':
    main()
