"""Canvas: «Descargar entregas» y el libro de calificaciones exportado.

Los formatos, comprobados en el código de Canvas (``instructure/canvas-lms``):

- **El zip** (``lib/content_zipper.rb``). Es plano: cada archivo se llama
  ``<nombre>[_LATE]_<usuario>_<archivo>_<nombre del archivo>``, con el nombre de orden
  («apellidonombre») sin signos y en minúsculas (``LATE`` también sale en minúsculas),
  el número del estudiante y el del archivo subido; con la calificación anónima, sin
  nombre. Si el estudiante vuelve a subir un archivo que ya tenía, Canvas le añade
  ``-1``, ``-2``… antes de la extensión (``Attachment.make_unique_filename``):
  ``servicio1-1.py`` cuenta como ``servicio1.py``, y si llegan los dos, el más reciente
  (el de número de archivo mayor). Las entregas de texto o de URL
  (``…_text.html``, ``…_link.html``) no son archivos y no se califican.
- **El libro** (``lib/gradebook_exporter.rb``; lo lee ``lib/gradebook_importer.rb``).
  Cabecera ``Student,ID,SIS User ID,SIS Login ID,Section,<Tarea> (<id>),…``, con coma
  o punto y coma, y una fila ``Points Possible`` con los puntos de cada tarea. Canvas
  casa cada fila con su estudiante por la columna ``ID``.
"""
import re

from abandono.calificador.aula.desempaquetar import Destino
from abandono.calificador.aula.hoja import nota_para
from abandono.calificador.ejercicios import ARCHIVOS

_ENTRADA = re.compile(r'(?:(?P<nombre>.*?)_)?(?P<tarde>late_)?(?P<id>\d+)_(?P<archivo>\d+)_(?P<ruta>.+)',
                      re.IGNORECASE | re.DOTALL)
_REPETIDO = re.compile(r'(?P<base>.+)-\d+(?P<extension>\.[^.]*)?')
_TAREA = re.compile(r'(?P<titulo>.*) \((?P<id>\d+)\)')
PUNTOS_POSIBLES = 'Points Possible'


def sin_repeticion(nombre):
    """``servicio1-1.py`` -> ``servicio1.py``, si ese es un archivo de los ejercicios; si no, el nombre tal cual."""
    encaje = _REPETIDO.fullmatch(nombre)
    original = encaje and encaje['base'] + (encaje['extension'] or '')
    return original if original in ARCHIVOS else nombre


def clasificar(ruta):
    """El :class:`Destino` de una entrada del zip de Canvas, o None si no es un archivo entregado."""
    encaje = _ENTRADA.fullmatch(ruta)
    if '/' in ruta or not encaje:
        return None
    nombre = f"{encaje['nombre']}_{encaje['id']}" if encaje['nombre'] else encaje['id']
    return Destino(nombre, sin_repeticion(encaje['ruta']), id=encaje['id'], tarde=bool(encaje['tarde']),
                   orden=int(encaje['archivo']))


def tareas(hoja, tarea=None):
    """{índice: cabecera} de las columnas de tareas del libro (``<Tarea> (<id>)``); con ``tarea``, solo esa."""
    elegidas = {}
    for indice, cabecera in enumerate(c.strip() for c in (hoja.celdas(0) if len(hoja) else [])):
        encaje = _TAREA.fullmatch(cabecera)
        if encaje and (tarea is None or str(tarea).strip() in (encaje['id'], encaje['titulo'])):
            elegidas[indice] = cabecera
    return elegidas


def columna(hoja, tarea=None):
    """El índice de la columna de la tarea ``tarea`` (su número o su título), o de la única que hay.

    ValueError en español si el libro no tiene la columna ID, ni esa tarea, o tiene
    varias y no se dijo cuál.
    """
    if len(hoja) == 0 or 'ID' not in [c.strip() for c in hoja.celdas(0)]:
        raise ValueError('el libro no tiene la columna ID: exporta el libro de calificaciones de Canvas '
                         '(Calificaciones > Exportar) y pásalo sin cambiarlo')
    elegidas = tareas(hoja, tarea)
    if len(elegidas) == 1:
        return next(iter(elegidas))
    todas = ', '.join(f'«{c}»' for c in tareas(hoja).values()) or 'ninguna'
    if tarea is not None:
        raise ValueError(f'el libro no tiene la tarea «{tarea}»; tiene {todas}')
    raise ValueError(f'el libro tiene {len(elegidas) or "cero"} tareas ({todas}): di cuál con TAREA=<su número>')


def rellenar(hoja, notas, maximo, indice):
    """Escribe en la columna ``indice`` las ``notas`` ({usuario: total de ``maximo``}); devuelve los rellenados.

    La nota se escala a los puntos de la tarea (la fila Points Possible); las demás
    filas y columnas quedan como llegaron.
    """
    cabecera = [c.strip() for c in hoja.celdas(0)]
    id_ = cabecera.index('ID')
    filas = [hoja.celdas(f) for f in range(len(hoja))]
    posibles = next((f for f in filas[1:] if f and PUNTOS_POSIBLES in f[0]), [])
    maxima = posibles[indice] if indice < len(posibles) else ''
    rellenados = set()
    for numero, celdas in enumerate(filas[1:], start=1):
        usuario = celdas[id_].strip() if id_ < len(celdas) else ''
        if usuario in notas:
            hoja.poner(numero, indice, nota_para(notas[usuario], maximo, maxima))
            rellenados.add(usuario)
    return rellenados
