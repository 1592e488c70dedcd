"""Entregas de muestra para probar el calificador, descritas como cambios sobre solutions/.

Cada muestra copia las soluciones y aplica unos reemplazos de texto exactos
(si un texto ya no aparece en la solución, la muestra falla al construirse en
vez de probar otra cosa). ``esperado`` da los puntos de los ejercicios que la
muestra rompe; los demás deben quedar con todos sus puntos. Cuando el script
de servicio1.py se cae en la parte del ejercicio 1, tampoco llega a
``app.run`` y pierde además el punto de arrancar el servicio del ejercicio 3.

    python tests/calificador/muestras.py DESTINO            # todas las muestras
    python tests/calificador/muestras.py DESTINO --clase 30 # 30 entregas para medir la velocidad
"""
import argparse
import itertools
import shutil
from dataclasses import dataclass, field
from pathlib import Path

SOLUCIONES = Path(__file__).resolve().parents[2] / 'solutions'
ARCHIVOS = ('servicio1.py', 'flask_test.py', 'probar_servicio.py')


@dataclass(frozen=True)
class Muestra:
    nombre: str
    tipo: str  # 'error típico', 'correcta' u 'hostil'
    descripcion: str
    cambios: dict = field(default_factory=dict)   # archivo -> [(texto, reemplazo), ...]
    esperado: dict = field(default_factory=dict)  # ejercicio -> puntos esperados
    borrar: tuple = ()                            # archivos que no se entregan

    def construir(self, destino):
        carpeta = Path(destino) / self.nombre
        carpeta.mkdir(parents=True)
        for archivo in ARCHIVOS:
            if archivo in self.borrar:
                continue
            texto = (SOLUCIONES / archivo).read_text(encoding='utf-8')
            for viejo, nuevo in self.cambios.get(archivo, []):
                if viejo not in texto:
                    raise ValueError(f'{self.nombre}: {viejo!r} ya no aparece en solutions/{archivo}')
                texto = texto.replace(viejo, nuevo)
            (carpeta / archivo).write_text(texto, encoding='utf-8')
        return carpeta


S, F, P = 'servicio1.py', 'flask_test.py', 'probar_servicio.py'
ERROR, CORRECTA, HOSTIL = 'error típico', 'correcta', 'hostil'
_AL_IMPORTAR = 'import pickle\n'  # a partir de aquí se inyecta código que corre al importar

MUESTRAS = [
    # --- Errores típicos: pierden los puntos de lo que rompen, y solo esos ---
    Muestra('predict_en_vez_de_predict_proba', ERROR, 'predict da la clase 0/1, no la probabilidad',
            {S: [('modelo.predict_proba(X)[:, 1]', 'modelo.predict(X)')]}, {1: 1, 3: 3}),
    Muestra('columna_0', ERROR, 'la columna 0 de predict_proba (probabilidad de quedarse)',
            {S: [('[:, 1]', '[:, 0]')]}, {1: 1, 3: 3}),
    Muestra('devuelve_la_matriz', ERROR, 'predict_cliente devuelve la matriz y no el número',
            {S: [('return y_pred[0]', 'return y_pred')]}, {1: 1, 3: 2}),
    Muestra('bool_de_numpy', ERROR, 'un numpy.bool_ en el JSON: jsonify falla con 500',
            {S: [("'abandono': bool(abandono)", "'abandono': abandono")]}, {3: 3}),
    Muestra('sin_methods_post', ERROR, "@app.route sin methods=['POST']: solo acepta GET",
            {S: [("@app.route('/predict', methods=['POST'])", "@app.route('/predict')")]}, {3: 3}),
    Muestra('cliente_fijo', ERROR, 'puntúa el cliente escrito en el código, no el de la petición',
            {S: [('cliente = request.get_json()', 'datos = request.get_json()')]}, {3: 4}),
    Muestra('nombre_de_app', ERROR, "Flask(__name__) en vez de Flask('Abandono')",
            {S: [("Flask('Abandono')", 'Flask(__name__)')]}, {3: 5}),
    Muestra('hola_sin_c8280', ERROR, "hola devuelve 'Hola'",
            {F: [("return 'Hola C8280'", "return 'Hola'")]}, {2: 0}),
    Muestra('hola_con_print', ERROR, 'hola imprime el saludo en vez de devolverlo',
            {F: [("return 'Hola C8280'", "print('Hola C8280')")]}, {2: 0}),
    Muestra('solo_el_modelo', ERROR, 'carga solo el modelo: sin el DictVectorizer',
            {S: [('dv, modelo = pickle.load(f_in)', 'modelo = pickle.load(f_in)')]}, {1: 2, 3: 2}),
    Muestra('orient_rows', ERROR, "pasa por un DataFrame con to_dict(orient='rows'), que pandas ya no acepta",
            {S: [(_AL_IMPORTAR, _AL_IMPORTAR + '\nimport pandas as pd\n'),
                 ('X = dv.transform([cliente])',
                  "df = pd.DataFrame([cliente])\n    X = dv.transform(df.to_dict(orient='rows'))")]},
            {1: 1, 3: 2}),
    Muestra('lee_request_args', ERROR, 'lee el cliente de request.args (la URL), que llega vacío',
            {S: [('request.get_json()', 'request.args.to_dict()')]}, {3: 3}),
    Muestra('probabilidad_como_texto', ERROR, 'responde la probabilidad como texto',
            {S: [("'probabilidad_abandono': float(probabilidad)", "'probabilidad_abandono': str(probabilidad)")]},
            {3: 3}),
    Muestra('script_sin_imprimir', ERROR, 'el script calcula la probabilidad pero no la muestra',
            {S: [("    print(f'Probabilidad de abandono: {probabilidad:.3f}')\n", '')]}, {1: 3}),
    Muestra('prueba_con_get', ERROR, 'prueba el servicio con requests.get',
            {P: [('requests.post(url, json=cliente, timeout=10)', 'requests.get(url, params=cliente, timeout=10)')]},
            {4: 0}),
    Muestra('prueba_con_data', ERROR, 'envía el cliente como formulario (data=) y no como JSON',
            {P: [('json=cliente, timeout=10', 'data=cliente, timeout=10')]}, {4: 0}),

    # --- Correctas pero escritas de otra forma: todos los puntos ---
    Muestra('hola_en_otra_ruta', CORRECTA, 'hola en / con @app.get',
            {F: [("@app.route('/hola', methods=['GET'])", "@app.get('/')")]}),
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

    # --- Hostiles o rotas: pierden lo que rompen y la clase termina igual ---
    Muestra('error_de_sintaxis', HOSTIL, 'servicio1.py no compila',
            {S: [('def predict_cliente(cliente, dv, modelo):', 'def predict_cliente(cliente, dv, modelo)')]},
            {1: 0, 3: 0}),
    Muestra('bucle_al_importar', HOSTIL, 'un bucle infinito al importar servicio1.py',
            {S: [(_AL_IMPORTAR, _AL_IMPORTAR + '\nwhile True:\n    pass\n')]}, {1: 0, 3: 0}),
    Muestra('bucle_en_la_ruta', HOSTIL, 'un bucle infinito en la función de /predict',
            {S: [('    cliente = request.get_json()\n', '    while True:\n        pass\n')]}, {3: 3}),
    Muestra('sys_exit_al_importar', HOSTIL, 'sys.exit al importar servicio1.py',
            {S: [(_AL_IMPORTAR, _AL_IMPORTAR + "import sys\n\nsys.exit('adiós')\n")]}, {1: 0, 3: 0}),
    Muestra('run_al_importar', HOSTIL, "app.run(port=9696) sin la guarda de __main__: arranca al importar",
            {S: [("if __name__ == '__main__':", 'if True:  # sin la guarda de __main__')]}, {3: 5}),
    Muestra('depurador_activado', HOSTIL, 'app.run(debug=True)',
            {S: [('app.run(debug=False,', 'app.run(debug=True,')]}, {3: 5}),
    Muestra('acapara_memoria', HOSTIL, 'reserva memoria sin parar al importar',
            {S: [(_AL_IMPORTAR, _AL_IMPORTAR + '\nbasura = []\nwhile True:\n'
                                               '    basura.append(bytearray(64 * 1024 ** 2))\n')]},
            {1: 0, 3: 0}),
    Muestra('escribe_fuera', HOSTIL, 'escribe archivos fuera de su carpeta (carpeta padre, HOME, ..)',
            {S: [(_AL_IMPORTAR, _AL_IMPORTAR + 'from pathlib import Path\n\n'
                                               "for destino in (Path(__file__).resolve().parent.parent, "
                                               "Path.home(), Path('..')):\n"
                                               "    (destino / 'FUERA_DE_LA_ENTREGA.txt').write_text('hola')\n")]}),
    Muestra('os_exit_en_flask_test', HOSTIL, 'flask_test.py mata su propio proceso al importarse',
            {F: [('from flask import Flask\n', 'from flask import Flask\n\nos._exit(0)\n')]}, {2: 0}),
    Muestra('prueba_sin_fin', HOSTIL, 'probar_servicio.py no termina nunca después de probar',
            {P: [('print(respuesta.json())\n', 'print(respuesta.json())\nwhile True:\n    pass\n')]}, {4: 0}),
    Muestra('entrega_vacia', HOSTIL, 'una carpeta sin archivos', borrar=ARCHIVOS,
            esperado={1: 0, 2: 0, 3: 0, 4: 0}),
]


def construir(destino, muestras=MUESTRAS):
    return {m.nombre: m.construir(destino) for m in muestras}


def construir_clase(destino, n):
    """``n`` entregas sin hostiles (solución, errores típicos, variantes), para medir la velocidad."""
    tranquilas = [Muestra('solucion', CORRECTA, 'la solución')] + [m for m in MUESTRAS if m.tipo != HOSTIL]
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
