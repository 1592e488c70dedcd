"""El diagnóstico de un error del estudiante: qué lo causa, en qué línea de su archivo y cómo se arregla.

Un error al importar o ejecutar un archivo se explica una vez, en su causa: una
frase llana que un principiante puede seguir (qué pasa, con las palabras de la
lección), el arreglo que aplica a su código y, de detalle, el error de Python y
la línea (el texto lo lee el calificador de su copia del archivo, no de lo que
diga el proceso del estudiante). El mensaje de Python es la pista cuando la
tiene (``invalid character '“'``, ``Missing parentheses in call to 'print'``,
``name 'requests' is not defined``): de él sale el arreglo.

También lee el código (por su AST, sin ejecutarlo) lo que un error no dice: la
ruta de /predict y sus métodos, de dónde lee el cliente, un ``app.run`` fuera de
``if __name__ == '__main__':`` o una función definida dos veces.

Por qué no friendly-traceback (que tiene español): explica una excepción viva, con
sus marcos, y aquí el error llega como texto desde la caja; su español mezcla
«usted» y «tú» y deja frases en inglés; y en los tropiezos de esta lección no da
el arreglo (para ``name 'requests' is not defined`` dice que no tiene más
información, no ``import requests``).
"""
import ast
import difflib
import io
import keyword
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path, PurePath

from abandono.calificador.ejercicios import CARPETA_DE_TRABAJO
from abandono.taller import PUERTO_LECCION

_MARCO = re.compile(r'File "([^"]+)", line (\d+)')
_NOMBRE = re.compile(r"name '(\w+)' is not defined")
_QUIZA = re.compile(r"Did you mean: '(\w+)'\?")
_MODULO = re.compile(r"No module named '([\w.]+)'")
_CARACTER = re.compile(r"invalid character '(.)' \(U\+([0-9A-F]+)\)")
_ARGUMENTOS = re.compile(r'(\w+)\(\) takes (\d+) positional arguments? but (\d+) (?:was|were) given')
_NO_EXISTE = re.compile(r"No such file or directory: '([^']+)'")
_CLAVE = re.compile(r"KeyError: '([^']*)'")
# Dónde corre la entrega en la caja (o sin caja, en una carpeta temporal): no se enseña; lo que va detrás, sí.
_RUTA_DE_LA_ZONA = re.compile(r'(?:/zona|/tmp/zona-\w+)/')
URL_LECCION = f'http://localhost:{PUERTO_LECCION}/predict'
MODELO = 'modelo_trabajo.bin'
COMILLAS = {'“': '"', '”': '"', '„': '"', '«': '"', '»': '"', '‘': "'", '’': "'", '´': "'", '`': "'"}
# Los nombres que un principiante usa sin importarlos: el import que falta.
MODULOS = {'requests': 'import requests', 'pickle': 'import pickle', 'json': 'import json',
           'np': 'import numpy as np', 'numpy': 'import numpy', 'pd': 'import pandas as pd', 'pandas': 'import pandas',
           'os': 'import os', 'sys': 'import sys', 'flask': 'import flask', 'waitress': 'import waitress'}
NOMBRES_DE_FLASK = ('Flask', 'request', 'jsonify', 'Response', 'abort', 'make_response')


def leer_fuente(datos):
    """El texto de un archivo de Python como lo lee Python: con su BOM o su «# coding», con CRLF."""
    try:
        codificacion, _ = tokenize.detect_encoding(io.BytesIO(datos).readline)
    except SyntaxError:
        codificacion = 'utf-8'
    return datos.decode(codificacion, errors='replace')


# --- Un archivo que no está donde se busca -----------------------------------------

def _forma(nombre):
    """El nombre sin lo que un principiante cambia sin querer: mayúsculas, espacios, guiones y un .txt detrás."""
    nombre = nombre.lower().strip()
    nombre = nombre.removesuffix('.txt').strip()
    return re.sub(r'[\s_\-]+', '', nombre)


def mal_puestos(carpeta, archivo):
    """Las rutas (relativas, con /) de ``carpeta`` que parecen ``archivo`` con otro nombre o una carpeta más abajo.

    Otro nombre: otras mayúsculas, un espacio o un guion de más o de menos, o el ``.txt``
    que añade el Bloc de notas (``servicio1.py.txt``, que Windows muestra como ``servicio1.py``).
    """
    carpeta = Path(carpeta)
    encontrados = []
    for lugar in [carpeta, *sorted(p for p in _contenido(carpeta) if p.is_dir() and not p.name.startswith('.'))]:
        for ruta in sorted(_contenido(lugar)):
            if _forma(ruta.name) == _forma(archivo) and ruta != carpeta / archivo and ruta.is_file():
                encontrados.append(ruta.relative_to(carpeta).as_posix())
    return encontrados


def _contenido(carpeta):
    try:
        return list(carpeta.iterdir())
    except OSError:   # no existe, no es una carpeta o no se puede leer: nada que encontrar ahí
        return []


def como_arreglar_el_nombre(encontrado, archivo):
    """Qué hacer con ``encontrado`` (de :func:`mal_puestos`) para que sea ``archivo``: una frase."""
    if '/' in encontrado:
        return f'muévelo a la carpeta de la entrega, junto a los demás, como {archivo}'
    if encontrado.lower().endswith('.txt'):
        return (f'renómbralo a {archivo} (el Bloc de notas añade .txt y Windows lo esconde: en «Guardar como», '
                'elige «Todos los archivos»)')
    return f'renómbralo a {archivo} (Python busca el nombre exacto, con sus mayúsculas y sin espacios)'


# --- La línea de un error ------------------------------------------------------------

def linea_en_traza(traza, archivo):
    """La línea de ``archivo`` en la que saltó el error de una traza de Python (su último marco), o None."""
    lineas = [int(n) for ruta, n in _MARCO.findall(traza or '') if PurePath(ruta).name == archivo]
    return lineas[-1] if lineas else None


@dataclass(frozen=True)
class Causa:
    """Lo que detiene un archivo del estudiante: la frase llana, el arreglo y, de detalle, el error de Python."""
    archivo: str
    error: str           # la última línea del error: "NameError: name 'modelo' is not defined"
    linea: int | None
    codigo: str          # esa línea del archivo ('' si no se sabe)
    explicacion: str     # qué pasa, en llano: "usas requests, pero no lo importas."
    arreglo: str         # qué cambiar
    etiqueta: str = ''   # cómo se llama esta causa en las comprobaciones que fallan por ella

    @property
    def donde(self):
        return f'{self.archivo}, línea {self.linea}' if self.linea else self.archivo

    @property
    def nombre(self):
        return self.etiqueta or f'el error de {self.donde}'


def sin_rutas_de_la_caja(texto):
    """``texto`` sin la carpeta donde corrió la entrega: '/zona/mi_trabajo/x.py' queda 'mi_trabajo/x.py'."""
    return _RUTA_DE_LA_ZONA.sub('', texto or '')


def causa(archivo, error, linea, fuente):
    """La :class:`Causa` del error ``error`` (su última línea) que saltó en ``linea`` de ``archivo``."""
    error = sin_rutas_de_la_caja(error)
    explicacion, arreglo, linea, etiqueta = explicar(error, linea, fuente, archivo)
    return Causa(archivo, error, linea, texto_de_la_linea(fuente, linea), explicacion, arreglo, etiqueta)


def explicar(error, linea, fuente, archivo):
    """(explicación llana, arreglo, línea, etiqueta) de los errores de un principiante en esta lección.

    La línea puede cambiar (a la que de verdad hay que tocar: la segunda definición de una
    función repetida); la etiqueta, vacía salvo si la misma causa hace fallar otras cosas.
    """
    tipo = error.partition(':')[0].strip().rpartition('.')[2]
    codigo = texto_de_la_linea(fuente, linea)
    script = f'python {CARPETA_DE_TRABAJO}/{archivo}'
    if tipo == 'UnicodeDecodeError' and '0x80' in error:
        return (f'abres {MODELO} como texto, y es un archivo binario (lo escribió pickle).',
                f"ábrelo en modo 'rb': with open('{MODELO}', 'rb') as f_in:", linea, '')
    if tipo == 'NameError' and (nombre := _NOMBRE.search(error)):
        return (*_nombre_que_no_existe(nombre[1], error, fuente), linea, '')
    if tipo == 'SyntaxError' and (caracter := _CARACTER.search(error)):
        return (*_caracter(caracter[1], caracter[2], codigo), linea, '')
    if tipo == 'SyntaxError' and (funcion := re.search(r"call to '(\w+)'", error)):
        funcion = funcion[1]
        return (f'en Python 3, {funcion} es una función: lo que muestra va entre paréntesis.',
                f'escribe la línea así: {_con_parentesis(codigo, funcion)}', linea, '')
    if tipo in ('SyntaxError', 'IndentationError', 'TabError'):
        return (*_sintaxis(tipo, error), linea, '')
    if tipo == 'FileNotFoundError' and (ruta := _NO_EXISTE.search(error)):
        return (*_archivo_que_no_existe(ruta[1], fuente, script), linea, '')
    if tipo == 'TypeError' and (llamada := _ARGUMENTOS.search(error)):
        repetidas = definiciones(fuente, llamada[1])
        if len(repetidas) > 1:
            lineas = ' y '.join(map(str, repetidas))
            return (f'hay dos funciones {llamada[1]} (líneas {lineas}): la segunda reemplaza a la primera, así que '
                    f'{llamada[1]}(...) llama a la de la línea {repetidas[-1]}, que espera {llamada[2]} '
                    'argumentos.',
                    f'cambia el nombre de la segunda (la de la ruta /predict, por ejemplo def predict():); '
                    f'{llamada[1]} es la del ejercicio 1.', repetidas[-1], f'dos funciones {llamada[1]}')
    if tipo == 'TypeError' and 'did not return a valid response' in error:
        devuelto = error.rpartition('it was a ')[2].rstrip('. ') or 'None'
        que = {'float': 'un número suelto (float)', 'int': 'un número suelto', 'ndarray': 'una matriz de NumPy',
               'float64': 'un número de NumPy suelto', 'bool': 'un True o False suelto'}.get(devuelto, devuelto)
        if 'returned None' in error or 'without a return' in error:
            return ('la función de la ruta no devuelve nada (le falta return).',
                    'termina la función con return y lo que debe responder (print solo lo muestra en la consola).',
                    linea, '')
        return (f'la función de la ruta devuelve {que}, y una ruta de Flask no puede devolver un número suelto: '
                'devuelve texto, un diccionario o jsonify(...).',
                "devuelve el resultado en JSON: return jsonify({'probabilidad_abandono': float(probabilidad)})",
                linea, '')
    if tipo == 'TypeError' and 'is not JSON serializable' in error:
        de_numpy = re.search(r'Object of type (\w+)', error)
        nombre = de_numpy[1] if de_numpy else 'ese valor'
        conversion = 'bool(...)' if 'bool' in nombre else 'float(...)'
        return (f'jsonify no sabe escribir un {nombre} de NumPy en JSON.',
                f'conviértelo antes con {conversion}: float(probabilidad) y bool(abandono).', linea, '')
    if tipo == 'KeyError' and (clave := _CLAVE.search(error)):
        return (f"buscas la clave '{clave[1]}' en un diccionario que no la tiene.",
                'usa las claves que de verdad tiene (imprime el diccionario entero para verlas).', linea, '')
    if tipo == 'NotImplementedError':
        return ('esa parte sigue siendo un TODO del esqueleto.', 'escribe el código que pide el comentario TODO.',
                linea, '')
    if tipo == 'ModuleNotFoundError' and (modulo := _MODULO.search(error)):
        return (f"Python no encuentra el módulo {modulo[1]!r}.",
                'revisa cómo está escrito y ejecuta con el entorno del taller (source .venv/bin/activate).', linea, '')
    if any(s in error for s in ('No connection adapters', 'No scheme supplied', 'Invalid URL')):
        return ('a la URL le falta el esquema http://.', f'escribe {URL_LECCION!r}, con http:// delante.', linea, '')
    if any(s in error for s in ('Connection refused', 'Max retries exceeded', 'NameResolutionError')):
        return ('la URL no lleva al servicio.', f'usa {URL_LECCION!r}.', linea, '')
    return ('tu código se detiene ahí con un error de Python.',
            f'ejecuta "{script}" desde la raíz del taller, lee la última línea del error (en el detalle, abajo) '
            'y corrige esa línea.', linea, '')


def texto_de_la_linea(fuente, numero):
    """El texto de la línea ``numero`` de ``fuente``, recortado ('' si no existe)."""
    lineas = fuente.splitlines()
    return lineas[numero - 1].strip()[:160] if numero and 0 < numero <= len(lineas) else ''


def _nombre_que_no_existe(nombre, error, fuente):
    if nombre == 'modelo' and re.search(r'\bmodel\b', fuente):
        return ('cargas el modelo en model y el resto del código usa modelo (la errata de la lección).',
                'carga con dv, modelo = pickle.load(f_in): modelo, no model.')
    if nombre == 'respuesta':
        return ('usas respuesta sin haberla guardado.',
                'guarda lo que devuelve requests, respuesta = requests.post(url, json=cliente), y después usa '
                'respuesta.')
    if nombre in MODULOS:
        return (f'usas {nombre}, pero no lo importas.', f'añade {MODULOS[nombre]} al principio del archivo.')
    if nombre in NOMBRES_DE_FLASK:
        importados = nombres_importados_de_flask(fuente)
        if importados is None:
            return (f'usas {nombre}, que es de Flask, pero no lo importas.',
                    f'añade from flask import {nombre} al principio del archivo.')
        linea, nombres = importados
        return (f'usas {nombre}, que es de Flask, pero no está en tu from flask import (línea {linea}).',
                f'añade {nombre} a la línea from flask import: from flask import {", ".join([*nombres, nombre])}')
    parecido = _QUIZA.search(error)
    identificadores = {t.string for t in _fichas(fuente) if t.type == tokenize.NAME
                       and not keyword.iskeyword(t.string) and t.string != nombre}
    parecidos = [parecido[1]] if parecido else difflib.get_close_matches(nombre, identificadores, n=1, cutoff=0.75)
    if parecidos:
        return (f'usas {nombre}, que no existe: ¿querías escribir {parecidos[0]}?',
                f'escribe {parecidos[0]} (Python distingue cada letra).')
    return (f'usas {nombre} cuando todavía no existe.',
            'créalo antes de esa línea: una variable que se crea más abajo, o dentro de otra función, no existe aquí.')


def _caracter(caracter, codigo_unicode, linea):
    if caracter in COMILLAS:
        recta = ''.join(COMILLAS.get(c, c) for c in linea)
        return ('hay comillas tipográficas (“ ” ‘ ’), las que pegan un PDF o un procesador de textos; '
                'Python solo entiende las comillas rectas.',
                f'cámbialas por comillas rectas, \' o ": {recta}')
    return (f'hay un carácter que Python no entiende ({caracter!r}, U+{codigo_unicode}), seguramente pegado de '
            'un PDF o una página web.', 'borra ese carácter y escríbelo a mano con el teclado.')


def _con_parentesis(linea, funcion):
    resto = linea.strip()[len(funcion):].strip()
    return f'{funcion}({resto})'


def _sintaxis(tipo, error):
    if tipo == 'TabError':
        return ('mezclas tabuladores y espacios en la sangría.', 'usa solo espacios, 4 por nivel.')
    if 'unexpected indent' in error:
        return ('esa línea tiene más sangría que la de arriba, sin abrir un bloque.',
                'alinéala con su bloque (4 espacios por nivel).')
    if 'expected an indented block' in error:
        return ("después de una línea que termina en ':' falta su bloque con sangría.",
                "escribe el bloque con 4 espacios más de sangría que la línea del ':'.")
    if tipo == 'IndentationError':
        return ('la sangría de esa línea no coincide con la de ningún bloque de arriba.', 'usa 4 espacios por nivel.')
    if "expected ':'" in error:
        return ("a esa línea le falta ':' al final.", "termina la línea de def, if, for o with con ':'.")
    if 'was never closed' in error or 'unterminated string' in error:
        return ('un paréntesis, un corchete o una comilla se abre y no se cierra.', 'ciérralo en la misma línea.')
    if 'Perhaps you forgot a comma' in error:
        return ('parece que falta una coma entre dos valores.', 'separa los valores con comas.')
    return ('Python no entiende esa línea.',
            "revísala junto con la de arriba: suele faltar ':' al final de def, if o with, o cerrar un paréntesis "
            'o una comilla.')


def _archivo_que_no_existe(ruta, fuente, script):
    ruta = sin_rutas_de_la_caja(ruta)
    if PurePath(ruta).name == MODELO and ruta != MODELO:
        return (f'buscas {MODELO} junto a tu script (en {CARPETA_DE_TRABAJO}/), pero el modelo está en la raíz del '
                f'taller, la carpeta desde la que ejecutas "{script}".',
                f"ábrelo por su nombre, como la lección: open('{MODELO}', 'rb'). Python lo busca en la carpeta desde "
                'la que ejecutas, la raíz del taller, y así funciona igual en tu computadora y al calificar.')
    if ruta == MODELO and re.search(r'\bchdir\s*\(', fuente):
        return (f'cambias de carpeta con os.chdir(...) antes de abrir {MODELO}, y el modelo está en la raíz '
                'del taller, desde donde ejecutas el script.',
                f"quita el os.chdir(...) y abre el modelo como la lección: open('{MODELO}', 'rb').")
    return (f'abres {ruta}, que no existe: el modelo de la lección se llama {MODELO} (guarda dv y modelo juntos).',
            f"ábrelo con open('{MODELO}', 'rb') y ejecuta desde la raíz del taller: {script}.")


def _fichas(fuente):
    try:
        yield from tokenize.generate_tokens(io.StringIO(fuente).readline)
    except (tokenize.TokenError, SyntaxError):
        return


# --- Lo que dice el código sin ejecutarlo ---------------------------------------------

def _arbol(fuente):
    try:
        return ast.parse(fuente)
    except (SyntaxError, ValueError):
        return None


def definiciones(fuente, nombre):
    """Las líneas de las funciones ``nombre`` del nivel del módulo (dos o más: la última reemplaza a las otras)."""
    arbol = _arbol(fuente)
    return [n.lineno for n in (arbol.body if arbol else []) if isinstance(n, ast.FunctionDef) and n.name == nombre]


def nombres_importados_de_flask(fuente):
    """(línea, nombres) del primer ``from flask import ...`` del módulo, o None si no lo hay."""
    arbol = _arbol(fuente)
    for nodo in ast.walk(arbol) if arbol else ():
        if isinstance(nodo, ast.ImportFrom) and nodo.module == 'flask':
            return nodo.lineno, [a.name for a in nodo.names]
    return None


def _es_main(nodo):
    """True si ``nodo`` es ``if __name__ == '__main__':``."""
    return isinstance(nodo, ast.If) and '__main__' in ast.unparse(nodo.test) and '__name__' in ast.unparse(nodo.test)


def arranque_fuera_del_main(fuente):
    """La línea de un ``app.run(...)`` (o ``serve(app...)``) que corre al importar el módulo, o None."""
    arbol = _arbol(fuente)
    pendientes = list(arbol.body) if arbol else []
    while pendientes:
        nodo = pendientes.pop(0)
        if _es_main(nodo) or isinstance(nodo, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(nodo, ast.Expr) and isinstance(nodo.value, ast.Call):
            funcion = nodo.value.func
            nombre = funcion.attr if isinstance(funcion, ast.Attribute) else getattr(funcion, 'id', '')
            if nombre in ('run', 'serve', 'run_simple'):
                return nodo.lineno
        pendientes[:0] = [h for h in ast.iter_child_nodes(nodo) if isinstance(h, ast.stmt)]
    return None


def funcion_llamada(fuente, nombre):
    """El ``ast.FunctionDef`` del nivel del módulo llamado ``nombre`` (la última, si hay dos), o None."""
    arbol = _arbol(fuente)
    funciones = [n for n in (arbol.body if arbol else []) if isinstance(n, ast.FunctionDef) and n.name == nombre]
    return funciones[-1] if funciones else None


def decorador_de_ruta(funcion, regla):
    """(línea, texto) del decorador ``@app.route(regla...)`` de ``funcion``, o None."""
    for decorador in funcion.decorator_list if funcion else ():
        if isinstance(decorador, ast.Call) and decorador.args and isinstance(decorador.args[0], ast.Constant) \
                and decorador.args[0].value == regla:
            return decorador.lineno, '@' + ast.unparse(decorador)
    return None


def lee_de_un_formulario(funcion):
    """(línea, 'request.form') si la función lee el cliente de un formulario o de la URL y no del JSON, o None."""
    if funcion is None:
        return None
    texto = ast.unparse(funcion)
    if re.search(r'request\.(get_json|json|data|get_data)\b|json\.loads', texto):
        return None
    for nodo in ast.walk(funcion):
        if isinstance(nodo, ast.Attribute) and nodo.attr in ('form', 'args', 'values') \
                and isinstance(nodo.value, ast.Name) and nodo.value.id == 'request':
            return nodo.lineno, f'request.{nodo.attr}'
    return None


def retornos(funcion):
    """Las líneas de los ``return`` de ``funcion`` (sin entrar en funciones de dentro)."""
    lineas, pendientes = [], list(funcion.body) if funcion else []
    while pendientes:
        nodo = pendientes.pop(0)
        if isinstance(nodo, ast.Return):
            lineas.append(nodo.lineno)
        if not isinstance(nodo, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pendientes[:0] = [h for h in ast.iter_child_nodes(nodo) if isinstance(h, ast.stmt)]
    return lineas
