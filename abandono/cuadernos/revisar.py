"""Las celdas que comprueban tu código, como ``grader.check`` de otter: qué está bien y qué corregir.

Cada función mira lo que escribiste, en el cuaderno (``globals()``) o en tu carpeta,
escribe una línea por comprobación (✔ o ✘, y qué hacer) y devuelve True si todo
está bien. Nunca lanza un error: si aún no escribiste nada, lo dice y el cuaderno
sigue hasta el final.

    revisar.prediccion(globals())            # 01: y_pred, la probabilidad de la clienta de la lección
    revisar.predict_cliente(globals())       # 02: tu función predict_cliente
    revisar.guardado(ARCHIVO, globals())     # 03: el archivo que guardaste con pickle
    revisar.cargado(ARCHIVO, globals())      # 03: dv y modelo, cargados de ese archivo
    revisar.hola(globals())                  # 05: tu aplicación Flask con hola
    revisar.respuesta_hola(globals())        # 05: lo que respondió tu flask_test.py en marcha
    revisar.aplicacion(globals())            # 06: tu aplicación Abandono con /predict
    revisar.respuesta_predict(globals())     # 06: lo que respondió tu servicio1.py en marcha (ejercicio 4)
    revisar.ejercicios(1, carpeta=CARPETA)   # tus archivos, con el calificador de «make comprobar»

Las referencias con las que se compara salen del modelo del propio cuaderno
(``dv`` y ``modelo``) y de ``abandono/prediccion.py``; ningún número está copiado.
"""
import functools
import hashlib
import inspect
import tempfile
import time
import traceback
from pathlib import Path

from abandono.datos import CLIENTE_LECCION
from abandono.lanzador import RAIZ

HOLA = 'Hola C8280'
CLIENTES_DE_PRUEBA = 20   # además de la clienta de la lección
_TOLERANCIA = 1e-9


class _Informe:
    """Las líneas ✔/✘ de una comprobación y el resumen final."""

    def __init__(self):
        self.lineas, self.aciertos, self.total = [], 0, 0

    def bien(self, texto):
        self.lineas.append(f'✔ {texto}')
        self.aciertos += 1
        self.total += 1

    def mal(self, texto, que_hacer):
        self.lineas.append(f'✘ {texto}\n    Qué hacer: {que_hacer}')
        self.total += 1

    def cerrar(self):
        print('\n'.join(self.lineas))
        if self.aciertos == self.total:
            print(f'\nTodo bien ({self.total} de {self.total}).')
            return True
        print(f'\n{self.aciertos} de {self.total} bien: corrige lo marcado con ✘, ejecuta otra vez tu celda y después esta.')
        return False


def _falta(nombre, que_hacer):
    """Lo que se escribe cuando la celda del estudiante aún no definió ``nombre``."""
    print(f'✘ Todavía no existe {nombre}.\n    Qué hacer: {que_hacer}\n')
    print('Cuando la ejecutes, vuelve a ejecutar esta celda.')
    return False


def _error(error):
    """«NameError: name 'x' is not defined (línea 2 de tu celda)»: el error y dónde, sin la traza."""
    linea = None
    for marco in traceback.extract_tb(error.__traceback__):
        if 'ipykernel_' in marco.filename or marco.filename.startswith('<ipython-input'):
            linea = marco.lineno
    texto = f'{type(error).__name__}: {error}'
    return f'{texto} (línea {linea} de tu celda)' if linea else texto


def _numero(valor):
    """``valor`` como float si es un número (de Python o de NumPy) que no es una matriz; si no, None."""
    import numpy as np

    if isinstance(valor, (bool, np.bool_)) or not isinstance(valor, (int, float, np.number)):
        return None
    return float(valor)


def _referencia(espacio, cliente=CLIENTE_LECCION):
    """La probabilidad de ``cliente`` con el dv y el modelo del cuaderno (la función de abandono/prediccion.py)."""
    from abandono.prediccion import predict_cliente

    return float(predict_cliente(cliente, espacio['dv'], espacio['modelo']))


@functools.cache
def clientes_de_prueba():
    """Clientes del conjunto de prueba (el modelo no los vio al entrenar) con un identificador inventado."""
    import pandas as pd

    from abandono.datos import CARACTERISTICAS, cargar_clientes
    from abandono.entrenamiento import dividir

    prueba = dividir(cargar_clientes())[3]
    # Sin la clienta de la lección, que sale de estos datos: una función que la puntúe siempre a ella fallaría con todos.
    prueba = prueba[(prueba[CARACTERISTICAS] != pd.Series(CLIENTE_LECCION)[CARACTERISTICAS]).any(axis=1)]
    return tuple(dict(customerid=f'prueba-{i:04d}', **fila) for i, fila in
                 zip(prueba.index, prueba[CARACTERISTICAS].head(CLIENTES_DE_PRUEBA).to_dict(orient='records')))


def _sin_modelo(espacio):
    if 'dv' in espacio and 'modelo' in espacio:
        return False
    print('✘ Este cuaderno aún no tiene dv y modelo.\n'
          '    Qué hacer: ejecuta en orden las celdas de arriba, desde la primera.')
    return True


# --- 01 ---------------------------------------------------------------------------------------

def prediccion(espacio):
    """01: ``y_pred`` es lo que da ``predict`` para la clienta de la lección."""
    import numpy as np

    if 'y_pred' not in espacio:
        return _falta('y_pred', 'en la celda «TU CÓDIGO AQUÍ» de arriba, crea un DataFrame con el cliente, '
                                'aplícale predict y guarda el resultado en y_pred; después, ejecútala.')
    if _sin_modelo(espacio):
        return False
    informe, y_pred, esperada = _Informe(), espacio['y_pred'], _referencia(espacio)
    if isinstance(y_pred, np.ndarray) and y_pred.shape == (1,):
        informe.bien('y_pred es una matriz de NumPy con un solo número, como dice la lección')
        valor = _numero(y_pred[0])
    elif _numero(y_pred) is not None:
        informe.bien('y_pred ya es el número (también vale: la lección se queda con y_pred[0])')
        valor = _numero(y_pred)
    else:
        forma = f' de forma {y_pred.shape}' if isinstance(y_pred, np.ndarray) else ''
        informe.mal(f'y_pred es un {type(y_pred).__name__}{forma}, no la matriz de un solo número que da predict',
                    'mete solo al cliente en el DataFrame, pd.DataFrame([cliente]), y guarda en y_pred lo que '
                    'devuelve predict(df, dv, modelo).')
        return informe.cerrar()
    if valor is not None and abs(valor - esperada) < _TOLERANCIA:
        informe.bien(f'es la probabilidad de abandono que el modelo da a la clienta de la lección: {valor:.4f}')
    elif valor is not None and abs(valor - (1 - esperada)) < _TOLERANCIA:
        informe.mal(f'{valor:.4f} es la probabilidad de que se quede (la columna 0 de predict_proba)',
                    'usa la función predict del cuaderno, que se queda con la columna 1.')
    else:
        informe.mal(f'y_pred vale {valor}, pero el modelo da {esperada:.4f} a la clienta de la lección',
                    'usa el cliente de la lección tal cual (sin cambiar ningún dato) con el dv y el modelo del cuaderno.')
    return informe.cerrar()


# --- 02 ---------------------------------------------------------------------------------------

def predict_cliente(espacio):
    """02: la función ``predict_cliente`` da, para un diccionario, lo mismo que la de la lección."""
    import numpy as np

    funcion = espacio.get('predict_cliente')
    if funcion is None:
        return _falta('predict_cliente', 'escribe la función en la celda «TU CÓDIGO AQUÍ» de arriba y ejecútala.')
    if _sin_modelo(espacio):
        return False
    informe = _Informe()
    if not callable(funcion):
        informe.mal(f'predict_cliente es un {type(funcion).__name__}, no una función',
                    'defínela con def predict_cliente(cliente, dv, modelo): ...')
        return informe.cerrar()
    try:
        inspect.signature(funcion).bind(CLIENTE_LECCION, espacio['dv'], espacio['modelo'])
        informe.bien('predict_cliente recibe tres argumentos: (cliente, dv, modelo)')
    except (TypeError, ValueError):
        informe.mal('predict_cliente no recibe tres argumentos', 'defínela como def predict_cliente(cliente, dv, modelo):')
        return informe.cerrar()

    cliente = dict(CLIENTE_LECCION)
    try:
        obtenido = funcion(cliente, espacio['dv'], espacio['modelo'])
    except Exception as error:  # noqa: BLE001 — el error del estudiante se explica, no se propaga
        informe.mal(f'con la clienta de la lección falla: {_error(error)}',
                    'lee el error: dice qué nombre o qué línea de tu función no funciona.')
        return informe.cerrar()
    esperada = _referencia(espacio)
    if isinstance(obtenido, np.ndarray):
        que = ('las dos columnas de predict_proba' if obtenido.ndim == 2
               else 'la matriz' if obtenido.shape == (1,) else f'una matriz de forma {obtenido.shape}')
        informe.mal(f'devuelve {que}, no un número',
                    'quédate con la columna 1 de predict_proba y, de ella, con su único elemento.')
        return informe.cerrar()
    valor = _numero(obtenido)
    if valor is None:
        informe.mal(f'devuelve un {type(obtenido).__name__}, no un número', 'devuelve la probabilidad de abandono.')
        return informe.cerrar()
    if abs(valor - esperada) < _TOLERANCIA:
        informe.bien(f'devuelve un número: la probabilidad de abandono de la clienta, {valor:.4f}')
    elif abs(valor - (1 - esperada)) < _TOLERANCIA:
        informe.mal(f'devuelve {valor:.4f}, la probabilidad de que se quede (la columna 0)',
                    'la columna 1 de predict_proba es «abandona»: [:, 1].')
        return informe.cerrar()
    else:
        informe.mal(f'devuelve {valor:.4f} para la clienta de la lección y el modelo le da {esperada:.4f}',
                    'transforma [cliente] con dv y pásale el resultado a modelo.predict_proba.')
        return informe.cerrar()
    if cliente == CLIENTE_LECCION:
        informe.bien('no cambia el diccionario que recibe')
    else:
        informe.mal('cambia el diccionario del cliente que recibe', 'no modifiques cliente dentro de la función.')
    distintos = []
    for otro in clientes_de_prueba():
        try:
            valor = _numero(funcion(dict(otro), espacio['dv'], espacio['modelo']))
        except Exception:  # noqa: BLE001
            valor = None
        if valor is None or abs(valor - _referencia(espacio, otro)) > _TOLERANCIA:
            distintos.append(otro['customerid'])
    if distintos:
        informe.mal(f'con {len(distintos)} de {CLIENTES_DE_PRUEBA} clientes de prueba da otra cosa '
                    f'(el primero, {distintos[0]})', 'no escribas nada propio de la clienta de la lección en la función.')
    else:
        informe.bien(f'da lo mismo que la de la lección con otros {CLIENTES_DE_PRUEBA} clientes del conjunto de prueba')
    return informe.cerrar()


# --- 03 ---------------------------------------------------------------------------------------

def guardado(archivo, espacio):
    """03: ``archivo`` es el pickle de la tupla ``(dv, modelo)`` del cuaderno, como lo cargaría el servicio."""
    from abandono.integridad import ModeloNoConfiable, cargar_modelo

    ruta = Path(archivo)
    if not ruta.is_file():
        return _falta(str(archivo), "guarda la tupla con pickle en la celda «TU CÓDIGO AQUÍ»: abre ARCHIVO en modo 'wb'.")
    if _sin_modelo(espacio):
        return False
    informe = _Informe()
    contenido = ruta.read_bytes()
    if not contenido:
        informe.mal(f'{archivo} está vacío: open lo creó, pero pickle.dump no llegó a escribir',
                    'mira el error de tu celda: dentro de with ... as f_out, escribe en f_out (no en f_in, '
                    'la errata de la lección).')
        return informe.cerrar()
    # El archivo, tal como lo cargaría el servicio (cargar_modelo): con su huella al lado, en otra carpeta.
    with tempfile.TemporaryDirectory() as carpeta:
        copia = Path(carpeta) / ruta.name
        copia.write_bytes(contenido)
        Path(f'{copia}.sha256').write_text(f'{hashlib.sha256(contenido).hexdigest()}  {copia.name}\n')
        try:
            dv, modelo = cargar_modelo(copia)
        except ModeloNoConfiable as error:
            informe.mal(str(error).replace(str(copia), str(archivo)),
                        'guarda los dos juntos en una tupla, en este orden: (dv, modelo).')
            return informe.cerrar()
    informe.bien(f'{archivo} guarda la tupla (DictVectorizer, {type(modelo).__name__})')
    if abs(_referencia({'dv': dv, 'modelo': modelo}) - _referencia(espacio)) < _TOLERANCIA:
        informe.bien('son el dv y el modelo de este cuaderno: dan la misma probabilidad a la clienta')
    else:
        informe.mal('el modelo guardado no da la misma probabilidad que el del cuaderno',
                    'guarda el dv y el modelo que entrenó este cuaderno.')
    _modelo_de_la_raiz_intacto(informe)
    return informe.cerrar()


def _modelo_de_la_raiz_intacto(informe):
    """Si un open('modelo_trabajo.bin', 'wb') escribió encima del modelo del taller, lo dice."""
    from abandono.integridad import ModeloNoConfiable, RUTA_MODELO, leer_verificado

    try:
        leer_verificado(RUTA_MODELO)
    except ModeloNoConfiable:
        informe.mal('el modelo_trabajo.bin de la raíz del taller ya no coincide con su huella (¿lo sobrescribió '
                    "open('modelo_trabajo.bin', 'wb')?): tu servicio1.py y el servicio lo usan",
                    'vuelve a crearlo con make modelo (sin make: python -m abandono.entrenamiento).')


def cargado(archivo, espacio):
    """03: ``dv`` y ``modelo`` existen otra vez y son los de ``archivo``."""
    if 'modelo' not in espacio and 'model' in espacio:
        print('✘ Cargaste el modelo en model, no en modelo.\n'
              '    Qué hacer: es la errata de la lección; el resto del código usa modelo: dv, modelo = pickle.load(f_in).')
        return False
    if 'dv' not in espacio or 'modelo' not in espacio:
        return _falta('dv ni modelo', "carga la tupla con pickle en la celda «TU CÓDIGO AQUÍ»: abre ARCHIVO en modo 'rb'.")
    from sklearn.feature_extraction import DictVectorizer

    informe = _Informe()
    if isinstance(espacio['dv'], DictVectorizer) and hasattr(espacio['modelo'], 'predict_proba'):
        informe.bien(f'dv es un DictVectorizer y modelo un {type(espacio["modelo"]).__name__}')
    else:
        informe.mal(f'dv es un {type(espacio["dv"]).__name__} y modelo un {type(espacio["modelo"]).__name__}',
                    'la tupla se guardó como (dv, modelo): desempaquétala en ese orden.')
        return informe.cerrar()
    import pickle

    try:
        with open(archivo, 'rb') as f_in:   # el archivo que escribió el propio estudiante en este cuaderno
            dv, modelo = pickle.load(f_in)
        iguales = abs(_referencia({'dv': dv, 'modelo': modelo}) - _referencia(espacio)) < _TOLERANCIA
    except Exception:  # noqa: BLE001 — su archivo lo juzga revisar.guardado
        iguales = False
    if iguales:
        informe.bien(f'dan la misma probabilidad que los guardados en {archivo}: {_referencia(espacio):.4f}')
    else:
        informe.mal(f'no dan lo mismo que la tupla guardada en {archivo}', 'carga ARCHIVO, el que guardaste arriba.')
    return informe.cerrar()


# --- 05 ---------------------------------------------------------------------------------------

def _app(espacio):
    """La aplicación Flask ``app`` del cuaderno, o None (y lo dice)."""
    from flask import Flask

    app = espacio.get('app')
    if app is None:
        _falta('app', 'crea la aplicación Flask en la celda «TU CÓDIGO AQUÍ» de arriba y ejecútala.')
        return None
    if not isinstance(app, Flask):
        print(f'✘ app es un {type(app).__name__}, no una aplicación Flask.\n    Qué hacer: app = Flask(...).')
        return None
    return app


def hola(espacio):
    """05: la función ``hola`` y una ruta GET de ``app`` que la sirve."""
    funcion = espacio.get('hola')
    if funcion is None:
        return _falta('hola', 'escribe la función hola en la celda «TU CÓDIGO AQUÍ» de arriba y ejecútala.')
    app = _app(espacio)
    if app is None:
        return False
    informe = _Informe()
    try:
        devuelve = funcion()
    except Exception as error:  # noqa: BLE001
        devuelve = _error(error)
    if devuelve == HOLA:
        informe.bien(f'hola() devuelve {HOLA!r}')
    else:
        informe.mal(f'hola() devuelve {devuelve!r}', f'la lección pide exactamente {HOLA!r}.')
    informe.bien(f'app es una aplicación Flask llamada {app.name!r}')
    rutas = [r.rule for r in app.url_map.iter_rules()
             if app.view_functions.get(r.endpoint) is funcion and 'GET' in r.methods and not r.arguments]
    if not rutas:
        informe.mal('hola no tiene ninguna ruta en app (o la ruta no acepta GET)',
                    'decórala con @app.route y la dirección que quieras darle.')
        return informe.cerrar()
    respuesta = app.test_client().get(rutas[0])
    if respuesta.status_code == 200 and respuesta.get_data(as_text=True) == HOLA:
        informe.bien(f'GET {rutas[0]} responde 200 y {HOLA!r} (probado con test_client, sin servidor)')
    else:
        informe.mal(f'GET {rutas[0]} responde {respuesta.status_code} y {respuesta.get_data(as_text=True)[:80]!r}',
                    'la ruta tiene que devolver lo que devuelve hola.')
    return informe.cerrar()


def _cuerpo(respuesta):
    """(estado, texto) de una respuesta de requests, o (None, texto) si ya era el texto."""
    import requests

    if isinstance(respuesta, requests.Response):
        return respuesta.status_code, respuesta.text
    return None, respuesta


def respuesta_hola(espacio):
    """05: ``respuesta`` es lo que contestó tu flask_test.py en marcha al pedir su ruta."""
    if 'respuesta' not in espacio:
        return _falta('respuesta', 'arranca tu flask_test.py en una terminal (python mi_trabajo/flask_test.py), '
                                   'pide su ruta con requests en la celda de arriba y guarda lo que responde en respuesta.')
    informe = _Informe()
    estado, texto = _cuerpo(espacio['respuesta'])
    if estado not in (None, 200):
        informe.mal(f'tu servidor respondió {estado}', 'pide la ruta que le diste a hola (un 404 es una ruta que no existe).')
    elif texto == HOLA:
        informe.bien(f'tu servidor en marcha respondió {HOLA!r}' + (' con el estado 200' if estado else ''))
    else:
        informe.mal(f'tu servidor respondió {str(texto)[:80]!r}', f'hola debe devolver {HOLA!r}.')
    return informe.cerrar()


# --- 06 ---------------------------------------------------------------------------------------

def aplicacion(espacio):
    """06: ``app`` se llama Abandono y su POST /predict responde en JSON la probabilidad del modelo."""
    app = _app(espacio)
    if app is None or _sin_modelo(espacio):
        return False
    from abandono.cuadernos.tu_carpeta import probabilidad

    informe = _Informe()
    if app.name == 'Abandono':
        informe.bien("la aplicación se llama 'Abandono'")
    else:
        informe.mal(f'la aplicación se llama {app.name!r}', "la lección la llama así: Flask('Abandono').")
    antes, app.config['PROPAGATE_EXCEPTIONS'] = app.config.get('PROPAGATE_EXCEPTIONS'), True
    try:
        cliente_http = app.test_client()
        distintos = []
        for numero, cliente in enumerate([CLIENTE_LECCION, *clientes_de_prueba()[:5]]):
            try:
                respuesta = cliente_http.post('/predict', json=dict(cliente))
            except Exception as error:  # noqa: BLE001 — el 500 de su función, con su causa
                informe.mal(f'POST /predict falla dentro de tu función: {_error(error)}', _arreglo_de(error))
                return informe.cerrar()
            if numero == 0 and not _primera_respuesta(informe, respuesta, _referencia(espacio)):
                return informe.cerrar()
            valor = probabilidad(respuesta.get_json(silent=True))
            if valor is None or abs(valor - _referencia(espacio, cliente)) > _TOLERANCIA:
                distintos.append(cliente['customerid'])
    finally:
        app.config['PROPAGATE_EXCEPTIONS'] = antes
    if distintos:
        informe.mal(f'con {len(distintos)} de 5 clientes de prueba responde otra probabilidad',
                    'puntúa el cliente que llega en la petición (request.get_json()), no uno fijo.')
    else:
        informe.bien('también acierta con 5 clientes del conjunto de prueba')
    return informe.cerrar()


def _primera_respuesta(informe, respuesta, esperada):
    """La respuesta a la clienta de la lección: ruta, JSON y probabilidad. False si no hace falta seguir."""
    from abandono.cuadernos.tu_carpeta import probabilidad

    if respuesta.status_code in (404, 405):
        informe.mal(f'POST /predict responde {respuesta.status_code}',
                    "la ruta es /predict y acepta POST: @app.route('/predict', methods=['POST']).")
        return False
    datos = respuesta.get_json(silent=True)
    if respuesta.status_code != 200 or datos is None:
        informe.mal(f'POST /predict responde {respuesta.status_code} y no JSON: {respuesta.get_data(as_text=True)[:80]!r}',
                    'responde con jsonify(...) un diccionario con la probabilidad.')
        return False
    informe.bien(f'POST /predict con la clienta de la lección responde 200 en JSON: {datos}')
    valor = probabilidad(datos)
    if valor is not None and abs(valor - esperada) < _TOLERANCIA:
        informe.bien('la probabilidad de la respuesta es la del modelo')
        return True
    informe.mal('la respuesta no trae la probabilidad del modelo para ese cliente',
                'lee el cliente con request.get_json() y puntúalo con predict_cliente(cliente, dv, modelo).')
    return False


def _arreglo_de(error):
    """Qué hacer con el error de una ruta: el de los tipos de NumPy tiene arreglo conocido."""
    if isinstance(error, TypeError) and 'not JSON serializable' in str(error):
        return ('jsonify no sabe escribir los tipos de NumPy (un booleano, una matriz): convierte la decisión '
                'con bool(...) y la probabilidad con float(...).')
    return 'lee el error: dice qué línea de tu función falla.'


def respuesta_predict(espacio):
    """06, ejercicio 4: ``respuesta`` es lo que contestó tu servicio1.py en marcha a la clienta de la lección."""
    import json

    from abandono.cuadernos.tu_carpeta import probabilidad

    if 'respuesta' not in espacio:
        return _falta('respuesta', 'arranca tu servicio en una terminal (python mi_trabajo/servicio1.py), envíale '
                                   'el cliente con requests en la celda de arriba y guarda lo que responde en respuesta.')
    if _sin_modelo(espacio):
        return False
    informe = _Informe()
    estado, datos = _cuerpo(espacio['respuesta'])
    if estado is not None:
        if estado != 200:
            informe.mal(f'tu servicio respondió {estado}', 'mira la terminal donde corre tu servicio: ahí está su error.')
            return informe.cerrar()
        try:
            datos = json.loads(datos)
        except ValueError:
            informe.mal(f'tu servicio no respondió JSON: {datos[:80]!r}', 'responde con jsonify(...).')
            return informe.cerrar()
    valor = probabilidad(datos)
    if valor is None:
        informe.mal(f'la respuesta no trae ninguna probabilidad: {datos!r}'[:160],
                    'guarda en respuesta lo que devuelve .json() (o la respuesta entera).')
    elif abs(valor - _referencia(espacio)) < _TOLERANCIA:
        informe.bien(f'tu servicio respondió la probabilidad del modelo para la clienta: {valor:.4f}')
    else:
        informe.mal(f'tu servicio respondió {valor} y el modelo da {_referencia(espacio):.4f}',
                    'envía el cliente de la lección tal cual: requests.post(url, json=cliente).')
    return informe.cerrar()


# --- Tus archivos, con el calificador ------------------------------------------------------------

def ejercicios(*numeros, carpeta='mi_trabajo'):
    """Califica tu carpeta con el calificador del taller (el de ``make comprobar``) y muestra los ejercicios ``numeros``.

    Devuelve ``{número: [obtenidos, máximo]}`` ({} si no pudo calificar). Tarda unos
    segundos: el calificador ejecuta tus archivos de verdad, cada uno en su caja.
    """
    ruta = (RAIZ / carpeta).resolve()
    if not ruta.is_dir():
        print(f'✘ No existe la carpeta {carpeta}/.\n'
              '    Qué hacer: créala con make empezar (sin make: python -m abandono.empezar) y completa sus archivos.')
        return {}
    try:
        from abandono.calificador import caja, comprobar
        from abandono.calificador.informes import fila, maximos
    except (ImportError, ValueError) as error:   # Windows: sin resource, fcntl ni forkserver (Linux y macOS)
        print(f'El calificador no funciona en este sistema ({error}). Califica tu carpeta en Linux, macOS, '
              'WSL o Colab con make comprobar.')
        return {}
    print(f'Tu carpeta {carpeta}/, con el calificador del taller (el mismo de make comprobar)'
          + ('' if caja.motivo_sin_caja() is None else ', sin aislar: es tu código en tu computadora') + '.')
    inicio = time.monotonic()
    calificacion = comprobar.calificar(ruta)
    comprobar.mostrar(calificacion, time.monotonic() - inicio, ejercicios=set(numeros), aciertos=True)
    return {n: [fila(calificacion)[f'ejercicio_{n}'], maximos()[n]] for n in numeros}
