"""Las entregas de una clase, vengan de una carpeta o del aula virtual (Moodle o Canvas).

- Una carpeta con una subcarpeta por estudiante (el clon de GitHub Classroom de cada
  repositorio, o el zip de Moodle ya desempaquetado): cada subcarpeta es una entrega.
- El zip de «Descargar todas las entregas» de Moodle (``moodle``) o de «Descargar
  entregas» de Canvas (``canvas``), tal como llega: la plataforma se reconoce por los
  nombres de sus entradas, y el zip se desempaqueta sin riesgo (``desempaquetar``) en
  una carpeta privada, una subcarpeta por entrega con el nombre de su archivo de
  retroalimentación (``nombres.archivo_de``).

La hoja de calificaciones de cada plataforma se rellena en ``hoja`` y su módulo.
"""
import difflib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from abandono.calificador.aula import canvas, moodle
from abandono.calificador.aula.desempaquetar import ZipDeClase
from abandono.calificador.ejercicios import ARCHIVOS
from abandono.calificador.nombres import archivo_de, buscar

PLATAFORMAS = {'moodle': moodle, 'canvas': canvas}


class NoSePuede(Exception):
    """Por qué no se puede calificar lo que se pidió, en español; no se escribió nada."""


@dataclass
class Entrega:
    nombre: str                  # el que se muestra: la carpeta, o el del aula virtual
    carpeta: Path | None = None  # None si no se pudo desempaquetar (``error`` dice por qué)
    id: str = ''                 # Moodle: el participante; Canvas: el usuario
    prefijo: str = ''            # Moodle: el de sus archivos en el zip
    tarde: bool = False          # Canvas: entregada tarde
    avisos: list = field(default_factory=list)
    error: str | None = None


@dataclass
class Clase:
    plataforma: str              # 'carpeta', 'moodle' o 'canvas'
    entregas: list
    ignoradas: int = 0           # entradas del zip que no son archivos entregados


def es_una_entrega(carpeta):
    return any((Path(carpeta) / a).exists() for a in ARCHIVOS)


def subcarpetas(carpeta):
    return sorted(p for p in Path(carpeta).iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith('.') and p.name != '__MACOSX')


def _de_carpeta(carpeta):
    if es_una_entrega(carpeta):
        tiene = ', '.join(a for a in ARCHIVOS if (carpeta / a).exists())
        raise NoSePuede(f'{carpeta} parece UNA entrega (tiene {tiene}), no una clase. Para una entrega usa '
                        '"make comprobar CARPETA=..."; para una clase, pon cada entrega en su propia subcarpeta.')
    carpetas = subcarpetas(carpeta)
    if not carpetas:
        raise NoSePuede(f'{carpeta} no tiene subcarpetas: cada entrega va en su propia subcarpeta (o pasa el zip '
                        'de Moodle o de Canvas tal como lo descargaste).')
    de_moodle = [moodle.de_carpeta(c.name) for c in carpetas]
    if all(de_moodle):
        return Clase('moodle', [Entrega(d.entrega, c, id=d.id, prefijo=d.prefijo) for c, d in zip(carpetas, de_moodle)])
    return Clase('carpeta', [Entrega(c.name, c) for c in carpetas])


def _plataforma(origen):
    try:
        with zipfile.ZipFile(origen) as archivo:
            nombres = [i.filename.replace('\\', '/') for i in archivo.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        raise NoSePuede(f'{origen} no es una carpeta ni un zip que se pueda abrir ({error}).') from None
    votos = {p: sum(m.clasificar(n) is not None for n in nombres) for p, m in PLATAFORMAS.items()}
    elegida = max(votos, key=votos.get)
    if not votos[elegida]:
        raise NoSePuede(f'{origen} no parece la descarga de entregas de Moodle ni de Canvas: ninguna entrada se '
                        'llama como ellas las llaman (docs/profesorado.md). Pásalo tal como lo descargaste, o '
                        'desempaquétalo con una subcarpeta por entrega.')
    return elegida


def _elegir(entregas, solo, origen):
    encontradas = buscar(solo, [{'entrega': e.nombre, 'id': e.id} for e in entregas])
    if len(encontradas) == 1:
        return [e for e in entregas if e.nombre == encontradas[0]['entrega']]
    if encontradas:
        raise NoSePuede(f'«{solo}» puede ser {len(encontradas)} entregas; usa el nombre de su archivo de '
                        'retroalimentación.')
    parecidas = difflib.get_close_matches(solo, [e.nombre for e in entregas], n=3, cutoff=0.5)
    raise NoSePuede(f'en {origen} no hay ninguna entrega «{solo}»'
                    + (f"; ¿quisiste decir {', '.join(f'«{p}»' for p in parecidas)}?" if parecidas else '.'))


def abrir(origen, privada, solo=None):
    """La :class:`Clase` de ``origen``; los zip, desempaquetados en ``privada``. Con ``solo``, esa entrega."""
    origen = Path(origen)
    if origen.is_dir():
        clase = _de_carpeta(origen)
        if solo is not None:
            clase.entregas = _elegir(clase.entregas, solo, origen)
        return clase
    plataforma = _plataforma(origen)
    zip_ = ZipDeClase(origen, PLATAFORMAS[plataforma].clasificar)
    try:
        entregas = [Entrega(nombre, id=destinos[0][1].id, prefijo=destinos[0][1].prefijo,
                            tarde=any(d.tarde for _, d in destinos))
                    for nombre, destinos in sorted(zip_.entradas.items())]
        if solo is not None:
            entregas = _elegir(entregas, solo, origen)
        for entrega in entregas:
            carpeta = Path(privada) / archivo_de(entrega.nombre)[:-3]
            entrega.avisos, entrega.error = zip_.extraer(entrega.nombre, carpeta)
            entrega.carpeta = None if entrega.error else carpeta
    finally:
        zip_.cerrar()
    return Clase(plataforma, entregas, zip_.ignoradas)
