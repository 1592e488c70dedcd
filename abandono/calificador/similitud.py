"""Qué entregas de una clase se parecen demasiado: pares ordenados por parecido, para que el profesor mire.

Usa copydetect (huellas por «winnowing» sobre los tokens de Python, con los
nombres de variables y funciones y los comentarios fuera): cambiar nombres y
comentarios no esconde una copia. El texto del esqueleto (``exercises/``) se
descuenta como código común: lo que todos recibieron no acerca a nadie.

Un parecido alto es un motivo para mirar las dos entregas, no un veredicto: en
una lección corta muchas respuestas correctas se parecen.
"""
import io
import itertools
import os
import stat
from dataclasses import dataclass

from abandono.calificador.ejercicios import ARCHIVOS
from abandono.calificador.generador import EJERCICIOS as ESQUELETO

K = 25               # tokens seguidos que deben coincidir para contar (el «noise threshold» de copydetect)
VENTANA = 1          # ventana del winnowing: 1 guarda todas las huellas (los archivos son cortos)
UMBRAL = 0.5         # a partir de aquí un par se señala en el informe
_MAX_ARCHIVO = 256 * 1024   # caracteres que se leen de cada archivo de una entrega
_MAX_LINEAS = 8             # líneas compartidas que se muestran por par


@dataclass(frozen=True)
class Par:
    a: str
    b: str
    parecido: float          # la parte de su código (sin el esqueleto) que cada uno comparte con el otro, la media
    tokens: int              # tokens compartidos
    lineas: tuple            # algunas líneas compartidas, del primero


def _texto(ruta):
    """El texto de un archivo normal de la entrega; '' si falta o es otra cosa (una FIFO, una carpeta, un enlace)."""
    try:
        # O_NONBLOCK: abrir una FIFO que nadie escribe no espera; O_NOFOLLOW: un enlace no lleva fuera.
        fd = os.open(ruta, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ''
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ''
        return os.read(fd, _MAX_ARCHIVO).decode('utf-8', errors='replace')
    except OSError:
        return ''
    finally:
        os.close(fd)


def _huella(nombre, texto, comun=()):
    from copydetect import CodeFingerprint

    return CodeFingerprint(nombre, K, VENTANA, boilerplate=list(comun), language='python', fp=io.StringIO(texto))


def _lineas(texto, cortes):
    """Las líneas no vacías del texto que tocan los trozos copiados."""
    vistas = []
    for inicio, fin in zip(*cortes):
        # El trozo empieza y acaba a media línea: se amplía a líneas enteras.
        inicio = texto.rfind('\n', 0, int(inicio)) + 1
        fin = texto.find('\n', int(fin))
        for linea in texto[inicio:fin if fin >= 0 else None].splitlines():
            if linea.strip() and linea.strip() not in vistas:
                vistas.append(linea.strip())
    return tuple(vistas[:_MAX_LINEAS])


def comparar(entregas):
    """Los pares de ``entregas`` ({nombre: carpeta}) de más a menos parecidos (sin los de parecido 0)."""
    from copydetect import compare_files

    comunes = {a: set(_huella(a, _texto(ESQUELETO / a)).hashes) for a in ARCHIVOS}
    huellas = {nombre: {a: _huella(a, _texto(carpeta / a), comunes[a]) for a in ARCHIVOS}
               for nombre, carpeta in entregas.items()}
    pares = []
    for x, y in itertools.combinations(sorted(huellas), 2):
        compartidos = [0, 0]
        cubiertos = [0, 0]
        lineas = []
        for archivo in ARCHIVOS:
            hx, hy = huellas[x][archivo], huellas[y][archivo]
            cubiertos[0] += hx.token_coverage
            cubiertos[1] += hy.token_coverage
            if not len(hx.hashes) or not len(hy.hashes):
                continue
            tokens, _, (cortes_x, _) = compare_files(hx, hy)
            compartidos[0] += tokens
            lineas += _lineas(hx.raw_code, cortes_x) if tokens else ()
        if not compartidos[0]:
            continue
        # Los tokens compartidos se cuentan en x; en y son casi los mismos.
        parecido = sum(compartidos[0] / c for c in cubiertos if c) / 2
        pares.append(Par(x, y, round(min(parecido, 1.0), 3), int(compartidos[0]), tuple(lineas[:_MAX_LINEAS])))
    return sorted(pares, key=lambda p: (-p.parecido, p.a, p.b))
