"""La zona aislada de una entrega: una copia temporal y los procesos que la ejecutan.

El código del estudiante no es de fiar. Nunca se importa en el proceso de
pytest: cada archivo se ejecuta con ``abandono.calificador.ejecutor`` en su
propio proceso (con los límites de ``limites``), con la carpeta de trabajo en
una copia temporal de la entrega y ``HOME`` y ``TMPDIR`` dentro de la zona, de
modo que lo que escriba con rutas relativas o en su casa se borra al terminar.
En la copia se pone el ``modelo_trabajo.bin`` de referencia (y su huella): se
califica su código, no su modelo.
"""
import json
import shutil
import sys
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from abandono.calificador import limites
from abandono.integridad import RUTA_MODELO, ruta_huella
from abandono.lanzador import NoArranca, en_marcha, puerto_libre

_PAQUETE = Path(__file__).resolve().parents[1]  # abandono/


@dataclass
class Ejecucion:
    """Lo que dejó un archivo del estudiante al ejecutarse."""
    archivo: str
    hechos: dict | None  # None: el proceso murió sin escribirlos
    url: str | None      # la aplicación servida, si la había y arrancó
    salida: str          # lo que imprimió el proceso si no llegó a servir


class Zona:
    def __init__(self, entrega, base):
        self.base = Path(base)
        self.carpeta = self.base / 'entrega'
        shutil.copytree(entrega, self.carpeta, ignore=self._ignorar)
        for ruta in (RUTA_MODELO, ruta_huella(RUTA_MODELO)):
            shutil.copy(ruta, self.carpeta / Path(ruta).name)
        for nombre in ('casa', 'tmp'):
            (self.base / nombre).mkdir()
        # Solo el paquete abandono queda a la vista del hijo: ni solutions/ ni el resto del repositorio.
        (self.base / 'lib').mkdir()
        (self.base / 'lib' / 'abandono').symlink_to(_PAQUETE)

    @staticmethod
    def _ignorar(carpeta, nombres):
        # Ni enlaces (podrían apuntar fuera de la entrega) ni modelos propios ni cachés.
        return [n for n in nombres if Path(carpeta, n).is_symlink() or n.endswith('.bin')
                or n in ('__pycache__', '.git', '.ipynb_checkpoints')]

    def entorno(self, **extra):
        return {
            'HOME': str(self.base / 'casa'), 'TMPDIR': str(self.base / 'tmp'),
            'PYTHONPATH': str(self.base / 'lib'), 'PYTHONDONTWRITEBYTECODE': '1', 'PYTHONNOUSERSITE': '1',
            'FLASK_DEBUG': '0', 'OPENBLAS_NUM_THREADS': '1', 'OMP_NUM_THREADS': '1', **extra,
        }

    def escribir_json(self, nombre, datos):
        ruta = self.base / nombre
        ruta.write_text(json.dumps(datos), encoding='utf-8')
        return ruta

    @contextmanager
    def ejecutar(self, archivo, *opciones, **entorno):
        """Ejecuta ``archivo`` de la entrega y da su :class:`Ejecucion` mientras su app sigue servida."""
        puerto = puerto_libre()
        hechos = self.base / f'hechos_{Path(archivo).stem}.json'
        orden = [sys.executable, '-m', 'abandono.calificador.ejecutor', archivo,
                 '--hechos', str(hechos), '--puerto', str(puerto), *map(str, opciones)]
        with ExitStack() as pila:
            try:
                url = pila.enter_context(en_marcha(orden, puerto, cwd=self.carpeta,
                                                   env=self.entorno(**entorno), espera=limites.ARRANQUE))
                salida = ''
            except NoArranca as error:
                # Lo normal si el archivo no tiene aplicación que servir (o si falló antes).
                url, salida = None, str(error)
            datos = json.loads(hechos.read_text(encoding='utf-8')) if hechos.exists() else None
            yield Ejecucion(archivo, datos, url, salida)
