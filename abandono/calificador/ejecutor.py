"""El proceso hijo que ejecuta el código de un estudiante.

Nunca se importa código de estudiantes en el proceso de pytest: este módulo
corre en su propio proceso, dentro de la copia temporal de la entrega, y:

1. se pone límites de memoria, CPU y tamaño de archivo antes de tocar nada;
2. sustituye ``Flask.run`` (y ``waitress.serve``) por una versión que solo
   anota cómo se llamó: así se sabe si el estudiante arranca el servidor al
   importar o con el depurador, sin que abra el puerto que tenga escrito;
3. importa el archivo como módulo y/o lo ejecuta como script, cada fase en un
   hilo con tiempo límite, capturando lo que imprime;
4. prueba las funciones de la lección que encuentre (``predict_cliente``,
   ``hola``), anota la aplicación Flask que encuentre y escribe todo en un
   JSON de "hechos" que el padre juzga;
5. si el módulo tiene una aplicación Flask y se pidió un puerto, la sirve con
   el servidor WSGI de Werkzeug en 127.0.0.1 para que el padre la pruebe.

    python -m abandono.calificador.ejecutor servicio1.py --hechos h.json \
        --importar --script --clientes clientes.json --puerto 40123
"""
import argparse
import contextlib
import importlib.util
import io
import json
import numbers
import os
import resource
import runpy
import sys
import threading
import time
import traceback
from pathlib import Path

from abandono.calificador import limites

_MAX_SALIDA = 20_000  # caracteres de salida que se guardan por fase


def limitar_recursos():
    for recurso, valor in ((resource.RLIMIT_AS, limites.MEMORIA), (resource.RLIMIT_CPU, limites.CPU),
                           (resource.RLIMIT_FSIZE, limites.ARCHIVO), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(recurso, (valor, valor))


def vigilar(vida=limites.VIDA):
    """Sale si el padre muere (el hijo quedaría huérfano sirviendo) o si se agota la vida."""
    padre, fin = os.getppid(), time.monotonic() + vida

    def vigilante():
        while os.getppid() == padre and time.monotonic() < fin:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=vigilante, daemon=True).start()


def en_hilo(funcion, limite=limites.FASE):
    """Ejecuta ``funcion()`` con tiempo límite: (terminado, resultado, error, salida)."""
    estado = {'resultado': None, 'error': None}
    salida = io.StringIO()

    def objetivo():
        try:
            estado['resultado'] = funcion()
        except BaseException:  # noqa: BLE001 — también SystemExit: el estudiante llamó a sys.exit
            estado['error'] = traceback.format_exc(limit=-8)

    with contextlib.redirect_stdout(salida), contextlib.redirect_stderr(salida):
        hilo = threading.Thread(target=objetivo, daemon=True)
        hilo.start()
        hilo.join(limite)
    terminado = not hilo.is_alive()
    if not terminado:
        estado['error'] = f'no terminó en {limite:.0f} s (¿un bucle infinito o una espera?)'
    return terminado, estado['resultado'], estado['error'], salida.getvalue()[-_MAX_SALIDA:]


class Arranques(list):
    """Las llamadas a ``app.run``/``waitress.serve`` que hizo el estudiante (sin arrancar nada)."""

    def interceptar(self):
        import flask

        registro = self

        def run(app, host=None, port=None, debug=None, load_dotenv=True, **opciones):
            registro.append({'servidor': 'app.run', 'app': app.name, 'puerto': port,
                             'debug': bool(app.debug if debug is None else debug)})

        flask.Flask.run = run
        with contextlib.suppress(ImportError):
            import waitress

            def serve(app, **opciones):
                registro.append({'servidor': 'waitress.serve', 'app': getattr(app, 'name', None),
                                 'puerto': opciones.get('port'), 'debug': False})

            waitress.serve = serve


def fase(funcion, arranques):
    """Ejecuta una fase y la describe para el JSON de hechos."""
    antes = len(arranques)
    terminado, resultado, error, salida = en_hilo(funcion)
    return resultado, {'terminado': terminado, 'error': error, 'salida': salida,
                       'arranques': arranques[antes:]}


def describir(valor):
    """Un valor devuelto por el estudiante, en JSON: número, texto o su repr."""
    tipo = type(valor).__name__
    if isinstance(valor, numbers.Real) and not isinstance(valor, bool) and 'bool' not in tipo:
        return {'tipo': tipo, 'numero': float(valor)}
    if isinstance(valor, str):
        return {'tipo': tipo, 'texto': valor[:1000]}
    return {'tipo': tipo, 'repr': repr(valor)[:300]}


def buscar_app(espacio):
    """La aplicación Flask del módulo: la llamada ``app`` o, si no, la primera que haya."""
    import flask

    apps = [v for v in espacio.values() if isinstance(v, flask.Flask)]
    app = espacio.get('app') if isinstance(espacio.get('app'), flask.Flask) else (apps[0] if apps else None)
    if app is None:
        return None, None
    rutas = [{'regla': r.rule, 'metodos': sorted(r.methods - {'HEAD', 'OPTIONS'}),
              'argumentos': sorted(r.arguments)}
             for r in app.url_map.iter_rules() if r.endpoint != 'static']
    return app, {'nombre': app.name, 'debug': bool(app.debug), 'rutas': rutas}


def objetos_sklearn(espacio):
    """Nombres globales que guardan un DictVectorizer o una LogisticRegression."""
    encontrados = {'DictVectorizer': [], 'LogisticRegression': []}
    for nombre, valor in espacio.items():
        clase = type(valor).__name__
        if clase in encontrados and type(valor).__module__.startswith('sklearn'):
            encontrados[clase].append(nombre)
    return encontrados


def probar_predict_cliente(funcion, clientes, dv, modelo):
    """Llama a la función del estudiante con el modelo de referencia; se para en el primer error."""
    resultados = []
    for cliente in clientes:
        terminado, valor, error, _ = en_hilo(lambda: funcion(dict(cliente), dv, modelo))
        if error:
            resultados.append({'error': error})
            break
        resultados.append(describir(valor))
    return resultados


def ejecutar(args):
    archivo = Path(args.archivo).resolve()
    hechos = {'archivo': archivo.name}
    if not archivo.is_file():
        hechos['falta'] = True
        return hechos, None
    # El modelo de referencia se carga (verificado) antes de ejecutar nada del estudiante.
    referencia = None
    if args.clientes:
        from abandono.integridad import cargar_modelo
        referencia = cargar_modelo(str(archivo.parent / 'modelo_trabajo.bin'))
    sys.path.insert(0, str(archivo.parent))
    arranques = Arranques()
    arranques.interceptar()
    app = espacio = None
    if args.importar:
        def importar():
            spec = importlib.util.spec_from_file_location(archivo.stem, archivo)
            modulo = importlib.util.module_from_spec(spec)
            sys.modules[archivo.stem] = modulo
            spec.loader.exec_module(modulo)
            return vars(modulo)

        espacio, hechos['importar'] = fase(importar, arranques)
        if not hechos['importar']['terminado']:
            return hechos, None  # un bucle al importar se repetiría en las demás fases
    if args.script:
        _, hechos['script'] = fase(lambda: runpy.run_path(str(archivo), run_name='__main__'), arranques)
    if espacio is not None:
        app, hechos['app'] = buscar_app(espacio)
        hechos['sklearn'] = objetos_sklearn(espacio)
        if callable(espacio.get('predict_cliente')) and referencia:
            clientes = json.loads(Path(args.clientes).read_text(encoding='utf-8'))
            hechos['predict_cliente'] = probar_predict_cliente(espacio['predict_cliente'], clientes, *referencia)
        if callable(espacio.get('hola')):
            _, hola, error, _ = en_hilo(espacio['hola'])
            hechos['hola'] = {'error': error} if error else describir(hola)
    return hechos, app


def escribir_hechos(hechos, ruta):
    temporal = Path(f'{ruta}.tmp')
    temporal.write_text(json.dumps(hechos, ensure_ascii=False, default=repr), encoding='utf-8')
    os.replace(temporal, ruta)  # el padre nunca lee un JSON a medias


def servir(app, puerto):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger('werkzeug').setLevel(logging.ERROR)
    app.debug = False  # el depurador de Werkzeug ejecuta código que llega por HTTP

    def error_interno(error):
        # El estudiante ve en su informe la excepción, no la página genérica de Flask.
        original = getattr(error, 'original_exception', None) or error
        return f'Error interno: {type(original).__name__}: {original}'[:500], 500

    app.register_error_handler(500, error_interno)
    make_server('127.0.0.1', puerto, app, threaded=True).serve_forever()


def main(argv=None):
    parser = argparse.ArgumentParser(description='Ejecuta un archivo de una entrega y anota lo que hace.')
    parser.add_argument('archivo')
    parser.add_argument('--hechos', required=True, help='JSON donde se escriben los hechos observados')
    parser.add_argument('--importar', action='store_true', help='importarlo como módulo')
    parser.add_argument('--script', action='store_true', help="ejecutarlo como script (__name__ == '__main__')")
    parser.add_argument('--clientes', help='JSON con clientes para probar predict_cliente')
    parser.add_argument('--puerto', type=int, help='servir su aplicación Flask en este puerto')
    args = parser.parse_args(argv)
    limitar_recursos()
    vigilar()
    hechos, app = ejecutar(args)
    escribir_hechos(hechos, args.hechos)
    sys.stdout.flush()
    if app is not None and args.puerto:
        servir(app, args.puerto)
    # Un hilo del estudiante que no terminó no debe impedir que el proceso acabe.
    os._exit(0)


if __name__ == '__main__':
    main()
