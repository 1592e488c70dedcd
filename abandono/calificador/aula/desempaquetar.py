"""Desempaquetar sin riesgo un zip que no es de fiar: el del aula virtual, o el que sube un estudiante.

Cada entrada va a la carpeta de su entrega (la elige ``clasificar``, de la plataforma),
y solo si:

- su ruta no sale de esa carpeta: ni ``..``, ni absoluta, ni letra de unidad («zip slip»);
- es un archivo normal: los enlaces simbólicos y los archivos especiales (FIFO,
  dispositivos) del zip no se crean ni se siguen, y nada se escribe a través de un
  enlace (``O_NOFOLLOW``, ``O_EXCL``);
- cabe en los topes de su entrega: ``TOPE_BYTES`` descomprimidos y ``TOPE_ARCHIVOS``.
  Se comprueban con lo que declara el zip antes de escribir nada, y se vuelven a
  contar al escribir, porque un zip puede mentir.

Una entrega que no cabe no se desempaqueta y lleva un error en español que dice por
qué; las demás siguen. Si una entrega no trae ningún archivo de los ejercicios y sí
un zip (el estudiante subió su carpeta comprimida), ese zip se desempaqueta también,
un nivel y con lo que le quede de los mismos topes, sin su carpeta de arriba si todo
viene dentro de una. Las entradas que deja macOS (``__MACOSX/``, ``.DS_Store``) no cuentan.
"""
import os
import re
import shutil
import stat
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass

from abandono.calificador.ejercicios import ARCHIVOS

TOPE_BYTES = 8 * 1024 ** 2   # por entrega, descomprimida: los tres archivos de la lección ocupan unos 10 kB
TOPE_ARCHIVOS = 300          # por entrega
_PROFUNDIDAD = 8             # carpetas dentro de la de la entrega
_TROZO = 64 * 1024


@dataclass(frozen=True)
class Destino:
    """Adónde va una entrada del zip, según la plataforma."""
    entrega: str          # el nombre de la entrega
    ruta: str             # dentro de su carpeta
    id: str = ''          # el número del aula virtual
    prefijo: str = ''     # Moodle: el de sus archivos, para devolverle la retroalimentación
    tarde: bool = False   # Canvas: entregada tarde
    orden: int = 0        # de dos entradas con la misma ruta se queda la de orden mayor (la más reciente)


class _Tope(Exception):
    """La entrega pasó de sus topes al escribir."""


def _basura(ruta):
    return ruta.startswith('__MACOSX/') or ruta.rsplit('/', 1)[-1] in ('.DS_Store', 'Thumbs.db')


def ruta_segura(ruta):
    """(ruta normalizada, None) o (None, por qué no se desempaqueta) de una ruta dentro de la carpeta."""
    partes = [p for p in ruta.split('/') if p not in ('', '.')]
    if ruta.startswith('/') or re.match(r'[A-Za-z]:', ruta):
        return None, 'es una ruta absoluta'
    if '..' in partes:
        return None, 'sale de su carpeta (..)'
    if not partes or '\0' in ruta:
        return None, 'no tiene un nombre válido'
    if len(partes) > _PROFUNDIDAD or any(len(p.encode('utf-8', 'surrogateescape')) > 255 for p in partes):
        return None, 'tiene una ruta demasiado larga'
    return '/'.join(partes), None


def _tipo_especial(info):
    """'un enlace simbólico', 'un archivo especial' o None si es un archivo normal."""
    modo = info.external_attr >> 16
    if stat.S_ISLNK(modo):
        return 'un enlace simbólico'
    if stat.S_IFMT(modo) and not stat.S_ISREG(modo) and not stat.S_ISDIR(modo):
        return 'un archivo especial'
    return None


def _megas(n):
    return f'{n / 1024 ** 2:.1f}'.replace('.', ',') + ' MB'


class Presupuesto:
    """Lo que le queda a una entrega de sus topes."""

    def __init__(self):
        self.bytes, self.archivos = TOPE_BYTES, TOPE_ARCHIVOS

    def reservar(self, archivos, bytes_declarados):
        """Descuenta ``archivos``; por qué no caben, si no caben, según lo que declara el zip."""
        if archivos > self.archivos:
            return f'trae {archivos} archivos y el tope es {TOPE_ARCHIVOS} por entrega'
        if bytes_declarados > self.bytes:
            return f'descomprimida ocuparía {_megas(bytes_declarados)} y el tope es {_megas(TOPE_BYTES)} por entrega'
        self.archivos -= archivos
        return None

    def gastar(self, n):
        self.bytes -= n
        if self.bytes < 0:
            raise _Tope(f'descomprimida ocupa más de {_megas(TOPE_BYTES)}, el tope por entrega, aunque el zip '
                        'declaraba menos')


def _validas(entradas, avisos):
    """Las (ZipInfo, ruta) que se pueden escribir; lo que no, con su aviso. La de mayor orden gana en cada ruta."""
    vistas, validas = set(), []
    for info, destino in sorted(entradas, key=lambda e: -e[1].orden):
        ruta, problema = ruta_segura(destino.ruta)
        if problema is None and (tipo := _tipo_especial(info)):
            problema = f'es {tipo} en el zip: no se creó ni se siguió'
        if problema:
            avisos.append(f'«{destino.ruta}» {problema}.')
        elif ruta in vistas:
            avisos.append(f'«{destino.ruta}» venía dos veces: cuenta la más reciente.')
        else:
            vistas.add(ruta)
            validas.append((info, ruta))
    return validas


def _escribir(archivo_zip, validas, carpeta, presupuesto, avisos):
    """Escribe cada entrada en ``carpeta``; _Tope si la entrega se pasa de bytes al escribir."""
    for info, ruta in validas:
        destino = os.path.join(carpeta, ruta)
        try:
            os.makedirs(os.path.dirname(destino), exist_ok=True)
            fd = os.open(destino, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            avisos.append(f'«{ruta}» no se pudo crear ({error.strerror}).')
            continue
        try:
            with os.fdopen(fd, 'wb') as salida, archivo_zip.open(info) as entrada:
                while trozo := entrada.read(_TROZO):
                    presupuesto.gastar(len(trozo))
                    salida.write(trozo)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as error:
            os.unlink(destino)
            avisos.append(f'«{ruta}» no se pudo leer del zip ({error}).')


def _sin_carpeta_comun(rutas):
    """Las rutas sin su primera carpeta, si todas están dentro de la misma."""
    primeras = {r.split('/', 1)[0] for r in rutas}
    if len(primeras) == 1 and all('/' in r for r in rutas):
        return [r.split('/', 1)[1] for r in rutas]
    return rutas


def _zip_de_dentro(carpeta, presupuesto, avisos):
    """Desempaqueta en ``carpeta`` los zip que subió el estudiante, si no trajo ningún archivo de los ejercicios."""
    if any(os.path.isfile(os.path.join(carpeta, a)) for a in ARCHIVOS):
        return None
    for nombre in sorted(os.listdir(carpeta)):
        ruta = os.path.join(carpeta, nombre)
        if not nombre.lower().endswith('.zip') or not os.path.isfile(ruta) or os.path.islink(ruta):
            continue
        try:
            with zipfile.ZipFile(ruta) as interior:
                infos = [i for i in interior.infolist()
                         if not i.is_dir() and not _basura(i.filename.replace('\\', '/'))]
                rutas = _sin_carpeta_comun([i.filename.replace('\\', '/') for i in infos])
                validas = _validas([(i, Destino('', r)) for i, r in zip(infos, rutas)], avisos)
                error = presupuesto.reservar(len(validas), sum(i.file_size for i, _ in validas))
                if error:
                    return f'con lo que trae {nombre}, {error}'
                _escribir(interior, validas, carpeta, presupuesto, avisos)
        except (zipfile.BadZipFile, OSError, RuntimeError) as error:
            avisos.append(f'«{nombre}» no se pudo abrir como zip ({error}).')
            continue
        os.unlink(ruta)
    return None


class ZipDeClase:
    """El zip de una clase, con sus entradas repartidas por entrega según ``clasificar``."""

    def __init__(self, ruta, clasificar):
        self._zip = zipfile.ZipFile(ruta)   # BadZipFile u OSError si no es un zip: quien abre lo explica
        self.entradas = defaultdict(list)   # entrega -> [(ZipInfo, Destino)]
        self.ignoradas = 0
        for info in self._zip.infolist():
            nombre = info.filename.replace('\\', '/')
            if info.is_dir() or _basura(nombre):
                continue
            destino = clasificar(nombre)
            if destino is None:
                self.ignoradas += 1
            else:
                self.entradas[destino.entrega].append((info, destino))

    def cerrar(self):
        self._zip.close()

    def extraer(self, entrega, carpeta):
        """(avisos, error) de desempaquetar ``entrega`` en ``carpeta`` (que no existe); sin carpeta si hay error."""
        avisos, presupuesto = [], Presupuesto()
        validas = _validas(self.entradas[entrega], avisos)
        error = presupuesto.reservar(len(validas), sum(i.file_size for i, _ in validas))
        if error is None:
            os.makedirs(carpeta)
            try:
                _escribir(self._zip, validas, carpeta, presupuesto, avisos)
                error = _zip_de_dentro(carpeta, presupuesto, avisos)
            except _Tope as tope:
                error = str(tope)
            if error:
                shutil.rmtree(carpeta)
        if error:
            error = (f'La entrega no se desempaquetó ni se calificó: {error}. Entrega solo los archivos de los '
                     f'ejercicios ({", ".join(ARCHIVOS)}).')
        return avisos, error
