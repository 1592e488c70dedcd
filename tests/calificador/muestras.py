"""Entregas de muestra para probar el calificador, descritas como cambios sobre solutions/ o exercises/.

Cada muestra copia la solución (o el esqueleto, ``base='exercises'``) y aplica
unos reemplazos de texto exactos (si un texto ya no aparece, la muestra falla
al construirse en vez de probar otra cosa), y puede añadir archivos enteros.
``esperado`` da los puntos de los ejercicios que cambian: sobre la solución,
los demás quedan con todos sus puntos; sobre el esqueleto, con 0.

Los ataques (tipo ``ATAQUE``) son los de la issue 9, uno o más por categoría.
Dejan rastro con el prefijo ``ATAQUE_`` en lo que intentan crear fuera de su
caja y ``MARCA_ATAQUE`` en la orden de cada proceso que intentan dejar vivo,
para que las pruebas comprueben que no quedó nada.

    python tests/calificador/muestras.py DESTINO            # todas las muestras
    python tests/calificador/muestras.py DESTINO --clase 30 # 30 entregas para medir la velocidad
"""
import argparse
import base64
import functools
import itertools
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

_TALLER = str(Path(__file__).resolve().parents[2])
if _TALLER not in sys.path:  # ejecutado como script (make bench lo hace): el paquete abandono del taller
    sys.path.insert(0, _TALLER)

from abandono.calificador.ejercicios import ARCHIVOS as _TABLA, EJERCICIOS  # noqa: E402
from abandono.datos import CLIENTE_LECCION  # noqa: E402
from abandono.taller import RAIZ  # noqa: E402

BASES = {'solutions': RAIZ / 'solutions', 'exercises': RAIZ / 'exercises'}
ARCHIVOS = tuple(_TABLA)
# Los archivos de la lección que cambian las muestras (un ejercicio nuevo no obliga a tocarlas).
S, F, P = (_TABLA[nombre].nombre for nombre in ('servicio1.py', 'flask_test.py', 'probar_servicio.py'))
ERROR, CORRECTA, HOSTIL, ATAQUE = 'error típico', 'correcta', 'hostil', 'ataque'
PUERTO_ESCUCHA = 'PUERTO_DE_FUERA'  # lo cambia la prueba por el puerto de su escucha de fuera
RAIZ_DEL_TALLER = 'RAIZ_DEL_TALLER'  # la carpeta del taller que califica, donde esté clonado
PROBABILIDAD_DEL_TALLER = 'PROBABILIDAD_DEL_TALLER'  # la del cliente de la lección con modelo_trabajo.bin


@functools.cache
def _probabilidad_del_taller():
    """La que un tramposo copiaría: la del cliente de la lección con el modelo del taller (depende del núcleo)."""
    from abandono.integridad import cargar_modelo
    from abandono.prediccion import predict_cliente
    return repr(float(predict_cliente(CLIENTE_LECCION, *cargar_modelo(RAIZ / 'modelo_trabajo.bin'))))


@dataclass(frozen=True)
class Muestra:
    nombre: str
    tipo: str
    descripcion: str
    cambios: dict = field(default_factory=dict)   # archivo -> [(texto, reemplazo), ...]
    esperado: dict = field(default_factory=dict)  # ejercicio -> puntos esperados
    borrar: tuple = ()                            # archivos que no se entregan
    base: str = 'solutions'
    extra: dict = field(default_factory=dict)     # ruta relativa -> texto de un archivo añadido
    categoria: str = ''                           # la de la issue 9, en los ataques
    pista: str = ''                               # texto que debe aparecer en algún mensaje
    mover: dict = field(default_factory=dict)     # archivo -> ruta relativa con la que se entrega
    bom_crlf: bool = False                        # guardados como el Bloc de notas: BOM y CRLF

    def construir(self, destino, puerto_de_fuera=0):
        carpeta = Path(destino) / self.nombre
        carpeta.mkdir(parents=True)
        for archivo in ARCHIVOS:
            if archivo in self.borrar:
                continue
            texto = (BASES[self.base] / archivo).read_text(encoding='utf-8')
            for viejo, nuevo in self.cambios.get(archivo, []):
                if viejo not in texto:
                    raise ValueError(f'{self.nombre}: {viejo!r} ya no aparece en {self.base}/{archivo}')
                texto = texto.replace(viejo, self._concretar(nuevo, puerto_de_fuera))
            ruta = carpeta / self.mover.get(archivo, archivo)
            ruta.parent.mkdir(parents=True, exist_ok=True)
            if self.bom_crlf:
                ruta.write_text(texto, encoding='utf-8-sig', newline='\r\n')
            else:
                ruta.write_text(texto, encoding='utf-8')
        for ruta, texto in self.extra.items():
            (carpeta / ruta).parent.mkdir(parents=True, exist_ok=True)
            (carpeta / ruta).write_text(self._concretar(texto, puerto_de_fuera), encoding='utf-8')
        if self.nombre == 'fifo_y_carpeta':
            os.mkfifo(carpeta / 'servicio1.py')
            (carpeta / 'flask_test.py').mkdir()
            os.mkfifo(carpeta / 'modelo_trabajo.bin')
        return carpeta

    @staticmethod
    def _concretar(codigo, puerto_de_fuera):
        """El código de un ataque con el puerto de la escucha de fuera, la ruta real del taller y su probabilidad."""
        if PROBABILIDAD_DEL_TALLER in codigo:
            codigo = codigo.replace(PROBABILIDAD_DEL_TALLER, _probabilidad_del_taller())
        return codigo.replace(PUERTO_ESCUCHA, str(puerto_de_fuera)).replace(RAIZ_DEL_TALLER, str(RAIZ))


_AL_IMPORTAR = 'import pickle\n'  # a partir de aquí se inyecta código que corre al importar
_MAIN = "if __name__ == '__main__':\n"


_FLASK = 'from flask import Flask\n'  # en flask_test.py, el código inyectado va detrás


def _al_importar(codigo):
    return {S: [(_AL_IMPORTAR, _AL_IMPORTAR + codigo)]}


def _linea(archivo, texto):
    """El número de la línea ``texto`` de la solución de ``archivo`` (sigue a la línea si el docstring cambia)."""
    return (BASES['solutions'] / archivo).read_text(encoding='utf-8').splitlines().index(texto) + 1


def _todo(archivo, fragmento, codigo):
    """El cambio que completa el TODO del esqueleto que contiene ``fragmento`` (y su raise, si lo tiene)."""
    lineas = (BASES['exercises'] / archivo).read_text(encoding='utf-8').splitlines(keepends=True)
    i = next(i for i, linea in enumerate(lineas) if '# TODO' in linea and fragmento in linea)
    sigue = lineas[i + 1] if i + 1 < len(lineas) and 'raise NotImplementedError' in lineas[i + 1] else ''
    return lineas[i] + sigue, codigo


# Lo que escribiría un estudiante que sigue cada pista del esqueleto al pie de la letra.
PISTAS = {
    S: [_todo(S, 'devuelve la probabilidad', '    X = dv.transform([cliente])\n    return modelo.predict_proba(X)[:, 1][0]\n'),
        _todo(S, 'carga el modelo', "with open('modelo_trabajo.bin', 'rb') as f_in:\n"
                                            '    dv, modelo = pickle.load(f_in)\n'),
        _todo(S, 'crea la aplicación Flask Abandono',
              "app = Flask('Abandono')\n\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n"
              '    cliente = request.get_json()\n    probabilidad = predict_cliente(cliente, dv, modelo)\n'
              "    return jsonify({'probabilidad_abandono': float(probabilidad), 'abandono': bool(probabilidad >= 0.5)})\n"),
        _todo(S, 'aplica el modelo', '    probabilidad = predict_cliente(cliente, dv, modelo)\n'
                                            '    print(round(probabilidad, 3), probabilidad >= 0.5)\n'),
        _todo(S, 'ejecuta la aplicación', "    app.run(debug=False, host='0.0.0.0', port=9696)\n")],
    F: [_todo(F, 'crea la aplicación', "app = Flask('test')\n\n\n@app.route('/hola')\ndef hola():\n    return 'Hola C8280'\n"),
        _todo(F, 'ejecuta el servidor', "    app.run(debug=False, host='0.0.0.0', port=9696)\n")],
    P: [_todo(P, 'envía el cliente', 'respuesta = requests.post(url, json=cliente)\nprint(respuesta.json())\n')],
}

# Código de los ataques (corre al importar y al ejecutar; nunca debe servir de nada).
_LEE_SOLUCIONES = '''
import os as _os, sys as _sys, glob as _glob
for _ruta in ['RAIZ_DEL_TALLER/solutions/servicio1.py', *_glob.glob('/proc/*/cwd/solutions/servicio1.py'),
              _os.path.join(_os.path.dirname(_os.path.dirname(_sys.executable)), 'solutions', 'servicio1.py'),
              *_glob.glob('/*/*/solutions/servicio1.py'), *_glob.glob('/root/**/solutions/servicio1.py')]:
    try:
        exec(open(_ruta).read().replace("__name__ == '__main__'", 'False'))
        break
    except Exception:
        pass
'''
_FALSIFICA = '''
import json as _json, os as _os
# Con la forma del informe de la sonda de verdad (sus claves, de ejercicios.ARCHIVOS).
_falso = {'importado': True, 'probado': True, 'error': None, 'linea': None, 'segundos': 0.1, 'sondas': {
              'cargados': {'encontrados': {'dv': True, 'modelo': True},
                           'probabilidades': [PROBABILIDAD_DEL_TALLER] * 30, 'error': None},
              'predict_cliente': [{'tipo': 'float', 'numero': PROBABILIDAD_DEL_TALLER}] * 30,
              'hola': [{'tipo': 'str', 'texto': 'Hola C8280'}]},
          'app': [{'regla': '/hola', 'metodos': ['GET'], 'argumentos': False, 'funcion': 'hola'}]}
for _fd in range(3, 64):
    try:
        _os.write(_fd, (_json.dumps(_falso) + '\\n').encode())
    except OSError:
        pass
print('Probabilidad de abandono:', round(PROBABILIDAD_DEL_TALLER, 3))
'''
_CUADRICULA = '''
for _i in range(1001):
    print(f'{_i / 1000:.3f}')
app = Flask('Abandono')


@app.route('/predict', methods=['POST'])
def predict():
    return jsonify({str(_i): _i / 100000 for _i in range(100001)})
'''
_REESCRIBE = '''
import glob as _glob, os as _os, sys as _sys
_destinos = ['RAIZ_DEL_TALLER/abandono/calificador/complemento.py', 'RAIZ_DEL_TALLER/ATAQUE_raiz.txt',
             'RAIZ_DEL_TALLER/.pytest_cache/v/ATAQUE_cache', 'RAIZ_DEL_TALLER/solutions/ATAQUE.py',
             _os.path.join(_sys.prefix, 'lib', 'python3.11', 'site-packages', 'ATAQUE_pth.pth'),
             *[_os.path.join(_p, 'ATAQUE_pth.pth') for _p in _sys.path if 'site-packages' in _p],
             '/tmp/ATAQUE_tmp.txt', '/ATAQUE_raiz_de_la_caja.txt', '/entrada/ATAQUE.txt', '/calificador/sonda.py',
             _os.path.expanduser('~/../ATAQUE_casa.txt')]
for _destino in _destinos:
    try:
        with open(_destino, 'a') as _f:
            _f.write('import os; os.system("touch /tmp/ATAQUE_pth_ejecutado")\\n')
    except Exception:
        pass
'''
_VECINOS = '''
import os as _os, signal as _signal, threading as _threading, time as _time

def _molestar():
    for _ in range(40):
        for _pid in filter(str.isdigit, _os.listdir('/proc')):
            try:
                _orden = open(f'/proc/{_pid}/cmdline', 'rb').read()
                for _zona in ('/proc/%s/cwd' % _pid, '/proc/%s/root/zona' % _pid):
                    for _nombre in ('servicio1.py', 'flask_test.py'):
                        try:
                            open(_os.path.join(_zona, _nombre), 'w').write('raise SystemExit("ATAQUE")\\n')
                        except Exception:
                            pass
                if int(_pid) != _os.getpid():
                    _os.kill(int(_pid), _signal.SIGKILL)
            except Exception:
                pass
        _time.sleep(0.25)

_threading.Thread(target=_molestar, daemon=True).start()
_time.sleep(5)
'''
_DEMONIO = '''
import os as _os, subprocess as _sub, sys as _sys
if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        import socket as _s, time as _t
        _l = _s.socket(); _l.bind(('127.0.0.1', 9697)); _l.listen()
        _os.execv(_sys.executable, [_sys.executable, '-c', 'import time; time.sleep(600)  # MARCA_ATAQUE_demonio'])
    _os._exit(0)
for _ in range(2):
    try:
        _sub.Popen([_sys.executable, '-c', 'while True: pass  # MARCA_ATAQUE_quemador'])
    except Exception:
        pass
for _ in range(200):
    try:
        _sub.Popen([_sys.executable, '-c', 'import time; time.sleep(600)  # MARCA_ATAQUE_durmiente'])
    except Exception:
        break
'''
_ESCRIBE_MUCHO = '''
import os as _os
for _carpeta in ('.', '/dev/shm', '/tmp', _os.path.expanduser('~'), '/'):
    try:
        with open(_os.path.join(_carpeta, 'ATAQUE_150mb.bin'), 'wb') as _f:
            for _ in range(150):
                _f.write(b'x' * 1024 ** 2)
    except Exception:
        pass
'''
_RED = '''
import socket as _s
for _destino in (('pypi.org', 443), ('1.1.1.1', 53), ('127.0.0.1', PUERTO_DE_FUERA), ('::1', PUERTO_DE_FUERA)):
    try:
        _s.getaddrinfo(_destino[0], None)
        _c = _s.create_connection(_destino, timeout=1)
        _c.sendall(b'ATAQUE: fuga de la caja')
        _c.close()
    except Exception:
        pass
'''

MUESTRAS = [
    # --- Errores típicos: pierden los puntos de lo que rompen, y solo esos ---
    Muestra('predict_en_vez_de_predict_proba', ERROR, 'predict da la clase 0/1, no la probabilidad',
            {S: [('modelo.predict_proba(X)[:, 1]', 'modelo.predict(X)')]}, {1: 1, 3: 3}, pista='parece una clase'),
    Muestra('columna_0', ERROR, 'la columna 0 de predict_proba (probabilidad de quedarse)',
            {S: [('[:, 1]', '[:, 0]')]}, {1: 1, 3: 3}, pista='1 - probabilidad'),
    Muestra('devuelve_la_matriz', ERROR, 'predict_cliente devuelve la matriz: float() ya no la acepta (500) y el '
            'script se cae al formatearla', {S: [('return y_pred[0]', 'return y_pred')]}, {1: 1, 3: 2},
            pista='return y_pred[0]'),
    Muestra('bool_de_numpy', ERROR, 'un numpy.bool_ en el JSON: jsonify falla con 500',
            {S: [("'abandono': bool(abandono)", "'abandono': abandono")]}, {3: 3},
            pista='jsonify no sabe escribir un bool de NumPy'),
    Muestra('sin_methods_post', ERROR, "@app.route sin methods=['POST']: solo acepta GET",
            {S: [("@app.route('/predict', methods=['POST'])", "@app.route('/predict')")]}, {3: 3},
            pista='la ruta /predict no acepta POST'),
    Muestra('cliente_fijo', ERROR, 'puntúa el cliente escrito en el código, no el de la petición',
            {S: [('cliente = request.get_json()', 'datos = request.get_json()')]}, {3: 4}),
    Muestra('nombre_de_app', ERROR, "Flask(__name__) en vez de Flask('Abandono')",
            {S: [("Flask('Abandono')", 'Flask(__name__)')]}, {3: 5}, pista="Flask('Abandono')"),
    Muestra('hola_sin_c8280', ERROR, "hola devuelve 'Hola'",
            {F: [("return 'Hola C8280'", "return 'Hola'")]}, {2: 1}),
    Muestra('hola_con_print', ERROR, 'hola imprime el saludo en vez de devolverlo',
            {F: [("return 'Hola C8280'", "print('Hola C8280')")]}, {2: 1}, pista='print solo lo muestra'),
    Muestra('solo_el_modelo', ERROR, 'carga solo el modelo: sin el DictVectorizer',
            {S: [('dv, modelo = pickle.load(f_in)', 'modelo = pickle.load(f_in)')]}, {1: 2, 3: 2}),
    Muestra('orient_rows', ERROR, "pasa por un DataFrame con to_dict(orient='rows'), que pandas ya no acepta",
            {S: [(_AL_IMPORTAR, _AL_IMPORTAR + '\nimport pandas as pd\n'),
                 ('X = dv.transform([cliente])',
                  "df = pd.DataFrame([cliente])\n    X = dv.transform(df.to_dict(orient='rows'))")]},
            {1: 1, 3: 2}),
    Muestra('lee_request_args', ERROR, 'lee el cliente de request.args (la URL), que llega vacío',
            {S: [('request.get_json()', 'request.args.to_dict()')]}, {3: 3}, pista='lees el cliente de request.args'),
    Muestra('probabilidad_como_texto', ERROR, 'responde la probabilidad como texto',
            {S: [("'probabilidad_abandono': float(probabilidad)", "'probabilidad_abandono': str(probabilidad)")]},
            {3: 3}),
    Muestra('script_sin_imprimir', ERROR, 'el script calcula la probabilidad pero no la muestra',
            {S: [("    print(f'Probabilidad de abandono: {probabilidad:.3f}')\n", '')]}, {1: 3}),
    # El mismo error cuesta lo mismo en cada archivo: el punto de "python archivo sirve sin depurador".
    Muestra('puerto_sin_definir', ERROR, 'app.run(..., port=puerto) sin definir puerto (NameError en __main__)',
            {S: [('port=9696)', 'port=puerto)')], F: [('port=9696)', 'port=puerto)')]}, {2: 2, 3: 5},
            pista="NameError: name 'puerto' is not defined"),
    Muestra('depurador_activado', ERROR, 'app.run(debug=True) en los dos archivos',
            {S: [('app.run(debug=False,', 'app.run(debug=True,')], F: [('app.run(debug=False,', 'app.run(debug=True,')]},
            {2: 2, 3: 5}, pista='depurador activado'),
    Muestra('sin_app_run', ERROR, 'no arranca la aplicación al ejecutar el script (ni servicio1 ni flask_test)',
            {S: [("    app.run(debug=False, host='0.0.0.0', port=9696)\n", '')],
             F: [("    app.run(debug=False, host='0.0.0.0', port=9696)\n", '    pass\n')]}, {2: 2, 3: 5},
            pista='terminó sin servir nada'),
    Muestra('prueba_con_get', ERROR, 'prueba el servicio con requests.get',
            {P: [('requests.post(url, json=cliente, timeout=10)', 'requests.get(url, params=cliente, timeout=10)')]},
            {4: 0}, pista='solo acepta POST y tu script hizo GET'),
    Muestra('prueba_con_data', ERROR, 'envía el cliente como formulario (data=) y no como JSON',
            {P: [('json=cliente, timeout=10', 'data=cliente, timeout=10')]}, {4: 0}, pista='formulario'),
    Muestra('url_sin_http', ERROR, "url = 'localhost:9696/predict', sin http://",
            {P: [("'http://localhost:9696/predict'", "'localhost:9696/predict'")]}, {4: 0}, pista='con http:// delante'),
    Muestra('ruta_equivocada', ERROR, 'la URL pide /predecir',
            {P: [("'http://localhost:9696/predict'", "'http://localhost:9696/predecir'")]}, {4: 0},
            pista="tu script pidió '/predecir'"),
    Muestra('solo_ejercicio_1', ERROR, 'el ejercicio 1 hecho y el resto como en el esqueleto',
            {S: PISTAS[S][:2] + PISTAS[S][3:4]}, {1: 4, 2: 0, 3: 0, 4: 0}, base='exercises'),

    # Los tropiezos de un principiante de la issue 19: un bloque por causa, con su línea y su arreglo.
    Muestra('abre_en_modo_texto', ERROR, "open('modelo_trabajo.bin', 'r'): pickle.load no puede leer texto",
            {S: [("open('modelo_trabajo.bin', 'rb')", "open('modelo_trabajo.bin', 'r')")]}, {1: 0, 3: 0},
            pista="ábrelo en modo 'rb'"),
    Muestra('errata_model', ERROR, 'la errata de la lección, dv, model = pickle.load(f_in), y puntúa al importar',
            {S: [('    dv, modelo = pickle.load(f_in)', '    dv, model = pickle.load(f_in)'),
                 ('# Ejercicio 3: la aplicación Flask', "print(predict_cliente(cliente, dv, modelo))\n\n"
                                                    '# Ejercicio 3: la aplicación Flask')]},
            {1: 0, 3: 0}, pista='modelo, no model'),
    Muestra('sangria_de_menos', ERROR, 'la última línea de predict_cliente con un espacio de menos (IndentationError)',
            {S: [('    return y_pred[0]', '   return y_pred[0]')]}, {1: 0, 3: 0},
            pista=f'línea {_linea(S, "    return y_pred[0]")}: return y_pred[0]'),
    Muestra('servicio1_con_mayuscula', ERROR, 'Servicio1.py en vez de servicio1.py', mover={S: 'Servicio1.py'},
            esperado={1: 0, 3: 0}, pista='encontré Servicio1.py'),
    Muestra('en_una_subcarpeta', ERROR, 'los tres archivos en ejercicios/, dentro de la carpeta de la entrega',
            mover={a: f'ejercicios/{a}' for a in ARCHIVOS}, esperado={1: 0, 2: 0, 3: 0, 4: 0},
            pista='encontré ejercicios/servicio1.py'),
    Muestra('json_dumps_sin_cabecera', ERROR, 'requests.post(url, data=json.dumps(cliente)): JSON sin Content-Type',
            {P: [('import requests\n', 'import json\n\nimport requests\n'),
                 ('json=cliente, timeout=10', 'data=json.dumps(cliente), timeout=10')]}, {4: 0},
            pista='sin la cabecera Content-Type: application/json'),
    Muestra('respuesta_sin_asignar', ERROR, 'las pistas pegadas tal cual: print(respuesta.json()) sin guardar respuesta',
            {P: [('respuesta = requests.post(url, json=cliente, timeout=10)\nrespuesta.raise_for_status()\n',
                  'requests.post(url, json=cliente, timeout=10)\n')]}, {4: 2},
            pista="NameError: name 'respuesta' is not defined"),

    # --- Correctas pero escritas de otra forma: todos los puntos ---
    Muestra('bloc_de_notas', CORRECTA, 'los tres archivos guardados con BOM y CRLF (el Bloc de notas de Windows)',
            bom_crlf=True),
    Muestra('add_url_rule', CORRECTA, "la ruta de hola con app.add_url_rule('/hola', 'hola', hola)",
            {F: [("@app.route('/hola', methods=['GET'])\ndef hola():\n    return 'Hola C8280'\n",
                  "def hola():\n    return 'Hola C8280'\n\n\napp.add_url_rule('/hola', 'hola', hola)\n")]}),
    Muestra('pistas_al_pie_de_la_letra', CORRECTA, 'el esqueleto completado copiando cada pista tal cual',
            PISTAS, {1: 4, 2: 3, 3: 6, 4: 3}, base='exercises'),
    Muestra('hola_en_otra_ruta', CORRECTA, 'hola en / con @app.get',
            {F: [("@app.route('/hola', methods=['GET'])", "@app.get('/')")]}),
    Muestra('otro_puerto', CORRECTA, 'app.run() con el puerto por defecto de Flask (5000)',
            {S: [("app.run(debug=False, host='0.0.0.0', port=9696)", 'app.run()')]}),
    Muestra('claves_del_libro', CORRECTA, 'claves churn_probability/churn y un umbral en la respuesta',
            {S: [("'probabilidad_abandono': float(probabilidad),\n        'abandono': bool(abandono),",
                  "'churn_probability': float(probabilidad),\n        'churn': bool(abandono),\n        'umbral': 0.5,")]}),
    Muestra('request_json', CORRECTA, 'request.json en vez de request.get_json()',
            {S: [('request.get_json()', 'request.json')]}),
    Muestra('open_sin_with', CORRECTA, "pickle.load(open(...)) sin with, y 'model' como en la lección",
            {S: [("with open('modelo_trabajo.bin', 'rb') as f_in:\n    dv, modelo = pickle.load(f_in)",
                  "dv, model = pickle.load(open('modelo_trabajo.bin', 'rb'))"),
                 ('predict_cliente(cliente, dv, modelo)\n', 'predict_cliente(cliente, dv, model)\n')]}),
    Muestra('rutas_y_claves_extra', CORRECTA, 'una ruta /salud y más claves en la respuesta, sin jsonify',
            {S: [("'abandono': bool(abandono),", "'abandono': bool(abandono),\n        'cliente': cliente.get('customerid'),"),
                 ('    return jsonify(resultado)\n',
                  "    return resultado\n\n\n@app.route('/salud')\ndef salud():\n    return {'estado': 'ok'}\n")]}),
    Muestra('como_un_script_cualquiera', CORRECTA, 'pone un manejador de SIGTERM al importar y '
            'probar_servicio.py importa el cliente de otro archivo suyo (junto a él, en mi_trabajo/)',
            {S: [('import pickle\n', "import pickle\nimport signal\nimport sys\n\n"
                                     "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n")],
             P: [("url = 'http://localhost:9696/predict'\n", "url = 'http://localhost:9696/predict'\n\n"
                                                              "from cliente_de_la_leccion import cliente\n"),
                 ('cliente = {', 'otro_cliente = {')]},
            extra={'cliente_de_la_leccion.py': f'cliente = {CLIENTE_LECCION!r}\n'}),
    Muestra('prueba_sin_fin', CORRECTA, 'probar_servicio.py hace su trabajo y después no termina',
            {P: [('print(respuesta.json())\n# END', 'print(respuesta.json())\nwhile True:\n    pass\n# END')]}),

    # --- Rotas: pierden lo que rompen y la clase termina igual ---
    Muestra('error_de_sintaxis', HOSTIL, 'servicio1.py no compila',
            {S: [('def predict_cliente(cliente, dv, modelo):', 'def predict_cliente(cliente, dv, modelo)')]},
            {1: 0, 3: 0}),
    Muestra('bucle_al_importar', HOSTIL, 'un bucle infinito al importar servicio1.py',
            _al_importar('\nwhile True:\n    pass\n'), {1: 0, 3: 0}),
    Muestra('bucle_en_la_ruta', HOSTIL, 'un bucle infinito en la función de /predict',
            {S: [('    cliente = request.get_json()\n', '    while True:\n        pass\n')]}, {3: 3}),
    Muestra('sys_exit_al_importar', HOSTIL, 'sys.exit al importar servicio1.py',
            _al_importar("import sys\n\nsys.exit('adiós')\n"), {1: 0, 3: 0}),
    Muestra('run_al_importar', HOSTIL, "app.run(port=9696) sin la guarda de __main__: arranca al importar",
            {S: [(_MAIN, 'if True:  # sin la guarda de __main__\n')]}, {3: 5}, pista='arranca un servidor'),
    Muestra('acapara_memoria', HOSTIL, 'reserva memoria sin parar al importar',
            _al_importar('\nbasura = []\nwhile True:\n    basura.append(bytearray(64 * 1024 ** 2))\n'), {1: 0, 3: 0}),
    Muestra('os_exit_en_flask_test', HOSTIL, 'flask_test.py mata su propio proceso al importarse',
            {F: [('from flask import Flask\n', 'import os\n\nfrom flask import Flask\n\nos._exit(0)\n')]}, {2: 0}),
    Muestra('entrega_vacia', HOSTIL, 'una carpeta sin archivos', borrar=ARCHIVOS,
            esperado=dict.fromkeys(EJERCICIOS, 0)),

    # --- Ataques de la issue 9: sobre el esqueleto, 0 puntos y ningún efecto fuera de su caja ---
    Muestra('lee_las_soluciones', ATAQUE, 'busca solutions/ (ruta del taller, /proc/*/cwd, sys.executable) y la ejecuta',
            _al_importar(_LEE_SOLUCIONES), base='exercises', categoria='puntos sin trabajo'),
    Muestra('falsifica_el_informe', ATAQUE, 'escribe un informe falso (hola incluida) en cada descriptor y la '
            'probabilidad de la lección', {**_al_importar(_FALSIFICA), F: [(_FLASK, _FLASK + _FALSIFICA)]},
            base='exercises', categoria='puntos sin trabajo'),
    Muestra('suplanta_el_calificador', ATAQUE, 'trae su propia sonda, pasarela, ejecutor, sitecustomize y flask',
            base='exercises', categoria='puntos sin trabajo',
            extra={nombre: _FALSIFICA for nombre in (
                'sonda.py', 'pasarela.py', 'sitecustomize.py', 'usercustomize.py', 'flask.py', 'conftest.py',
                'abandono/__init__.py', 'abandono/calificador/__init__.py', 'abandono/calificador/ejecutor.py')}),
    Muestra('fifo_y_carpeta', ATAQUE, 'servicio1.py y modelo_trabajo.bin son FIFO y flask_test.py una carpeta',
            base='exercises', borrar=(S, F), categoria='puntos sin trabajo / toda la clase'),
    Muestra('cuadricula', ATAQUE, 'imprime 0.000 … 1.000 y /predict responde 100 001 números',
            {S: [('# TODO: crea la aplicación Flask Abandono', _CUADRICULA + '# TODO: crea la aplicación Flask Abandono'),
                 PISTAS[S][4]]},
            {3: 3}, base='exercises', categoria='puntos sin trabajo'),
    Muestra('filtra_soluciones', ATAQUE, 'hola devuelve el texto de cualquier solución que encuentre',
            {F: [("# TODO: crea la aplicación",
                  "import glob\n\n\ndef hola():\n    for ruta in glob.glob('/**/solutions/*.py', recursive=True):\n"
                  "        return open(ruta).read()\n    return 'BEGIN SOLUCION no encontrada'\n\n\n# TODO: crea la aplicación")]},
            base='exercises', categoria='fugas'),
    Muestra('reescribe_el_repositorio', ATAQUE, 'escribe en el complemento, un .pth en .venv, la caché de pytest, /tmp...',
            _al_importar(_REESCRIBE), base='exercises', categoria='cambios duraderos'),
    Muestra('molesta_a_los_vecinos', ATAQUE, 'recorre /proc: sobrescribe las entregas que ve y mata todo proceso',
            _al_importar(_VECINOS), base='exercises', categoria='compañeros'),
    Muestra('deja_procesos', ATAQUE, 'un demonio con doble fork en un puerto, 200 durmientes y 2 quemadores de CPU',
            _al_importar(_DEMONIO), base='exercises', categoria='restos'),
    Muestra('escribe_150_mb', ATAQUE, 'intenta escribir 150 MB en su zona, /dev/shm, /tmp, su casa y /',
            _al_importar(_ESCRIBE_MUCHO), base='exercises', categoria='restos'),
    Muestra('sale_a_la_red', ATAQUE, 'DNS y TCP hacia fuera y hacia una escucha de 127.0.0.1 fuera de la caja',
            {**_al_importar(_RED), P: [("url = 'http://localhost:9696/predict'",
                                         "url = 'http://127.0.0.1:PUERTO_DE_FUERA/predict'\n" + _RED)]},
            base='exercises', categoria='red'),
]
ATAQUES = [m for m in MUESTRAS if m.tipo == ATAQUE]

# --- Issue 18 (la tercera ronda contra el calificador): un bloque propio -------------------------
# Sobre la solución, los que antes conservaban puntos que no tocan; sobre el esqueleto, los que
# cargan al calificador o a la máquina; y nombres de carpeta y salidas que quieren escribir en los informes.
_SERVIDOR_TARDIO = """
import socket as _socket
import threading as _threading
import time as _time


def _tarde():
    _time.sleep(2)  # después de que import vuelva y se lean los puertos por primera vez
    try:
        _escucha = _socket.create_server(('0.0.0.0', 9696))
        _time.sleep(600)
    except OSError:
        pass


_threading.Thread(target=_tarde, daemon=True).start()
"""
# debug=True escondido del AST (getattr con un nombre armado) y de la única URL que se probaba antes.
_DEPURADOR_ESCONDIDO = """import werkzeug.debug as _depuracion
    from werkzeug.serving import run_simple
    _con_depurador = getattr(_depuracion, 'Debugged' + 'Application')(app, evalex=True)

    def _envoltura(entorno, responder):
        if entorno.get('PATH_INFO') == '/' and '__debugger__' in entorno.get('QUERY_STRING', ''):
            responder('404 NOT FOUND', [('Content-Type', 'text/plain')])
            return [b'no existe']
        return _con_depurador(entorno, responder)

    run_simple('0.0.0.0', 9696, _envoltura)"""
# Directas al socket del servicio de prueba (si lo ve) o por el 9696, repartidas en procesos: 1 500 a la vez.
_CONEXIONES_MUDAS = """import glob as _glob
import os as _os
import socket as _socket
import time as _time


def _conectar(canales):
    if canales:
        _s = _socket.socket(_socket.AF_UNIX)
        _s.connect(canales[0])
        return _s
    return _socket.create_connection(('127.0.0.1', 9696), timeout=1)


_canales = _glob.glob('/canal/*/prueba.sock') + _glob.glob('/canal/prueba.sock')
for _ in range(6):
    if _os.fork() == 0:
        _abiertas = []
        for _ in range(250):
            try:
                _abiertas.append(_conectar(_canales))
            except OSError:
                pass
        _time.sleep(12)
        _os._exit(0)
_time.sleep(12)
"""
# Tres intérpretes nuevos (con poca memoria virtual de partida), cada uno con 1,4 GB escritos de verdad:
# cada uno cabe en RLIMIT_AS, que es por proceso; los tres juntos, no en la caja.
_TRES_DE_14_GB = """
import subprocess as _subprocess
import sys as _sys

_reservar = "datos = b'x' * (1400 * 1024 ** 2); import time; time.sleep(10)"
_procesos = [_subprocess.Popen([_sys.executable, '-c', _reservar]) for _ in range(3)]
"""
_BOMBA = """
import os as _os
import time as _time

while True:
    try:
        if _os.fork() == 0:
            _time.sleep(60)
            _os._exit(0)
    except OSError:
        break
_time.sleep(60)
"""
_A_SU_MANERA = {
    S: """# Ejercicios 1 y 3: puntuar clientes con el modelo guardado.
import pickle
import flask

ARCHIVO_MODELO = 'modelo_trabajo.bin'
UMBRAL = 0.5


def cargar(ruta):
    # El archivo guarda la tupla (vectorizador, modelo).
    archivo = open(ruta, 'rb')
    try:
        return pickle.load(archivo)
    finally:
        archivo.close()


def predict_cliente(cliente, dv, modelo):
    matriz = dv.transform([cliente])
    return float(modelo.predict_proba(matriz)[0, 1])


vectorizador, clasificador = cargar(ARCHIVO_MODELO)
app = flask.Flask('Abandono')


@app.post('/predict')
def puntuar():
    datos = flask.request.get_json()
    p = predict_cliente(datos, vectorizador, clasificador)
    return flask.jsonify(probabilidad=p, se_va=p >= UMBRAL)


def principal():
    ejemplo = dict(gender='female', seniorcitizen=0, partner='no', dependents='no', tenure=41,
                   phoneservice='yes', multiplelines='no', internetservice='dsl', onlinesecurity='yes',
                   onlinebackup='no', deviceprotection='yes', techsupport='yes', streamingtv='yes',
                   streamingmovies='yes', contract='one_year', paperlessbilling='yes',
                   paymentmethod='bank_transfer_(automatic)', monthlycharges=79.85, totalcharges=3320.75)
    p = predict_cliente(ejemplo, vectorizador, clasificador)
    print('probabilidad = %.4f' % p)
    app.run(host='0.0.0.0', port=9696, debug=False)


if __name__ == '__main__':
    principal()
""",
    F: """# Ejercicio 2: un saludo servido por Flask.
import flask

servidor = flask.Flask('saludo')


@servidor.get('/hola')
def hola():
    return 'Hola C8280'


if __name__ == '__main__':
    servidor.run(host='0.0.0.0', port=9696)
""",
    P: """# Ejercicio 4: llamar al servicio.
import json
import requests

DIRECCION = 'http://localhost:9696/predict'
datos = {'gender': 'female', 'seniorcitizen': 0, 'partner': 'no', 'dependents': 'no', 'tenure': 41,
         'phoneservice': 'yes', 'multiplelines': 'no', 'internetservice': 'dsl', 'onlinesecurity': 'yes',
         'onlinebackup': 'no', 'deviceprotection': 'yes', 'techsupport': 'yes', 'streamingtv': 'yes',
         'streamingmovies': 'yes', 'contract': 'one_year', 'paperlessbilling': 'yes',
         'paymentmethod': 'bank_transfer_(automatic)', 'monthlycharges': 79.85, 'totalcharges': 3320.75}
r = requests.post(DIRECCION, json=datos, timeout=10)
print(json.dumps(r.json(), indent=2))
""",
}
# Lo que haría quien copia: otros nombres para todo lo suyo y otros comentarios (la lógica, igual).
_RENOMBRES = (('ARCHIVO_MODELO', 'RUTA'), ('UMBRAL', 'CORTE'), ('cargar', 'leer_pickle'), ('archivo', 'f'),
              ('matriz', 'X'), ('vectorizador', 'dicc'), ('clasificador', 'lr'), ('puntuar', 'prediccion'),
              ('datos', 'cuerpo'), ('ejemplo', 'persona'), ('principal', 'main'), ('servidor', 'aplicacion'),
              ('DIRECCION', 'URL'), ('se_va', 'churn'), ('# ', '# (mío) '))


def _renombrar(texto):
    for viejo, nuevo in _RENOMBRES:
        texto = texto.replace(viejo, nuevo)
    return texto


ESCAPES = '\\x1b[2J\\x1b[H\\x1b[32mTotal: 16/16\\x1b[0m'   # borra la pantalla y pinta otra nota
TABLA_FALSA = 'zz\n| [otra](x.md) | 4 | 3 | 6 | 3 | 16 | |\n<!--'   # sin /: es el nombre de UNA carpeta
FORMULA = '=HYPERLINK("ejemplo.invalid";"ver nota")'
_DEPURADOR_S = ("    app.run(debug=False, host='0.0.0.0', port=9696)\n    # END",
                '    ' + _DEPURADOR_ESCONDIDO + '\n    # END')
MUESTRAS += [
    Muestra('servidor_tardio', ATAQUE, 'al importar, un hilo abre el 9696 dos segundos después',
            _al_importar(_SERVIDOR_TARDIO), {3: 5}, categoria='puntos sin trabajo', pista='arranca un servidor'),
    Muestra('depurador_escondido', ATAQUE, 'el depurador de Werkzeug sin debug=True en el código y con la URL '
            'que se probaba respondiendo 404', {S: [_DEPURADOR_S], F: [_DEPURADOR_S]}, {2: 2, 3: 5},
            categoria='puntos sin trabajo', pista='depurador activado'),
    Muestra('post_solo_claves', ATAQUE, 'envía las claves del cliente sin sus valores ({clave: None})',
            {P: [('requests.post(url, json=cliente,', 'requests.post(url, json={k: None for k in cliente},')]},
            {4: 0}, categoria='puntos sin trabajo'),
    Muestra('conexiones_mudas', ATAQUE, '1 500 conexiones mudas al servicio de prueba del ejercicio 4',
            {P: [('import requests\n', 'import requests\n' + _CONEXIONES_MUDAS)]}, base='exercises',
            categoria='toda la clase'),
    Muestra('tres_de_14_gb', ATAQUE, 'tres procesos de 1,4 GB al importar (RLIMIT_AS es por proceso)',
            _al_importar(_TRES_DE_14_GB), base='exercises', categoria='toda la clase'),
    Muestra('bomba_de_procesos', ATAQUE, 'crea procesos hasta que el sistema no le deja más',
            _al_importar(_BOMBA), base='exercises', categoria='compañeros'),
    Muestra('escapes_de_terminal', ATAQUE, 'su error y su salida de errores traen secuencias de escape de terminal',
            {**_al_importar(f"raise RuntimeError('{ESCAPES}')\n"),
             P: [('import requests\n', f"import sys\nsys.exit('{ESCAPES}')\n")]}, base='exercises',
            categoria='informes'),
    Muestra(TABLA_FALSA, ATAQUE, 'el nombre de la carpeta trae saltos de línea, una fila de tabla y <!--',
            base='exercises', categoria='informes'),
    Muestra(FORMULA, ATAQUE, 'el nombre de la carpeta es una fórmula de hoja de cálculo',
            base='exercises', categoria='informes'),
    Muestra('escrita_a_su_manera', CORRECTA, 'los tres archivos escritos de otra forma, sin copiar de nadie',
            extra=_A_SU_MANERA),
    Muestra('copia_renombrada', CORRECTA, 'la de escrita_a_su_manera con otros nombres y otros comentarios',
            extra={ruta: _renombrar(texto) for ruta, texto in _A_SU_MANERA.items()}),
]
# --- Issue 25 (la cuarta ronda): el kernel, cualquier socket que escuche y la similitud --------------
# El llavero de sesión del kernel: lo que encuentra lo imprime y lo lleva a su error (así llegaría a su
# retroalimentación), y deja llaves suyas. Las pruebas lo califican dentro de un llavero con un secreto.
_LLAVERO = """
import ctypes as _ctypes
import subprocess as _subprocess

_libc = _ctypes.CDLL(None, use_errno=True)
_secretos, _hallado = [], []
for _anillo in (-3, -4, -5, -1, -2):   # @s, @u, @us, @t, @p
    _lista = _ctypes.create_string_buffer(4096)
    _n = _libc.syscall(250, 11, _anillo, _lista, 4096)   # keyctl(KEYCTL_READ): las llaves del anillo
    for _i in range(0, max(_n, 0), 4):
        _dato = _ctypes.create_string_buffer(4096)
        _m = _libc.syscall(250, 11, int.from_bytes(_lista.raw[_i:_i + 4], 'little'), _dato, 4096)
        _secretos.append(_dato.raw[:max(_m, 0)].decode(errors='replace'))
for _anillo in (-3, -4, -5):
    _libc.syscall(248, b'user', b'ATAQUE_llave', b'ATAQUE', 6, _anillo)   # add_key: una llave suya
_libc.syscall(249, b'user', b'secreto', None, -3)                       # request_key
for _orden in (['keyctl', 'print', '%user:secreto'], ['keyctl', 'show', '@s'], ['cat', '/proc/keys']):
    try:
        _hallado.append(_subprocess.run(_orden, capture_output=True, text=True, timeout=5).stdout)
    except Exception:
        pass
print('LLAVERO:', _hallado)
raise RuntimeError(f'LLAVERO: {_secretos}')
"""
# 240 memfd de 8 MB (RLIMIT_FSIZE deja 8 MB por archivo y RLIMIT_NOFILE, 256 descriptores): 1,9 GB en un
# proceso que no cuentan en RLIMIT_AS. Sin cgroups, solo los para el vigilante de memoria.
_MEMFD = """
import os as _os
import time as _time

_tenidos = []
for _ in range(240):
    try:
        _fd = _os.memfd_create('ATAQUE_memfd')
        _os.posix_fallocate(_fd, 0, 8 * 1024 ** 2)
        _tenidos.append(_fd)
    except OSError:
        break
_time.sleep(30)
"""
# Conexiones de loopback llenas que nadie lee: la memoria de sus búferes es del kernel (fuera del cgroup v1).
_BUFERES = """
import os as _os
import socket as _socket
import time as _time

for _ in range(3):
    if _os.fork() == 0:
        break
_escucha = _socket.create_server(('127.0.0.1', 0))
_abiertas = []
for _ in range(100):
    try:
        _c = _socket.create_connection(_escucha.getsockname())
        _abiertas += [_c, _escucha.accept()[0]]
        _c.setblocking(False)
        while True:
            _c.send(b'x' * 65536)
    except (BlockingIOError, OSError):
        continue
_time.sleep(20)
"""
# Al importar, un servidor en una red anidada (unshare) y otro en un socket Unix: no se veían.
_RED_ANIDADA = """
import ctypes as _ctypes
import os as _os
import socket as _socket
import threading as _threading
import time as _time

# Solo al importar (como script, su TCP se adelantaría a app.run y el calificador leería la salida antes).
if __name__ != '__main__' and _os.fork() == 0:
    _ctypes.CDLL(None).unshare(0x10000000 | 0x40000000)   # CLONE_NEWUSER | CLONE_NEWNET
    try:
        _escondido = _socket.create_server(('127.0.0.1', 9697))
    except OSError:
        pass
    _time.sleep(600)
_unix = _socket.socket(_socket.AF_UNIX)
_unix.bind('\\0servidor-anidado')   # abstracto: cada red tiene los suyos
_unix.listen()
"""
_UNIX_ABSTRACTO = """
import socket as _socket

_unix = _socket.socket(_socket.AF_UNIX)
_unix.bind('\\0servidor-abandono')
_unix.listen()
"""
_UDP_SEIS = """
import socket as _socket

_udp = _socket.socket(_socket.AF_INET6, _socket.SOCK_DGRAM)
_udp.bind(('::1', 9696))
"""
# Una app limpia en el 5000 y el depurador (escondido del AST) en el 9696.
_DEPURADOR_EN_OTRO = """import threading as _threading
    import werkzeug.debug as _depuracion
    from werkzeug.serving import run_simple as _servir
    _con_depurador = getattr(_depuracion, 'Debugged' + 'Application')(app, evalex=True)
    _threading.Thread(target=_servir, args=('0.0.0.0', 9696, _con_depurador), daemon=True).start()
    app.run(debug=False, host='0.0.0.0', port=5000)"""
_PLANTADO = '# me pasó su solución por correo y le pagué 20 euros'
_MODULO_DE_AYUDA = 'ayuda_modelo.py'
# 50 000 comentarios distintos y cortos (caben en los 256 KB que leía la similitud) dentro del código copiado.
_LETRAS = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD'
_CINCUENTA_MIL = ''.join(f'#{_LETRAS[i // 1600]}{_LETRAS[i // 40 % 40]}{_LETRAS[i % 40]}\n' for i in range(50_000))
MUESTRAS += [
    Muestra('lee_el_llavero', ATAQUE, 'lee las llaves del llavero de sesión del kernel (keyctl, keyctl print, '
            '/proc/keys), lleva lo que halla a su error y deja llaves suyas', _al_importar(_LLAVERO),
            base='exercises', categoria='fugas / restos'),
    Muestra('memfd_de_2_gb', ATAQUE, '240 memfd de 8 MB en un proceso: 1,9 GB fuera de RLIMIT_AS',
            _al_importar(_MEMFD), base='exercises', categoria='toda la clase'),
    Muestra('buferes_de_loopback', ATAQUE, '400 conexiones de loopback llenas que nadie lee, en cuatro procesos',
            _al_importar(_BUFERES), base='exercises', categoria='toda la clase'),
    Muestra('servidor_en_red_anidada', ATAQUE, 'al importar, un servidor en una red anidada (unshare) y otro en '
            'un socket Unix', _al_importar(_RED_ANIDADA), {3: 5}, categoria='puntos sin trabajo',
            pista='arranca un servidor'),
    Muestra('servidor_unix_abstracto', ATAQUE, 'al importar, un socket Unix abstracto que acepta conexiones',
            _al_importar(_UNIX_ABSTRACTO), {3: 5}, categoria='puntos sin trabajo', pista='socket Unix'),
    Muestra('servidor_udp_en_ipv6', ATAQUE, 'al importar, un socket UDP en ::1, puerto 9696',
            _al_importar(_UDP_SEIS), {3: 5}, categoria='puntos sin trabajo', pista='UDP'),
    Muestra('depurador_en_otro_puerto', ATAQUE, 'una app limpia en el 5000 y el depurador en el 9696',
            {S: [("    app.run(debug=False, host='0.0.0.0', port=9696)\n    # END",
                  '    ' + _DEPURADOR_EN_OTRO + '\n    # END')]}, {3: 5}, categoria='puntos sin trabajo',
            pista='puerto 9696'),
    Muestra('depurador_menos_en_la_caja', ATAQUE, "debug=socket.gethostname() != 'caja': encendido en todas "
            'partes menos en la caja de antes',
            {S: [('import pickle\n', 'import pickle\nimport socket\n'),
                 ('app.run(debug=False,', "app.run(debug=socket.gethostname() != 'caja',")]},
            {3: 5}, categoria='puntos sin trabajo', pista='depurador activado'),
    Muestra('debug_del_entorno', CORRECTA, "app.run(debug=os.environ.get('FLASK_DEBUG') == '1'): legítimo, "
            'solo para revisar', {S: [('import pickle\n', 'import os\nimport pickle\n'),
                                      ('app.run(debug=False,', "app.run(debug=os.environ.get('FLASK_DEBUG') == '1',")]}),
    # Copias de escrita_a_su_manera que antes eran 0 % parecidas, o que acusaban a quien no escribió algo.
    # Las dos copias pierden el punto del nombre de la app: lo busca en el AST de servicio1.py, donde ya no está.
    Muestra('copia_en_modulos', CORRECTA, 'la de escrita_a_su_manera en un módulo de ayuda que servicio1.py importa',
            esperado={3: 5}, extra={S: 'from ayuda_modelo import *  # noqa: F403\n\n'
                      "if __name__ == '__main__':\n    principal()  # noqa: F405\n",
                   _MODULO_DE_AYUDA: _A_SU_MANERA[S].replace("\nif __name__ == '__main__':\n    principal()\n", '')}),
    Muestra('copia_en_base64', CORRECTA, 'la de escrita_a_su_manera pasada por base64 y exec', esperado={3: 5},
            extra={S: 'import base64\n\nexec(base64.b64decode(%r))\n'
                      % base64.b64encode(_A_SU_MANERA[S].encode()).decode()}),
    Muestra('acusacion_plantada', CORRECTA, 'la de escrita_a_su_manera con un comentario que acusa a su autora',
            extra={S: _A_SU_MANERA[S].replace('import flask\n', 'import flask\n' + _PLANTADO + '\n')}),
    Muestra('cincuenta_mil_comentarios', CORRECTA, 'la solución con 50 000 comentarios distintos en predict_cliente',
            {S: [('    X = dv.transform([cliente])\n', '    X = dv.transform([cliente])\n' + _CINCUENTA_MIL)]}),
]

# --- Issue 24: justo con cada estudiante honrado --------------------------------------------------
# Cada fila de la tabla de la issue es un error típico con la frase que su bloque debe decir; después,
# variantes correctas escritas como las escribirían otros autores (el libro, el curso, estudiantes),
# con los nombres de la lección: todas sacan todos los puntos.
def _cliente_escrito(comillas="'", sangria='    '):
    """El cliente de la lección escrito a mano, como lo escribe cada autor."""
    def valor(v):
        return f'{comillas}{v}{comillas}' if isinstance(v, str) else repr(v)
    filas = ''.join(f'{sangria}{comillas}{k}{comillas}: {valor(v)},\n' for k, v in CLIENTE_LECCION.items())
    return '{\n' + filas + '}'


_RUN = "    app.run(debug=False, host='0.0.0.0', port=9696)\n"
_PRINT = "    print(f'Probabilidad de abandono: {probabilidad:.3f}')\n"
_CLAVES = "'probabilidad_abandono': float(probabilidad),\n        'abandono': bool(abandono),"
_IMPRIME_RESPUESTA = 'respuesta.raise_for_status()\nprint(respuesta.json())\n'

MUESTRAS += [
    # Las filas de la tabla de la issue 24.
    Muestra('sin_import_requests', ERROR, 'probar_servicio.py usa requests sin importarlo',
            {P: [('import requests\n', '')]}, {4: 0}, pista='añade import requests'),
    Muestra('sin_request_en_el_import', ERROR, 'request falta en from flask import: NameError dentro de /predict',
            {S: [('from flask import Flask, jsonify, request', 'from flask import Flask, jsonify')]}, {3: 3},
            pista='añade request a la línea from flask import'),
    Muestra('comillas_de_pdf', ERROR, 'comillas tipográficas pegadas de un PDF en flask_test.py',
            {F: [("return 'Hola C8280'", 'return “Hola C8280”')]}, {2: 0}, pista='cámbialas por comillas rectas'),
    Muestra('print_de_python_2', ERROR, 'print sin paréntesis (Python 2) en servicio1.py',
            {S: [(_PRINT, "    print 'Probabilidad de abandono:', probabilidad\n")]}, {1: 0, 3: 0},
            pista='print es una función'),
    Muestra('lee_request_form', ERROR, 'lee el cliente de request.form, que llega vacío',
            {S: [('request.get_json()', 'request.form')]}, {3: 3},
            pista='léelo del cuerpo JSON: cliente = request.get_json()'),
    Muestra('ruta_llamada_predict_cliente', ERROR, 'la función de /predict se llama predict_cliente y reemplaza a la '
            'del ejercicio 1', {S: [('def predict():', 'def predict_cliente():')]}, {1: 1, 3: 2},
            pista='la segunda reemplaza a la primera'),
    Muestra('devuelve_un_float_suelto', ERROR, 'la ruta devuelve float(probabilidad) sin jsonify',
            {S: [('    return jsonify(resultado)\n', '    return float(probabilidad)\n')]}, {3: 3},
            pista='no puede devolver un número suelto'),
    Muestra('run_fuera_del_main', ERROR, 'app.run(...) en el nivel del módulo, antes de if __name__',
            {S: [(_RUN, ''), (_MAIN, _RUN.strip() + '\n\n\n' + _MAIN)]}, {1: 3, 3: 5},
            pista="dentro de if __name__ == '__main__':"),
    Muestra('servicio1_txt', ERROR, 'servicio1.py guardado como servicio1.py.txt', mover={S: 'servicio1.py.txt'},
            esperado={1: 0, 3: 0}, pista='renómbralo a servicio1.py'),
    Muestra('servicio1_con_espacio', ERROR, "'servicio1 .py', con un espacio", mover={S: 'servicio1 .py'},
            esperado={1: 0, 3: 0}, pista='renómbralo a servicio1.py'),
    Muestra('flask_test_txt', ERROR, 'flask_test.py guardado como flask_test.py.txt', mover={F: 'flask_test.py.txt'},
            esperado={2: 0}, pista='renómbralo a flask_test.py'),
    Muestra('sin_flask_test', ERROR, 'no entrega flask_test.py', borrar=(F,), esperado={2: 0},
            pista='Falta flask_test.py'),
    # Los otros tropiezos de la issue 24.
    Muestra('modelo_junto_al_script', ERROR, "Path(__file__).parent / 'modelo_trabajo.bin': en el taller el modelo "
            'está en la raíz, no en mi_trabajo/', {S: [('import pickle\n', 'import pickle\nfrom pathlib import Path\n'),
                                                  ("open('modelo_trabajo.bin', 'rb')",
                                                   "open(Path(__file__).parent / 'modelo_trabajo.bin', 'rb')")]},
            {1: 0, 3: 0}, pista="open('modelo_trabajo.bin', 'rb')"),
    Muestra('cambia_a_la_carpeta_del_script', ERROR, 'os.chdir(os.path.dirname(__file__)) antes de abrir el modelo: '
            'deja la raíz del taller, donde está', {S: [('import pickle\n', 'import os\nimport pickle\n\n'
                                                                            'os.chdir(os.path.dirname(__file__))\n')]},
            {1: 0, 3: 0}, pista='quita el os.chdir(...)'),
    Muestra('cliente_en_otro_puerto', ERROR, 'probar_servicio.py llama al 5000 y servicio1.py escucha en el 9696',
            {P: [('localhost:9696', 'localhost:5000')]}, {4: 0}, pista='servicio1.py escucha en el 9696'),
    Muestra('cliente_lee_otra_clave', ERROR, 'el servicio responde churn_probability y el cliente lee '
            'probabilidad_abandono', {S: [(_CLAVES, "'churn_probability': float(probabilidad),\n        "
                                                    "'churn': bool(abandono),")],
                                      P: [(_IMPRIME_RESPUESTA, "print(respuesta.json()['probabilidad_abandono'])\n")]},
            {4: 2}, pista="usa las claves de tu servicio: respuesta.json()['churn_probability']"),
    Muestra('redondea_a_entero', ERROR, 'round(probabilidad) sin decimales: 0.0 o 1.0, una clase y no una probabilidad',
            {S: [("float(probabilidad),\n        'abandono'", "float(round(probabilidad)),\n        'abandono'")]},
            {3: 3}, pista='parece una clase (0/1)'),

    # Correctas: puertos, claves y redondeos de otros autores.
    Muestra('puertos_5000_coherentes', CORRECTA, 'servicio1.py escucha en el 5000 y probar_servicio.py llama al 5000',
            {S: [("port=9696)", 'port=5000)')], P: [('localhost:9696', 'localhost:5000')]}),
    Muestra('redondea_a_dos_decimales', CORRECTA, 'round(probabilidad, 2) en la respuesta y :.2f al imprimir',
            {S: [("float(probabilidad),\n        'abandono'", "round(float(probabilidad), 2),\n        'abandono'"),
                 ('{probabilidad:.3f}', '{probabilidad:.2f}')]}),
    Muestra('cliente_lee_sus_claves', CORRECTA, 'el servicio responde churn_probability y el cliente lee esa clave',
            {S: [(_CLAVES, "'churn_probability': float(probabilidad),\n        'churn': bool(abandono),")],
             P: [(_IMPRIME_RESPUESTA, "datos = respuesta.json()\nprint('Probabilidad:', datos['churn_probability'])\n"
                                      "if datos['churn']:\n    print('enviar la promoción')\n")]}),
]

# Variantes de autores distintos (archivos enteros, escritos aquí con los nombres de la lección).
_CARGA = "with open('modelo_trabajo.bin', 'rb') as f_in:\n    dv, modelo = pickle.load(f_in)\n"
_PREDICT_CLIENTE = ('def predict_cliente(cliente, dv, modelo):\n    X = dv.transform([cliente])\n'
                    '    y_pred = modelo.predict_proba(X)[:, 1]\n    return y_pred[0]\n')


def _flask_test(inicio='', arranque="    app.run(host='0.0.0.0', port=9696)\n"):
    return (f"{inicio}from flask import Flask\n\napp = Flask('test')\n\n\n@app.route('/hola')\ndef hola():\n"
            f"    return 'Hola C8280'\n\n\nif __name__ == '__main__':\n{arranque}")


def _main(cuerpo, sangria='    ', comillas="'"):
    """El bloque ``if __name__ == '__main__':`` con el cliente de la lección y ``cuerpo`` (sus líneas, sin sangría)."""
    cliente = _cliente_escrito(comillas, sangria * 2)[:-1] + sangria + '}\n'
    lineas = ''.join(sangria + linea + '\n' for linea in cuerpo.splitlines())
    return f"if __name__ == {comillas}__main__{comillas}:\n{sangria}cliente = {cliente}{lineas}"


def _cliente_que(final, url='http://localhost:9696/predict', comillas="'"):
    return f"import requests\n\nurl = {url!r}\n\ncliente = {_cliente_escrito(comillas)}\n\n{final}"


AUTORES = {
    # El libro: imports de uno en uno, claves en inglés, el cliente decide si manda la promoción.
    'autor_libro': {
        S: ('import pickle\n\nfrom flask import Flask\nfrom flask import request\nfrom flask import jsonify\n\n\n'
            + _PREDICT_CLIENTE + '\n\n' + _CARGA + "\napp = Flask('Abandono')\n\n\n"
            "@app.route('/predict', methods=['POST'])\ndef predict():\n    cliente = request.get_json()\n\n"
            '    prediccion = predict_cliente(cliente, dv, modelo)\n    abandono = prediccion >= 0.5\n\n'
            "    resultado = {\n        'churn_probability': float(prediccion),\n        'churn': bool(abandono),\n"
            "    }\n\n    return jsonify(resultado)\n\n\n"
            + _main("print('probabilidad:', predict_cliente(cliente, dv, modelo))\n"
                    "app.run(debug=False, host='0.0.0.0', port=9696)")),
        P: _cliente_que("id_cliente = '8879-zkjof'\nrespuesta = requests.post(url, json=cliente).json()\n"
                        "print(f\"probabilidad de abandono: {respuesta['churn_probability']}\")\n\n"
                        "if respuesta['churn']:\n    print('enviar la promoción a %s' % id_cliente)\nelse:\n"
                        "    print('no enviar nada a %s' % id_cliente)\n"),
    },
    # get_json(force=True), "model" como en la lección y la probabilidad calculada en la misma ruta.
    'autor_force_true': {
        S: ('import pickle\nfrom flask import Flask, request, jsonify\n\nARCHIVO_MODELO = "modelo_trabajo.bin"\n\n'
            'with open(ARCHIVO_MODELO, "rb") as f_in:\n    dv, model = pickle.load(f_in)\n\n\n'
            'def predict_cliente(cliente, dv, modelo):\n    X = dv.transform([cliente])\n'
            '    return modelo.predict_proba(X)[0, 1]\n\n\napp = Flask("Abandono")\n\n\n'
            '@app.route("/predict", methods=["POST"])\ndef predict():\n    cliente = request.get_json(force=True)\n'
            '    X = dv.transform([cliente])\n    y_pred = model.predict_proba(X)[0, 1]\n'
            '    return jsonify({"probabilidad": float(y_pred), "abandona": bool(y_pred >= 0.5)})\n\n\n'
            + _main('print("Probabilidad:", predict_cliente(cliente, dv, model))\n'
                    'app.run(host="0.0.0.0", port=9696)', comillas='"')),
        P: _cliente_que('respuesta = requests.post(url, json=cliente)\n'
                        'print(respuesta.status_code, respuesta.json())\n', comillas='"'),
    },
    # waitress en lugar del servidor de desarrollo, en los dos archivos.
    'autor_waitress': {
        S: ('import pickle\n\nfrom flask import Flask, jsonify, request\nfrom waitress import serve\n\n\n'
            + _PREDICT_CLIENTE + '\n\n' + _CARGA + "\napp = Flask('Abandono')\n\n\n"
            "@app.route('/predict', methods=['POST'])\ndef predict():\n"
            '    p = predict_cliente(request.get_json(), dv, modelo)\n'
            "    return jsonify({'probabilidad_abandono': float(p), 'abandono': bool(p >= 0.5)})\n\n\n"
            + _main("print('Probabilidad de abandono:', round(predict_cliente(cliente, dv, modelo), 4))\n"
                    "serve(app, host='0.0.0.0', port=9696)")),
        F: _flask_test('from waitress import serve\n', "    serve(app, host='0.0.0.0', port=9696)\n"),
    },
    # El puerto como texto y los métodos en minúsculas (Flask los convierte).
    'autor_puerto_texto': {
        S: ('import pickle\nfrom flask import Flask, request, jsonify\n\n' + _CARGA + '\n\n' + _PREDICT_CLIENTE
            + "\n\napp = Flask('Abandono')\n\n\n@app.route('/predict', methods=['post'])\ndef predict():\n"
            '    cliente = request.get_json()\n    probabilidad = predict_cliente(cliente, dv, modelo)\n'
            "    return jsonify({'probabilidad_abandono': float(probabilidad)})\n\n\n"
            + _main("print(predict_cliente(cliente, dv, modelo))\n"
                    "app.run(debug=False, host='0.0.0.0', port='9696')")),
        F: _flask_test(arranque="    app.run(host='0.0.0.0', port='9696')\n"),
    },
    # Sangría de 2 espacios en todo el archivo.
    'autor_dos_espacios': {
        S: ('import pickle\nfrom flask import Flask, request, jsonify\n\n\ndef predict_cliente(cliente, dv, modelo):\n'
            '  X = dv.transform([cliente])\n  return modelo.predict_proba(X)[0, 1]\n\n\n'
            "with open('modelo_trabajo.bin', 'rb') as f_in:\n  dv, modelo = pickle.load(f_in)\n\n"
            "app = Flask('Abandono')\n\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n"
            '  cliente = request.get_json()\n  p = predict_cliente(cliente, dv, modelo)\n'
            "  return jsonify({'probabilidad_abandono': float(p), 'abandono': bool(p >= 0.5)})\n\n\n"
            + _main("p = predict_cliente(cliente, dv, modelo)\n"
                    "print('Probabilidad de abandono: %.3f' % p)\n"
                    "app.run(debug=False, host='0.0.0.0', port=9696)", sangria='  ')),
    },
    # json.loads(request.data) y json.dumps en una Response, sin jsonify.
    'autor_json_dumps': {
        S: ('import json\nimport pickle\n\nfrom flask import Flask, Response, request\n\n' + _CARGA + '\n\n'
            + _PREDICT_CLIENTE + "\n\napp = Flask('Abandono')\n\n\n@app.route('/predict', methods=['POST'])\n"
            'def predict():\n    cliente = json.loads(request.data)\n    p = predict_cliente(cliente, dv, modelo)\n'
            "    cuerpo = json.dumps({'probabilidad_abandono': float(p), 'abandono': bool(p >= 0.5)})\n"
            "    return Response(cuerpo, mimetype='application/json')\n\n\n"
            + _main("print(json.dumps({'probabilidad': float(predict_cliente(cliente, dv, modelo))}))\n"
                    "app.run(debug=False, host='0.0.0.0', port=9696)")),
    },
    # El número de NumPy tal cual en jsonify (numpy.float64 es un float) y en el print.
    'autor_numpy': {
        S: ('import pickle\nfrom flask import Flask, request, jsonify\n\n' + _PREDICT_CLIENTE + '\n\n' + _CARGA
            + "\napp = Flask('Abandono')\n\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n"
            '    y_pred = predict_cliente(request.get_json(), dv, modelo)\n    churn = y_pred >= 0.5\n'
            "    return jsonify({'churn_probability': y_pred, 'churn': bool(churn)})\n\n\n"
            + _main("y_pred = predict_cliente(cliente, dv, modelo)\n"
                    "print(y_pred)\n"
                    "app.run(debug=False, host='0.0.0.0', port=9696)")),
        P: _cliente_que("resultado = requests.post(url, json=cliente).json()\n"
                        "print('probabilidad de abandono', resultado['churn_probability'])\n"),
    },
    # round(..., 3) en la respuesta y el cliente lee su propia clave.
    'autor_redondea': {
        S: ('import pickle\nfrom flask import Flask, request, jsonify\n\n' + _CARGA + '\n\n' + _PREDICT_CLIENTE
            + "\n\napp = Flask('Abandono')\n\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n"
            '    cliente = request.get_json()\n    y_pred = predict_cliente(cliente, dv, modelo)\n'
            "    return jsonify({'probability': round(float(y_pred), 3)})\n\n\n"
            + _main("print('probabilidad:', round(predict_cliente(cliente, dv, modelo), 3))\n"
                    "app.run(debug=False, host='0.0.0.0', port=9696)")),
        P: _cliente_que("r = requests.post(url, json=cliente)\nprint(f\"probabilidad: {r.json()['probability']}\")\n"),
    },
    # Tabuladores para sangrar.
    'autor_tabuladores': {
        S: ('import pickle\nfrom flask import Flask, request, jsonify\n\n\ndef predict_cliente(cliente, dv, modelo):\n'
            '\tX = dv.transform([cliente])\n\ty_pred = modelo.predict_proba(X)[:, 1]\n\treturn y_pred[0]\n\n\n'
            "with open('modelo_trabajo.bin', 'rb') as f_in:\n\tdv, modelo = pickle.load(f_in)\n\n"
            "app = Flask('Abandono')\n\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n"
            '\tcliente = request.get_json()\n\tp = predict_cliente(cliente, dv, modelo)\n'
            "\treturn jsonify({'probabilidad_abandono': float(p), 'abandono': bool(p >= 0.5)})\n\n\n"
            + _main("print('Probabilidad de abandono:', predict_cliente(cliente, dv, modelo))\n"
                    "app.run(debug=False, host='0.0.0.0', port=9696)", sangria='\t')),
    },
    # 127.0.0.1 en la URL y requests.post(url=..., json=...).json() en una línea.
    'autor_127': {
        P: _cliente_que('print(requests.post(url=url, json=cliente).json())\n', url='http://127.0.0.1:9696/predict'),
    },
    # 0.0.0.0 en la URL (en Linux y macOS llega a esta computadora) y la respuesta en porcentaje.
    'autor_0000_y_porcentaje': {
        P: _cliente_que("datos = requests.post(url, json=cliente).json()\n"
                        "print(f\"Probabilidad de abandono: {datos['probabilidad_abandono']:.1%}\")\n",
                        url='http://0.0.0.0:9696/predict'),
    },
    # El modelo se carga en cada petición, dentro de la ruta (lento, pero correcto).
    'autor_modelo_en_la_ruta': {
        S: ('import pickle\nfrom flask import Flask, request, jsonify\n\n\ndef cargar():\n'
            "    with open('modelo_trabajo.bin', 'rb') as f_in:\n        return pickle.load(f_in)\n\n\n"
            + _PREDICT_CLIENTE + '\n\ndv, modelo = cargar()\n'
            "app = Flask('Abandono')\n\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n"
            '    dv, modelo = cargar()\n    p = predict_cliente(request.get_json(), dv, modelo)\n'
            "    return jsonify(probabilidad_abandono=float(p))\n\n\n"
            + _main("print('Probabilidad de abandono: {:.4f}'.format(predict_cliente(cliente, dv, modelo)))\n"
                    "app.run(debug=False, host='0.0.0.0', port=9696)")),
    },
}
MUESTRAS += [Muestra(nombre, CORRECTA, f'variante de otro autor: {nombre.removeprefix("autor_")}', extra=archivos)
             for nombre, archivos in AUTORES.items()]
ATAQUES = [m for m in MUESTRAS if m.tipo == ATAQUE]

# --- Issue 25, los nombres de carpeta (t26): un bloque propio -----------------------------------
# Nombres que se hacen pasar por el de un compañero, que no caben como archivo o que son fórmulas.
HONESTO = 'honesto'
NOMBRES_HOSTILES = {
    HONESTO + '\n': 'un salto de línea al final: se escribía en el archivo de honesto y el CSV tenía dos filas honesto',
    HONESTO + '\u200b': 'un espacio de ancho cero al final: dos filas que se ven iguales',
    'ana' + '\x1b' * 63: 'ana y 63 ESC: 258 bytes una vez escapado, y las notas de toda la clase no se escribían',
    ('nombre_largo_' * 20)[:253]: 'un nombre de 253 bytes: con .md no cabe en el sistema de archivos',
    '＝HYPERLINK("ejemplo.invalid";"nota")': 'una fórmula con el ＝ de ancho completo, que es = tras NFKC',
    ' =1+1': 'una fórmula tras un espacio',
    '\xa0=1+1': 'una fórmula tras un espacio duro',
    '\u200b=1+1': 'una fórmula tras un espacio de ancho cero',
}
MUESTRAS += [Muestra(HONESTO, CORRECTA, 'la solución, con el nombre que imitan otras carpetas')]
MUESTRAS += [Muestra(nombre, ATAQUE, descripcion, base='exercises', categoria='informes')
             for nombre, descripcion in NOMBRES_HOSTILES.items()]
ATAQUES = [m for m in MUESTRAS if m.tipo == ATAQUE]


def construir(destino, muestras=MUESTRAS, puerto_de_fuera=0):
    return {m.nombre: m.construir(destino, puerto_de_fuera) for m in muestras}


def construir_clase(destino, n):
    """``n`` entregas sin hostiles ni ataques (solución, errores típicos, variantes), para medir la velocidad."""
    tranquilas = [Muestra('solucion', CORRECTA, 'la solución')] + [m for m in MUESTRAS if m.tipo in (ERROR, CORRECTA)
                                                                   and m.nombre != 'prueba_sin_fin']
    for numero, muestra in zip(range(1, n + 1), itertools.cycle(tranquilas)):
        carpeta = muestra.construir(Path(destino) / f'{numero:03d}')
        shutil.move(carpeta, Path(destino) / f'{numero:03d}_{muestra.nombre}')
        (Path(destino) / f'{numero:03d}').rmdir()


def main(argv=None):
    parser = argparse.ArgumentParser(description='Construye las entregas de muestra del calificador.')
    parser.add_argument('destino', type=Path)
    parser.add_argument('--clase', type=int, metavar='N', help='N entregas sin hostiles, para medir la velocidad')
    args = parser.parse_args(argv)
    if args.clase:
        construir_clase(args.destino, args.clase)
    else:
        construir(args.destino)


if __name__ == '__main__':
    main()
