"""Lo que el profesor debe mirar a mano en el código de una entrega: no quita puntos, se lista en informe.md.

Se lee el código (su AST), nunca se ejecuta:

- ``exec``, ``eval`` o ``compile`` de un texto que no está escrito en el código
  (decodificado de base64, descomprimido, armado a trozos) o guardados con otro
  nombre: así se esconde código copiado, o lo que hace de verdad la entrega;
- un ``debug=`` (o ``app.debug``, ``DEBUG``) que no es la constante ``False``:
  leerlo del entorno es legítimo, pero también lo es encenderlo en todas partes
  menos donde se califica;
- código escondido en un texto (``escondido``): base64 o hexadecimal, quizá
  comprimido, que decodificado es Python. La similitud lo compara como un
  archivo más, para que una copia pasada por base64 no sea 0 % parecida.
"""
import ast
import base64
import binascii
import re
import zlib
from dataclasses import dataclass

_EJECUTAN = {'exec', 'eval', 'compile'}
# Funciones que convierten un texto escondido en código: base64, hexadecimal, compresión, codecs.
_DECODIFICAN = {'b64decode', 'b32decode', 'b16decode', 'a85decode', 'b85decode', 'decodebytes', 'urlsafe_b64decode',
                'decompress', 'fromhex', 'unhexlify', 'decode', 'loads', 'join', 'chr'}
_DEPURADOR = {'debug', 'use_debugger', 'use_evalex', 'DEBUG'}
_MIN_ESCONDIDO = 64           # caracteres que debe tener un texto para buscar código dentro
_MAX_ESCONDIDO = 1024 ** 2    # bytes que se decodifican de un texto (y de lo que descomprima)
_BASE64 = re.compile(rb'[A-Za-z0-9+/=_\-\s]+')


@dataclass(frozen=True)
class Aviso:
    """Algo de una entrega que conviene mirar: dónde, por qué y la línea (recortada)."""
    entrega: str
    donde: str       # 'servicio1.py:12'
    motivo: str
    codigo: str


def _nombre(nodo):
    if isinstance(nodo, ast.Name):
        return nodo.id
    return nodo.attr if isinstance(nodo, ast.Attribute) else ''


def _decodifica(nodo):
    return any(isinstance(n, ast.Call) and _nombre(n.func) in _DECODIFICAN for n in ast.walk(nodo))


def _falso(nodo):
    return isinstance(nodo, ast.Constant) and not nodo.value


def motivos(arbol):
    """[(línea, motivo)] de un módulo ya analizado (``ast.parse``)."""
    encontrados, llamados = [], set()
    for nodo in ast.walk(arbol):   # a lo ancho: cada llamada se ve antes que la función a la que llama
        if isinstance(nodo, ast.Call):
            llamados.add(id(nodo.func))
        if isinstance(nodo, ast.Call) and _nombre(nodo.func) in _EJECUTAN and nodo.args \
                and not isinstance(nodo.args[0], ast.Constant):
            que = 'texto decodificado' if _decodifica(nodo.args[0]) else 'un texto que no está escrito en el código'
            encontrados.append((nodo.lineno, f'{_nombre(nodo.func)} de {que}'))
        elif isinstance(nodo, (ast.Name, ast.Attribute)) and _nombre(nodo) in _EJECUTAN and id(nodo) not in llamados:
            encontrados.append((nodo.lineno, f'{_nombre(nodo)} guardado con otro nombre o pasado como valor'))
        elif isinstance(nodo, ast.Constant) and nodo.value in _EJECUTAN and isinstance(nodo.value, str):
            encontrados.append((nodo.lineno, f"el nombre '{nodo.value}' como texto (getattr, __builtins__)"))
        elif isinstance(nodo, ast.keyword) and nodo.arg in _DEPURADOR and not _falso(nodo.value):
            encontrados.append((nodo.value.lineno, f'{nodo.arg}= no es la constante False'))
        elif isinstance(nodo, ast.Assign) and not _falso(nodo.value) and any(
                (isinstance(t, ast.Attribute) and t.attr == 'debug')
                or (isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and t.slice.value == 'DEBUG')
                for t in nodo.targets):
            encontrados.append((nodo.lineno, 'el depurador se enciende con una asignación que no es False'))
    return sorted(set(encontrados))


def _decodificar(crudo):
    """Los bytes que esconde ``crudo`` (base64 o hexadecimal, quizá comprimidos con zlib/gzip), o None."""
    compacto = re.sub(rb'\s+', b'', crudo)
    candidatos = []
    if re.fullmatch(rb'[0-9a-fA-F]+', compacto) and len(compacto) % 2 == 0:
        candidatos.append(binascii.unhexlify(compacto))
    if _BASE64.fullmatch(crudo):
        for decodificar in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                candidatos.append(decodificar(compacto + b'=' * (-len(compacto) % 4)))
            except (binascii.Error, ValueError):
                continue
    for datos in candidatos:
        for descomprimir in (lambda d: d, lambda d: zlib.decompressobj(47).decompress(d, _MAX_ESCONDIDO)):
            try:
                return descomprimir(datos)[:_MAX_ESCONDIDO].decode('utf-8')
            except (zlib.error, UnicodeDecodeError):
                continue
    return None


def escondido(arbol):
    """[(línea, código)]: los textos largos del módulo que, decodificados, son Python con algo dentro."""
    hallados = []
    for nodo in ast.walk(arbol):
        if not isinstance(nodo, ast.Constant) or not isinstance(nodo.value, (str, bytes)) \
                or len(nodo.value) < _MIN_ESCONDIDO:
            continue
        crudo = nodo.value if isinstance(nodo.value, bytes) else nodo.value.encode('utf-8', errors='replace')
        codigo = _decodificar(crudo[:4 * _MAX_ESCONDIDO])
        if codigo is None:
            continue
        try:
            dentro = ast.parse(codigo)
        except (SyntaxError, ValueError):
            continue
        if any(isinstance(n, (ast.FunctionDef, ast.Assign, ast.Import, ast.ImportFrom, ast.Call)) for n in dentro.body):
            hallados.append((nodo.lineno, codigo))
    return hallados
