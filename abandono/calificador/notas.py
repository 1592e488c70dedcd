"""La carpeta de notas de una clase (``notas_<clase>/``), que se escribe entera al lado y se cambia al final.

- ``calificaciones.csv``, ``informe.md``, ``grafico.png``, ``similitud.csv``,
  ``similitud.md`` y ``retroalimentacion/<archivo>.md``: su contenido lo arma ``informes``;
- ``detalle.json``: lo calificado de cada entrega, para recalificar una sola sin las demás;
- ``ajustes.csv``: los ajustes a mano del profesor (``ajustes``). Nada lo borra ni lo
  cambia: se crea con solo la cabecera la primera vez y cada calificación lo aplica;
- del aula virtual: ``moodle_calificaciones.csv`` (la hoja rellena) y
  ``moodle_retroalimentacion.zip``, o ``canvas_calificaciones.csv`` (el libro relleno).

Calificar la clase escribe todo en una carpeta nueva dentro de la de notas y, solo
cuando está entero, lo cambia por lo anterior: si algo falla, las notas anteriores
siguen intactas. Recalificar una entrega reescribe los resúmenes (cada archivo de una
vez) y su retroalimentación, y no toca la de nadie más.
"""
import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from abandono.calificador import ajustes as ajustes_
from abandono.calificador import informes
from abandono.calificador.aula import canvas, moodle
from abandono.calificador.aula.hoja import leer as leer_hoja
from abandono.calificador.nombres import archivo_de
from abandono.calificador.revision import Aviso
from abandono.calificador.similitud import Comparacion, Compartida, Par

DETALLE = 'detalle.json'
RETROALIMENTACION = 'retroalimentacion'
HOJA_MOODLE, ZIP_MOODLE = 'moodle_calificaciones.csv', 'moodle_retroalimentacion.zip'
HOJA_CANVAS = 'canvas_calificaciones.csv'
SALIDAS = ('calificaciones.csv', 'informe.md', 'grafico.png', 'similitud.csv', 'similitud.md', RETROALIMENTACION,
           DETALLE, HOJA_MOODLE, ZIP_MOODLE, HOJA_CANVAS)


@dataclass
class Notas:
    """Lo calificado de una clase: lo que guarda ``detalle.json``."""
    plataforma: str
    calificaciones: list
    pares: list = field(default_factory=list)
    segundos: float = 0.0
    fecha: str = field(default_factory=lambda: f'{datetime.now():%d/%m/%Y a las %H:%M}')
    aviso: str = ''
    recalificadas: list = field(default_factory=list)   # [[entrega, fecha]]
    tarea_canvas: str = ''                               # la cabecera de la columna del libro que se rellena

    def a_json(self):
        datos = dataclasses.asdict(self)
        # Los pares son una Comparacion: una lista con lo que mirar a mano y su aviso al lado.
        datos['pares'] = {'pares': datos['pares'], 'aviso': getattr(self.pares, 'aviso', ''),
                          'revisar': [dataclasses.asdict(a) for a in getattr(self.pares, 'revisar', ())]}
        datos['calificaciones'] = [{k: v for k, v in c.items() if k != 'ajustes'} for c in self.calificaciones]
        return json.dumps(datos, ensure_ascii=True, indent=1)

    @classmethod
    def de_json(cls, texto):
        datos = json.loads(texto)
        comparacion = datos.get('pares') or {}
        try:
            datos['pares'] = Comparacion(
                [Par(**{**p, 'lineas': tuple(Compartida(**l) for l in p['lineas'])}) for p in comparacion['pares']],
                [Aviso(**a) for a in comparacion['revisar']], comparacion['aviso'])
        except (TypeError, KeyError):   # un detalle.json de otra versión: se recalculan en la próxima clase entera
            datos['pares'] = Comparacion()
        return cls(**datos)


def leer(salida):
    """Las :class:`Notas` de ``salida``; ValueError en español si no hay o no se entienden."""
    try:
        return Notas.de_json((Path(salida) / DETALLE).read_text(encoding='utf-8'))
    except FileNotFoundError:
        raise ValueError(f'no hay notas anteriores en {salida} (falta {DETALLE}): califica antes la clase '
                         'entera') from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(f'no se entiende {Path(salida) / DETALLE} ({error}): califica otra vez la clase '
                         'entera') from None


def escribir_atomico(ruta, contenido):
    """Escribe en un temporal de la misma carpeta y lo cambia de una vez por ``ruta``."""
    ruta = Path(ruta)
    fd, temporal = tempfile.mkstemp(dir=ruta.parent, prefix='.escribiendo.')
    try:
        os.fchmod(fd, 0o644)   # como los demás archivos de las notas (mkstemp los crea 0600)
        with os.fdopen(fd, 'wb') as archivo:
            archivo.write(contenido if isinstance(contenido, bytes) else contenido.encode('utf-8'))
        os.replace(temporal, ruta)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporal)
        raise


def _aplicar_ajustes(salida, calificaciones):
    """Aplica ajustes.csv a las calificaciones; devuelve los errores de lo que no se aplicó."""
    texto, errores = ajustes_.plantilla(), []
    try:
        texto = (Path(salida) / ajustes_.ARCHIVO).read_text(encoding='utf-8')
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as error:
        errores.append(f'{ajustes_.ARCHIVO} no se pudo leer ({error})')
    lista, de_lectura = ajustes_.leer(texto)
    return errores + de_lectura + ajustes_.aplicar(calificaciones, lista, informes.calificados)


def _hoja_del_aula(notas, salida, hoja, tarea):
    """({archivo: bytes} del aula virtual, avisos). ``hoja``: la que se pasó, o la rellena de la vez anterior."""
    archivos, avisos = {}, []
    maximo = sum(informes.maximos().values())
    if notas.plataforma == 'moodle':
        archivos[ZIP_MOODLE] = moodle.zip_retroalimentacion(
            [(c['prefijo'], informes.retroalimentacion(c)) for c in notas.calificaciones if c.get('prefijo')])
    nombre = {'moodle': HOJA_MOODLE, 'canvas': HOJA_CANVAS}.get(notas.plataforma)
    origen = hoja or (Path(salida) / nombre if nombre and (Path(salida) / nombre).is_file() else None)
    if origen is None:
        return archivos, avisos
    try:
        return _rellenar(notas, archivos, avisos, nombre, leer_hoja(origen), hoja, tarea, maximo)
    except (OSError, ValueError) as error:
        if hoja is not None:   # la que se pasó ya se comprobó antes de calificar: un fallo aquí es de verdad
            raise
        # La rellena de la vez anterior es un extra: que no cueste las notas de la clase.
        return archivos, avisos + [f'{nombre} de la vez anterior no se rellenó ({error}); pasa la hoja con HOJA=']


def _rellenar(notas, archivos, avisos, nombre, rellenable, hoja, tarea, maximo):
    """Rellena la hoja de Moodle o el libro de Canvas con las notas; añade el archivo (y sus avisos)."""
    if notas.plataforma == 'moodle':
        valores = {c['id']: (informes.fila(c)['total'], informes.comentario(c)) for c in notas.calificaciones}
        rellenados = moodle.rellenar(rellenable, valores, maximo)
    else:
        if hoja is None and tarea is None and notas.tarea_canvas:   # el libro de la vez anterior, su columna
            indice = _indice(rellenable, notas.tarea_canvas)
        else:
            indice = canvas.columna(rellenable, tarea)
        notas.tarea_canvas = rellenable.celdas(0)[indice].strip()
        rellenados = canvas.rellenar(rellenable, {c['id']: informes.fila(c)['total'] for c in notas.calificaciones},
                                     maximo, indice)
    archivos[nombre] = rellenable.texto().encode('utf-8')
    fuera = [c['entrega'] for c in notas.calificaciones if c.get('id') and c['id'] not in rellenados]
    if fuera:
        avisos.append(f'{len(fuera)} entregas no están en la hoja del aula y no se rellenaron: ' + ', '.join(fuera))
    return archivos, avisos


def _indice(hoja, cabecera):
    """El índice de la columna ``cabecera`` en el libro."""
    return [c.strip() for c in hoja.celdas(0)].index(cabecera)


def _contenido(notas, salida, hoja=None, tarea=None):
    """({archivo: bytes} de la carpeta de notas, {archivo: texto} de retroalimentación, avisos)."""
    errores_de_ajustes = _aplicar_ajustes(salida, notas.calificaciones)
    archivos, avisos = _hoja_del_aula(notas, salida, hoja, tarea)
    retro = {archivo_de(c['entrega']): informes.retroalimentacion(c) for c in notas.calificaciones}
    archivos.update({
        'grafico.png': informes.grafico(notas.calificaciones),
        'similitud.csv': informes.similitud_csv(notas.pares).encode('utf-8'),
        'similitud.md': informes.similitud_md(notas.pares).encode('utf-8'),
        'informe.md': informes.informe(notas.calificaciones, notas.segundos, notas.pares, notas.aviso,
                                       fecha=notas.fecha, recalificadas=notas.recalificadas,
                                       ajustes_sin_aplicar=errores_de_ajustes, avisos=avisos).encode('utf-8'),
        'calificaciones.csv': informes.texto_csv(notas.calificaciones).encode('utf-8'),
        DETALLE: notas.a_json().encode('utf-8'),
    })
    return archivos, retro, errores_de_ajustes + avisos


def _cambiar(nuevas, salida):
    """Pone lo de ``nuevas`` en ``salida`` y quita de ella lo de una calificación anterior que ya no toca.

    Si algo falla a medias, lo anterior vuelve a su sitio: las notas de antes quedan como estaban.
    """
    viejas = Path(tempfile.mkdtemp(prefix='.viejas-', dir=salida))
    try:
        for nombre in SALIDAS:
            if os.path.lexists(salida / nombre):
                os.rename(salida / nombre, viejas / nombre)   # un archivo, una carpeta, un enlace o una FIFO
            if os.path.lexists(nuevas / nombre):
                os.rename(nuevas / nombre, salida / nombre)
    except BaseException:
        for nombre in SALIDAS:
            if os.path.lexists(viejas / nombre):
                if os.path.lexists(salida / nombre):
                    os.rename(salida / nombre, nuevas / nombre)
                os.rename(viejas / nombre, salida / nombre)
        raise
    finally:
        shutil.rmtree(viejas, ignore_errors=True)


def comprobar_hoja(plataforma, hoja, tarea=None):
    """ValueError en español si la hoja del aula no sirve: se mira antes de calificar nada."""
    if plataforma not in ('moodle', 'canvas'):
        raise ValueError('HOJA solo sirve con las entregas de Moodle o de Canvas (su zip, o sus carpetas): '
                         'una carpeta de clase no dice de qué estudiante del aula es cada entrega')
    rellenable = leer_hoja(Path(hoja))
    if plataforma == 'moodle':
        moodle.columnas(rellenable)
    else:
        canvas.columna(rellenable, tarea)


def escribir(salida, notas, hoja=None, tarea=None):
    """Escribe las notas de la clase entera en ``salida``; devuelve los avisos (ajustes y hoja del aula)."""
    salida = Path(salida)
    salida.mkdir(parents=True, exist_ok=True)
    if notas.plataforma == 'canvas' and not notas.tarea_canvas:
        # Sin HOJA ni TAREA se rellena el libro de la vez anterior: con la columna de la vez anterior.
        with contextlib.suppress(ValueError):
            notas.tarea_canvas = leer(salida).tarea_canvas
    archivos, retro, avisos = _contenido(notas, salida, hoja, tarea)
    nuevas = Path(tempfile.mkdtemp(prefix='.nuevas-', dir=salida))
    try:
        (nuevas / RETROALIMENTACION).mkdir()
        for archivo, texto in retro.items():
            (nuevas / RETROALIMENTACION / archivo).write_text(texto, encoding='utf-8')
        for nombre, contenido in archivos.items():
            (nuevas / nombre).write_bytes(contenido)
        _cambiar(nuevas, salida)
    finally:
        shutil.rmtree(nuevas, ignore_errors=True)
    if not (salida / ajustes_.ARCHIVO).exists():
        escribir_atomico(salida / ajustes_.ARCHIVO, ajustes_.plantilla())
    return avisos


def recalificar(salida, notas, calificacion, hoja=None, tarea=None):
    """Cambia en ``notas`` la calificación de una entrega y reescribe lo que depende de ella; devuelve los avisos.

    De la retroalimentación solo se escribe la suya: la de las demás entregas no se toca.
    """
    salida = Path(salida)
    notas.calificaciones = sorted([c for c in notas.calificaciones if c['entrega'] != calificacion['entrega']]
                                  + [calificacion], key=lambda c: c['entrega'])
    notas.recalificadas = [r for r in notas.recalificadas if r[0] != calificacion['entrega']]
    notas.recalificadas.append([calificacion['entrega'], f'{datetime.now():%d/%m/%Y a las %H:%M}'])
    archivos, retro, avisos = _contenido(notas, salida, hoja, tarea)
    (salida / RETROALIMENTACION).mkdir(exist_ok=True)
    archivo = archivo_de(calificacion['entrega'])
    escribir_atomico(salida / RETROALIMENTACION / archivo, retro[archivo])
    for nombre in ('grafico.png', ZIP_MOODLE, HOJA_MOODLE, HOJA_CANVAS, 'informe.md', 'calificaciones.csv', DETALLE):
        if nombre in archivos:
            escribir_atomico(salida / nombre, archivos[nombre])
    return avisos
