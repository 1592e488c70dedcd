"""Los nombres de las entregas: el archivo de cada una, los que se confunden y cómo se buscan.

El nombre de una entrega lo elige quien la entrega (su carpeta) o lo arma el aula
virtual con su nombre completo: puede traer saltos de línea, caracteres invisibles,
espacios que no lo son, letras de ancho completo o 250 bytes.

- ``archivo_de``: su archivo de retroalimentación. Siempre ASCII, de 100 bytes como
  mucho, el mismo en cada calificación y distinto para cada nombre: el nombre tal cual
  si ya es sencillo (minúsculas, cifras, ``_`` y ``-``); si no, su versión ASCII más
  un resumen corto (SHA-256) del nombre original, separado por un punto, que un
  nombre sencillo no lleva.
- ``clave``: el nombre como lo ve una persona (NFKC, sin invisibles y sin espacios a
  los lados). Dos entregas con la misma clave parecen la misma: ``parecidos`` las junta
  y el informe lo avisa.
- ``invisible``: lo que no se ve o no se ve como es: controles y formatos (Cc, Cf),
  separadores de línea y de párrafo (Zl, Zp), los espacios que no son el espacio
  normal y lo que no es un carácter (suplentes, uso privado, sin asignar).
"""
import hashlib
import re
import unicodedata
from collections import defaultdict

_SENCILLO = re.compile(r'[a-z0-9][a-z0-9_-]{0,79}')
_LARGO_ASCII = 60      # caracteres del nombre en ASCII: con el resumen y .md, 74 bytes
_RESUMEN = 10          # cifras hexadecimales del SHA-256 (40 bits)


def invisible(caracter):
    categoria = unicodedata.category(caracter)
    return categoria[0] == 'C' or categoria in ('Zl', 'Zp') or (categoria == 'Zs' and caracter != ' ')


def archivo_de(nombre):
    """El nombre del archivo de retroalimentación de la entrega ``nombre`` (con .md)."""
    if _SENCILLO.fullmatch(nombre):
        return nombre + '.md'
    ascii_ = unicodedata.normalize('NFKD', nombre).encode('ascii', 'ignore').decode().lower()
    corto = re.sub(r'[^a-z0-9_]+', '-', ascii_).strip('-_')[:_LARGO_ASCII].rstrip('-_') or 'entrega'
    # surrogateescape: una carpeta con bytes que no son UTF-8 también tiene su resumen.
    resumen = hashlib.sha256(nombre.encode('utf-8', 'surrogateescape')).hexdigest()[:_RESUMEN]
    return f'{corto}.{resumen}.md'


def clave(nombre):
    """``nombre`` como lo leería una persona: NFKC, sin invisibles y sin espacios a los lados."""
    return ''.join(c for c in unicodedata.normalize('NFKC', nombre) if not invisible(c)).strip()


def parecidos(nombres):
    """Los grupos de nombres distintos que tienen la misma clave, en orden."""
    grupos = defaultdict(list)
    for nombre in nombres:
        grupos[clave(nombre)].append(nombre)
    return [sorted(g) for _, g in sorted(grupos.items()) if len(g) > 1]


def buscar(texto, entregas):
    """Las entregas (``{'entrega', 'id'}``) a las que se refiere ``texto``.

    Por orden: el nombre exacto, el número del aula virtual (Moodle o Canvas), el
    nombre de su archivo de retroalimentación (sin .md) y, si solo una la tiene, su clave.
    """
    for igual in (lambda e: e['entrega'] == texto,
                  lambda e: bool(e.get('id')) and e['id'] == texto.strip(),
                  lambda e: archivo_de(e['entrega'])[:-3] == texto.strip()):
        encontradas = [e for e in entregas if igual(e)]
        if encontradas:
            return encontradas
    return [e for e in entregas if clave(e['entrega']) == clave(texto)]
