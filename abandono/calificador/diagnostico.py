"""El diagnóstico de un error del estudiante: en qué línea de su archivo saltó y cómo se arregla.

Un error al importar o ejecutar un archivo se explica una vez, en su causa: el
error, el archivo, la línea (el texto lo lee el calificador de su copia del
archivo, no de lo que diga el proceso del estudiante) y, si es un tropiezo
conocido de la lección, su arreglo.
"""
import difflib
import io
import keyword
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path, PurePath

from abandono.taller import PUERTO_LECCION

_MARCO = re.compile(r'File "([^"]+)", line (\d+)')
_NOMBRE = re.compile(r"name '(\w+)' is not defined")
URL_LECCION = f'http://localhost:{PUERTO_LECCION}/predict'
_MODULO = re.compile(r"No module named '([\w.]+)'")


def leer_fuente(datos):
    """El texto de un archivo de Python como lo lee Python: con su BOM o su «# coding», con CRLF."""
    try:
        codificacion, _ = tokenize.detect_encoding(io.BytesIO(datos).readline)
    except SyntaxError:
        codificacion = 'utf-8'
    return datos.decode(codificacion, errors='replace')


def mal_puestos(carpeta, archivo):
    """Las rutas (relativas, con /) de ``carpeta`` que parecen ``archivo`` con otras mayúsculas o una carpeta más abajo."""
    carpeta = Path(carpeta)
    encontrados = []
    for lugar in [carpeta, *sorted(p for p in _contenido(carpeta) if p.is_dir() and not p.name.startswith('.'))]:
        for ruta in sorted(_contenido(lugar)):
            if ruta.name.lower() == archivo.lower() and ruta != carpeta / archivo and ruta.is_file():
                encontrados.append(ruta.relative_to(carpeta).as_posix())
    return encontrados


def _contenido(carpeta):
    try:
        return list(carpeta.iterdir())
    except OSError:   # no existe, no es una carpeta o no se puede leer: nada que encontrar ahí
        return []


def linea_en_traza(traza, archivo):
    """La línea de ``archivo`` en la que saltó el error de una traza de Python (su último marco), o None."""
    lineas = [int(n) for ruta, n in _MARCO.findall(traza or '') if PurePath(ruta).name == archivo]
    return lineas[-1] if lineas else None


@dataclass(frozen=True)
class Causa:
    """Lo que detiene un archivo del estudiante."""
    archivo: str
    error: str           # la última línea del error: "NameError: name 'modelo' is not defined"
    linea: int | None
    codigo: str          # esa línea del archivo ('' si no se sabe)
    arreglo: str | None  # el arreglo de un tropiezo conocido, o None

    @property
    def donde(self):
        return f'{self.archivo}, línea {self.linea}' if self.linea else self.archivo


def causa(archivo, error, linea, fuente):
    lineas = fuente.splitlines()
    codigo = lineas[linea - 1].strip()[:160] if linea and 0 < linea <= len(lineas) else ''
    return Causa(archivo, error, linea, codigo, arreglo(error, codigo, fuente))


def arreglo(error, codigo, fuente):
    """El arreglo de los errores que un principiante encuentra en esta lección, o None."""
    tipo = error.partition(':')[0].strip()
    if tipo == 'UnicodeDecodeError' and '0x80' in error:
        return ("modelo_trabajo.bin es binario (lo escribió pickle): ábrelo en modo 'rb', "
                "with open('modelo_trabajo.bin', 'rb') as f_in:, no en modo texto ('r' o sin modo).")
    if tipo == 'NameError' and (nombre := _NOMBRE.search(error)):
        return _arreglo_de_nombre(nombre[1], fuente)
    if any(s in error for s in ('No connection adapters', 'No scheme supplied', 'Invalid URL')):
        return f"a la URL le falta el esquema: escribe {URL_LECCION!r}, con http:// delante."
    if any(s in error for s in ('Connection refused', 'Max retries exceeded', 'NameResolutionError')):
        return f'la URL no lleva al servicio: usa {URL_LECCION!r}.'
    if tipo == 'TabError':
        return 'mezclas tabuladores y espacios en la sangría: usa solo espacios, 4 por nivel.'
    if tipo == 'IndentationError':
        if 'unexpected indent' in error:
            return ('esa línea tiene más sangría que la de arriba sin abrir un bloque: alinéala con su bloque '
                    '(4 espacios por nivel).')
        if 'expected an indented block' in error:
            return "después de una línea que termina en ':' va un bloque con 4 espacios más de sangría."
        return 'la sangría de esa línea no coincide con la de ningún bloque de arriba: usa 4 espacios por nivel.'
    if tipo == 'SyntaxError':
        return ("revisa esa línea y la de arriba: suele faltar ':' al final de def, if o with, "
                'o cerrar un paréntesis o una comilla.')
    if tipo == 'ModuleNotFoundError' and (modulo := _MODULO.search(error)):
        return (f"Python no encuentra el módulo {modulo[1]!r}: revisa cómo está escrito y ejecuta con el "
                'entorno del taller (source .venv/bin/activate).')
    return None


def _arreglo_de_nombre(nombre, fuente):
    if nombre == 'modelo' and re.search(r'\bmodel\b', fuente):
        return ("es la errata de la lección: carga con dv, modelo = pickle.load(f_in) (modelo, no model), "
                'el nombre que usa el resto del código.')
    if nombre == 'respuesta':
        return 'guarda lo que devuelve requests: respuesta = requests.post(url, json=cliente), y después usa respuesta.'
    identificadores = {t.string for t in _fichas(fuente) if t.type == tokenize.NAME
                       and not keyword.iskeyword(t.string) and t.string != nombre}
    parecidos = difflib.get_close_matches(nombre, identificadores, n=1, cutoff=0.75)
    if parecidos:
        return f'{nombre!r} no existe cuando se ejecuta esa línea: ¿querías escribir {parecidos[0]!r}?'
    return (f'{nombre!r} no existe cuando se ejecuta esa línea: defínelo antes (una variable que se crea '
            'más abajo, o dentro de otra función, no existe aquí).')


def _fichas(fuente):
    try:
        yield from tokenize.generate_tokens(io.StringIO(fuente).readline)
    except (tokenize.TokenError, SyntaxError):
        return
