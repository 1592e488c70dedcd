"""Qué entregas de una clase se parecen demasiado, y qué código de cada una conviene mirar a mano.

Usa copydetect (huellas por «winnowing» sobre los tokens de Python, con los
nombres de variables y funciones y los comentarios fuera): cambiar nombres y
comentarios no esconde una copia. Se compara TODO el código Python de cada
entrega (sus módulos de ayuda incluidos, y el que esconda en base64 o
hexadecimal: ``revision.escondido``), no solo los archivos de la lección; el
texto del esqueleto (``exercises/``) se descuenta como código común.

Las líneas que se muestran de un par están, idénticas, en las DOS entregas
(con su archivo y su línea en cada una): un comentario que solo una escribió
nunca aparece como prueba contra la otra.

Es lineal y tiene topes: cada entrega aporta como mucho ``_MAX_BYTES`` de
archivos .py y ``_MAX_CODIGO`` caracteres de código (sin comentarios ni líneas
en blanco, que se quitan antes de nada), los pares se cruzan con conjuntos de
huellas, y todo corre en un proceso aparte (``comparar``) con tope de memoria y
``limites.SIMILITUD`` segundos para la clase entera: al plazo, se entrega lo
que haya y se dice.

Un parecido alto es un motivo para mirar las dos entregas, no un veredicto: en
una lección corta muchas respuestas correctas se parecen.
"""
import ast
import bisect
import io
import itertools
import json
import os
import resource
import stat
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from abandono.calificador import limites
from abandono.calificador.generador import EJERCICIOS as ESQUELETO
from abandono.calificador.revision import Aviso, escondido, motivos
from abandono.taller import RAIZ

K = 25               # tokens seguidos que deben coincidir para contar (el «noise threshold» de copydetect)
VENTANA = 1          # ventana del winnowing: 1 guarda todas las huellas (los archivos son cortos)
UMBRAL = 0.5         # a partir de aquí un par se señala en el informe
_MAX_BYTES = 4 * 1024 ** 2    # bytes de archivos .py que se leen de una entrega (lo que copia su caja)
_MAX_ARCHIVOS = 100           # archivos .py de una entrega
_NIVELES = 2                  # subcarpetas en que se busca (como la caja)
_MAX_CODIGO = 64 * 1024       # caracteres de código por entrega que se comparan (una honrada tiene ~6 000)
_MAX_LINEAS = 8               # líneas compartidas que se muestran por par
_MIN_LINEA = 12               # caracteres de una línea para mostrarla (ni «else:» ni «return x»)
_MEMORIA = 2 * 1024 ** 3      # memoria virtual del proceso que compara


@dataclass(frozen=True)
class Compartida:
    """Una línea que está, idéntica, en las dos entregas de un par."""
    texto: str
    donde_a: str     # 'servicio1.py:12'
    donde_b: str


@dataclass(frozen=True)
class Par:
    a: str
    b: str
    parecido: float          # la parte de su código (sin el esqueleto) que cada uno comparte con el otro, la media
    tokens: int              # tokens compartidos
    lineas: tuple            # algunas Compartida


class Comparacion(list):
    """Los :class:`Par` de la clase, de más a menos parecidos (es una lista), y además:

    - ``revisar``: los :class:`revision.Aviso` de cada entrega (exec de texto
      decodificado, ``debug=`` que no es False, código escondido, entregas enormes);
    - ``aviso``: por qué la comparación quedó incompleta ('' si no).
    """

    def __init__(self, pares=(), revisar=(), aviso=''):
        super().__init__(pares)
        self.revisar, self.aviso = list(revisar), aviso


# --- Una entrega: su código, leído con cuidado ------------------------------------------

def _leer(ruta, tope):
    """Los bytes de un archivo normal (ni FIFO, ni enlace, ni carpeta), como mucho ``tope``; b'' si no."""
    try:
        # O_NONBLOCK: abrir una FIFO que nadie escribe no espera; O_NOFOLLOW: un enlace no lleva fuera.
        fd = os.open(ruta, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b''
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b''
        trozos, restante = [], tope
        while restante > 0 and (trozo := os.read(fd, min(restante, 1024 ** 2))):
            trozos.append(trozo)
            restante -= len(trozo)
        return b''.join(trozos)
    except OSError:
        return b''
    finally:
        os.close(fd)


def archivos_py(carpeta):
    """[(ruta relativa, texto)] de los .py de una entrega (subcarpetas incluidas), con sus topes."""
    encontrados, restante, pendientes = [], _MAX_BYTES, [(Path(carpeta), 0)]
    while pendientes and len(encontrados) < _MAX_ARCHIVOS and restante > 0:
        actual, nivel = pendientes.pop(0)
        try:
            entradas = sorted(os.scandir(actual), key=lambda e: e.name)
        except OSError:
            continue
        for entrada in entradas:
            if entrada.name.startswith('.') or entrada.name == '__pycache__':
                continue
            if entrada.is_dir(follow_symlinks=False) and nivel < _NIVELES:
                pendientes.append((Path(entrada.path), nivel + 1))
            elif entrada.name.endswith('.py') and len(encontrados) < _MAX_ARCHIVOS and restante > 0:
                datos = _leer(entrada.path, restante)
                restante -= len(datos)
                nombre = os.path.relpath(entrada.path, carpeta)
                encontrados.append((nombre, datos.decode('utf-8', errors='replace').removeprefix('\ufeff')))
    return encontrados


class Codigo:
    """El código de una entrega para compararlo: sus líneas con código, de todos sus archivos, en orden.

    ``texto`` es la unión de esas líneas y ``donde[i]`` dice de qué archivo y línea sale la
    línea ``i``. Las de solo comentario y las vacías se quitan antes de nada: 50 000
    comentarios no cuestan nada, ni empujan una copia fuera del tope.
    """

    def __init__(self, nombre, archivos):
        self.nombre, self.avisos, lineas, self.donde = nombre, [], [], []
        tamano, lleno = 0, False
        for archivo, texto in archivos:   # los decodificados se añaden al final y se recorren también
            try:
                arbol = ast.parse(texto)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                arbol = None
            if arbol is not None:
                crudas = texto.splitlines()
                for linea, motivo in motivos(arbol):
                    codigo = crudas[linea - 1].strip()[:120] if 0 < linea <= len(crudas) else ''
                    self.avisos.append(Aviso(nombre, f'{archivo}:{linea}', motivo, codigo))
                for linea, oculto in escondido(arbol):
                    self.avisos.append(Aviso(nombre, f'{archivo}:{linea}', 'código escondido en un texto '
                                                                           '(base64 o hexadecimal)', ''))
                    archivos.append((f'{archivo}:{linea} (decodificado)', oculto))
            for numero, linea in enumerate(texto.splitlines(), start=1):
                limpia = linea.strip()
                if lleno or not limpia or limpia.startswith('#'):
                    continue
                if tamano + len(linea) + 1 > _MAX_CODIGO:
                    lleno = True
                    self.avisos.append(Aviso(nombre, archivo, f'más de {_MAX_CODIGO // 1024} KB de código: se '
                                                              'compara solo el principio', ''))
                    continue
                lineas.append(linea)
                self.donde.append(f'{archivo}:{numero}')
                tamano += len(linea) + 1
        self.texto = '\n'.join(lineas)
        self._inicios = list(itertools.accumulate((len(l) + 1 for l in lineas), initial=0))
        self.lineas = lineas

    def huella(self, comun=()):
        from copydetect import CodeFingerprint

        return CodeFingerprint(self.nombre, K, VENTANA, boilerplate=list(comun), language='python',
                               fp=io.StringIO(self.texto))

    def lineas_en(self, cortes):
        """{texto: dónde} de las líneas que tocan los trozos (``cortes``, en caracteres de ``texto``)."""
        tocadas = {}
        for inicio, fin in zip(*cortes):
            primera = bisect.bisect_right(self._inicios, int(inicio)) - 1
            ultima = bisect.bisect_right(self._inicios, max(int(fin) - 1, int(inicio))) - 1
            for i in range(max(primera, 0), min(ultima, len(self.lineas) - 1) + 1):
                tocadas.setdefault(self.lineas[i].strip(), self.donde[i])
        return tocadas


# --- La clase: todos los pares, en el proceso aparte ------------------------------------

def _compartidas(x, y, cortes_x, cortes_y, comunes):
    """Las líneas de los trozos copiados que están idénticas en las dos entregas, con su sitio en cada una."""
    en_x, en_y = x.lineas_en(cortes_x), y.lineas_en(cortes_y)
    return tuple(Compartida(texto[:200], donde, en_y[texto]) for texto, donde in en_x.items()
                 if texto in en_y and texto not in comunes and len(texto) >= _MIN_LINEA)[:_MAX_LINEAS]


def analizar(entregas, plazo=limites.SIMILITUD):
    """La :class:`Comparacion` de ``entregas`` ({nombre: carpeta}), aquí mismo (``comparar`` la llama aparte)."""
    from copydetect import compare_files

    fin = time.monotonic() + plazo
    esqueleto = Codigo('', [(a, _leer(r, _MAX_BYTES).decode('utf-8', errors='replace'))
                            for a, r in ((p.name, p) for p in sorted(ESQUELETO.glob('*.py')))])
    comunes = set(esqueleto.huella().hashes)
    lineas_comunes = {l.strip() for l in esqueleto.lineas}
    codigos, huellas, revisar = {}, {}, []
    for nombre, carpeta in sorted(entregas.items()):
        if time.monotonic() > fin:
            return Comparacion([], revisar, f'la comparación no terminó en {plazo:.0f} s: faltan entregas por leer')
        codigo = codigos[nombre] = Codigo(nombre, archivos_py(carpeta))
        huellas[nombre] = codigo.huella(comunes)
        revisar += codigo.avisos
    pares, aviso = [], ''
    todos = list(itertools.combinations(sorted(huellas), 2))
    for hechos, (x, y) in enumerate(todos):
        if time.monotonic() > fin:
            aviso = f'la comparación no terminó en {plazo:.0f} s: se compararon {hechos} de {len(todos)} pares'
            break
        hx, hy = huellas[x], huellas[y]
        if not len(hx.hashes) or not len(hy.hashes):
            continue
        tokens, _, (cortes_x, cortes_y) = compare_files(hx, hy)
        if not tokens:
            continue
        # Los tokens compartidos se cuentan en x; en y son casi los mismos.
        parecido = sum(tokens / h.token_coverage for h in (hx, hy) if h.token_coverage) / 2
        pares.append(Par(x, y, round(min(parecido, 1.0), 3), int(tokens),
                         _compartidas(codigos[x], codigos[y], cortes_x, cortes_y, lineas_comunes)))
    return Comparacion(sorted(pares, key=lambda p: (-p.parecido, p.a, p.b)), revisar, aviso)


def comparar(entregas, plazo=limites.SIMILITUD):
    """La :class:`Comparacion` de ``entregas`` ({nombre: carpeta}), calculada en un proceso aparte.

    El código de las entregas es hostil también para esto: el proceso que lo lee tiene tope
    de memoria y de CPU, y se mata si pasa de ``plazo`` (con un margen para terminar de
    escribir). Nunca lanza: si algo sale mal, una comparación vacía que lo dice.
    """
    pedido = json.dumps({'entregas': {n: str(c) for n, c in entregas.items()}, 'plazo': plazo})
    try:
        hecho = subprocess.run([sys.executable, '-m', 'abandono.calificador.similitud'], input=pedido,
                               capture_output=True, text=True, timeout=plazo + 30,
                               cwd=RAIZ)
        datos = json.loads(hecho.stdout)
    except subprocess.TimeoutExpired:
        return Comparacion(aviso=f'la comparación no terminó en {plazo:.0f} s y se detuvo')
    except ValueError:
        return Comparacion(aviso=f'la comparación falló ({hecho.stderr.strip()[-200:] or hecho.returncode})')
    pares = [Par(p['a'], p['b'], p['parecido'], p['tokens'], tuple(Compartida(**l) for l in p['lineas']))
             for p in datos['pares']]
    return Comparacion(pares, [Aviso(**a) for a in datos['revisar']], datos['aviso'])


def main():
    """El proceso aparte: lee el pedido por la entrada estándar y escribe la comparación en JSON."""
    pedido = json.loads(sys.stdin.read())
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORIA, _MEMORIA))
    resource.setrlimit(resource.RLIMIT_CPU, (int(pedido['plazo']) + 20,) * 2)
    resultado = analizar({n: Path(c) for n, c in pedido['entregas'].items()}, pedido['plazo'])
    json.dump({'pares': [asdict(p) for p in resultado], 'revisar': [asdict(a) for a in resultado.revisar],
               'aviso': resultado.aviso}, sys.stdout, ensure_ascii=False)


if __name__ == '__main__':
    main()
