"""Moodle: «Descargar todas las entregas», la hoja de calificaciones y el zip de retroalimentación.

Los formatos, comprobados en el código de Moodle (``mod/assign``):

- **El zip** (``classes/downloader.php``; antes de 4.1, ``download_submissions`` de
  ``locallib.php``). Cada estudiante es un prefijo ``<Nombre completo>_<participante>``,
  donde Moodle cambia los ``_`` del nombre por espacios y ``<participante>`` es su
  número en la tarea (``get_uniqueid_for_user``). Con «Descargar entregas en carpetas»
  (lo normal desde 3.1) sus archivos van en la carpeta
  ``<prefijo>_assignsubmission_file`` (con un ``_`` final hasta 4.0); sin carpetas, cada
  archivo lleva delante ``<prefijo>_assignsubmission_file_``. Lo de otros complementos
  (``assignsubmission_onlinetext``, el texto en línea) no se califica.
- **La hoja** («Descargar hoja de calificaciones», ``gradingtable.php``; la lee
  ``feedback/offline/importgradeslib.php``). Sus columnas llevan el nombre en el idioma
  de quien la descarga, y al subirla Moodle las busca por esos nombres: la de
  identificador tiene «Participant 1234» («Participante 1234»), y de cada fila lee
  la nota (con la coma o el punto decimal de su idioma, ``unformat_float``) y los
  comentarios. Moodle se salta la nota que pasa del máximo de la tarea, por eso se escala.
- **La retroalimentación** (``feedback/file/importziplib.php``, «Subir varios archivos
  de retroalimentación en un zip»). Moodle parte cada nombre por ``_`` en cinco trozos:
  nombre, participante, tipo y nombre del complemento y el archivo; basta con el
  prefijo de la descarga delante del nombre del archivo.
"""
import io
import re
import zipfile

from abandono.calificador.aula.desempaquetar import Destino
from abandono.calificador.aula.hoja import nota_para

COMPLEMENTO = 'assignsubmission_file'
ARCHIVO_RETROALIMENTACION = 'retroalimentacion.md'
_PREFIJO = re.compile(r'(?P<nombre>[^_/]*)_(?P<id>\d+)_assignsubmission_(?P<tipo>[a-z]+)')
# Cada columna que se usa, con su nombre en inglés y en español (los paquetes de idioma es y es_mx).
COLUMNAS = {
    'identificador': ('Identifier', 'Identificador'),
    'nota': ('Grade', 'Calificación'),
    'maxima': ('Maximum grade', 'Calificación máxima'),
    'comentarios': ('Feedback comments', 'Comentarios de retroalimentación'),
}


def _destino(encaje, ruta):
    if encaje['tipo'] != 'file':
        return None   # texto en línea u otro complemento: no son archivos de la entrega
    return Destino(f"{encaje['nombre']}_{encaje['id']}", ruta, id=encaje['id'], prefijo=encaje[0])


def clasificar(ruta):
    """El :class:`Destino` de una entrada del zip de Moodle, o None si no es un archivo entregado."""
    primera, barra, resto = ruta.partition('/')
    encaje = _PREFIJO.match(primera)
    if not encaje:
        return None
    cola = primera[encaje.end():]
    if barra:
        return _destino(encaje, resto) if cola in ('', '_') else None    # carpeta (con _ final hasta 4.0)
    return _destino(encaje, cola[1:]) if cola.startswith('_') and len(cola) > 1 else None   # sin carpetas


def de_carpeta(nombre):
    """El :class:`Destino` de una carpeta del zip de Moodle ya desempaquetado, o None."""
    encaje = _PREFIJO.fullmatch(nombre.removesuffix('_'))
    return _destino(encaje, '') if encaje else None


def columnas(hoja):
    """{columna: índice} de la hoja; ValueError en español si le falta una de las que se usan."""
    cabecera = [c.strip().casefold() for c in hoja.celdas(0)] if len(hoja) else []
    indices = {clave: next((i for i, c in enumerate(cabecera) if c in {n.casefold() for n in nombres}), None)
               for clave, nombres in COLUMNAS.items()}
    for clave in ('identificador', 'nota', 'maxima'):
        if indices[clave] is None:
            raise ValueError(f'la hoja no tiene la columna «{COLUMNAS[clave][0]}» («{COLUMNAS[clave][1]}»): '
                             'descarga la hoja de calificaciones de Moodle (en inglés o en español) de una tarea '
                             'calificada con puntos, no con una escala')
    return indices


def _celda(celdas, indice):
    return celdas[indice] if indice is not None and indice < len(celdas) else None


def rellenar(hoja, notas, maximo):
    """Rellena la hoja con ``notas`` ({participante: (total, comentario)}); devuelve los participantes rellenados.

    Solo cambian la nota (``total`` de ``maximo``, en la escala de la tarea) y los
    comentarios de las filas de esas entregas; lo demás queda como llegó.
    """
    indices = columnas(hoja)
    rellenados = set()
    for fila in range(1, len(hoja)):
        celdas = hoja.celdas(fila)
        identificador = re.search(r'(\d+)\s*$', _celda(celdas, indices['identificador']) or '')
        maxima = _celda(celdas, indices['maxima'])
        if not identificador or identificador[1] not in notas or maxima is None:
            continue
        total, comentario = notas[identificador[1]]
        hoja.poner(fila, indices['nota'], nota_para(total, maximo, maxima))
        if indices['comentarios'] is not None:
            hoja.poner(fila, indices['comentarios'], comentario)
        rellenados.add(identificador[1])
    return rellenados


def zip_retroalimentacion(retroalimentaciones):
    """El zip para «Subir varios archivos de retroalimentación»: ``[(prefijo, texto)]`` -> bytes."""
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, 'w', zipfile.ZIP_DEFLATED) as archivo:
        for prefijo, texto in retroalimentaciones:
            archivo.writestr(f'{prefijo}_{ARCHIVO_RETROALIMENTACION}', texto)
    return salida.getvalue()
