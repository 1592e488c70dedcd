"""Descargas de Moodle y de Canvas hechas como las hacen ellos, para las pruebas (ver aula/moodle.py y canvas.py).

- ``zip_moodle``: «Descargar todas las entregas», con carpetas (4.1 o anterior) o sin ellas;
- ``hoja_moodle``: la hoja de calificaciones en inglés o en español, con el BOM y las
  comillas de su escritor de CSV (OpenSpout: comillas en cada celda con espacios);
- ``zip_canvas``: «Descargar entregas», plano, con ``_late_`` y archivos vueltos a subir;
- ``libro_canvas``: el libro exportado, con su fila Points Possible.
"""
import stat
import zipfile
from pathlib import Path

CABECERA_MOODLE = {
    'en': ['Identifier', 'Full name', 'Email address', 'Status', 'Grade', 'Maximum grade', 'Grade can be changed',
           'Last modified (submission)', 'Last modified (grade)', 'Feedback comments'],
    'es': ['Identificador', 'Nombre completo', 'Dirección de correo', 'Estado', 'Calificación', 'Calificación máxima',
           'La calificación puede cambiarse', 'Última modificación (entrega)', 'Última modificación (calificación)',
           'Comentarios de retroalimentación'],
}
PARTICIPANTE = {'en': 'Participant ', 'es': 'Participante '}
ESTADO = {'en': ('Submitted for grading', 'No submission'), 'es': ('Enviado para calificar', 'Sin entrega')}
FECHA = {'en': 'Monday, 1 December 2025, 10:00 AM', 'es': 'lunes, 1 de diciembre de 2025, 10:00'}


def _celda_php(valor):
    """Como la escribe el CSV de Moodle: entre comillas si lleva espacios, comas, comillas o saltos."""
    if any(c in valor for c in ' ,"\n\r\t'):
        return '"' + valor.replace('"', '""') + '"'
    return valor


def hoja_moodle(estudiantes, idioma='en', maxima='16.00'):
    """``estudiantes``: [(participante, nombre, correo, entregó)]. El texto de la hoja, con su BOM."""
    entregado, sin_entrega = ESTADO[idioma]
    filas = [CABECERA_MOODLE[idioma]]
    for participante, nombre, correo, entrego in estudiantes:
        filas.append([f'{PARTICIPANTE[idioma]}{participante}', nombre, correo, entregado if entrego else sin_entrega,
                      '', maxima, 'Yes' if idioma == 'en' else 'Sí', FECHA[idioma] if entrego else '-', '-', ''])
    return '\ufeff' + ''.join(','.join(_celda_php(c) for c in fila) + '\n' for fila in filas)


def _archivos(carpeta):
    return sorted((p.relative_to(carpeta).as_posix(), p) for p in Path(carpeta).rglob('*') if p.is_file())


def zip_moodle(destino, entregas, carpetas=True, final='', extra=()):
    """``entregas``: {(nombre completo, participante): carpeta}; ``final``: '_' como hasta Moodle 4.0.

    ``extra``: [(ZipInfo o nombre, bytes)] que se añaden tal cual (entradas hostiles).
    """
    with zipfile.ZipFile(destino, 'w', zipfile.ZIP_DEFLATED) as archivo:
        for (nombre, participante), carpeta in entregas.items():
            prefijo = f"{nombre.replace('_', ' ')}_{participante}_assignsubmission_file"
            for ruta, origen in _archivos(carpeta):
                archivo.write(origen, f'{prefijo}{final}/{ruta}' if carpetas else f'{prefijo}_{ruta}')
        for info, datos in extra:
            archivo.writestr(info, datos)
    return destino


def zip_canvas(destino, entregas, tarde=(), repetidos=(), extra=()):
    """``entregas``: {(nombre, usuario): carpeta}; los de ``tarde`` llevan _late_ y los de ``repetidos``,
    sus archivos vueltos a subir (``servicio1-1.py``) junto a la versión anterior, con número de archivo menor."""
    numero = 9000
    with zipfile.ZipFile(destino, 'w', zipfile.ZIP_DEFLATED) as archivo:
        for (nombre, usuario), carpeta in entregas.items():
            prefijo = f"{nombre}{'_late' if (nombre, usuario) in tarde else ''}_{usuario}"
            for ruta, origen in _archivos(carpeta):
                if (nombre, usuario) in repetidos:
                    archivo.writestr(f'{prefijo}_{numero}_{ruta}', 'raise SystemExit("la versión anterior")\n')
                    numero += 1
                    base, _, extension = ruta.rpartition('.')
                    ruta = f'{base}-1.{extension}'
                archivo.write(origen, f'{prefijo}_{numero}_{ruta}')
                numero += 1
        for info, datos in extra:
            archivo.writestr(info, datos)
    return destino


def libro_canvas(estudiantes, tareas=(('Despliegue con Flask', 4242),), puntos='16.00', separador=','):
    """``estudiantes``: [(nombre de orden, usuario, login)]. El libro como lo exporta Canvas (sin BOM)."""
    def fila(celdas):
        return separador.join(f'"{c}"' if separador in c or '"' in c else c for c in celdas) + '\n'
    cabecera = ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', *(f'{t} ({i})' for t, i in tareas),
                'Current Score', 'Unposted Current Score', 'Final Score', 'Unposted Final Score']
    texto = fila(cabecera)
    texto += fila(['    Points Possible', '', '', '', '', *([puntos] * len(tareas)), *(['(read only)'] * 4)])
    for nombre, usuario, login in estudiantes:
        texto += fila([nombre, str(usuario), '', login, 'Sección 1', *([''] * len(tareas)), '', '', '', ''])
    return texto


def entrada_especial(nombre, modo):
    """Una entrada de zip con el modo de Unix ``modo`` (un enlace simbólico, una FIFO...)."""
    info = zipfile.ZipInfo(nombre)
    info.create_system = 3
    info.external_attr = (modo | 0o777) << 16
    return info


def enlace(nombre):
    return entrada_especial(nombre, stat.S_IFLNK)


def bomba(destino, megas=700, nombre='servicio1.py'):
    """Un zip con un archivo de ``megas`` MB de ceros (ocupa menos de 1 MB), escrito a trozos."""
    with zipfile.ZipFile(destino, 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as archivo:
        with archivo.open(nombre, 'w', force_zip64=True) as dentro:
            ceros = bytes(1024 ** 2)
            for _ in range(megas):
                dentro.write(ceros)
    return destino
