"""make cuadernos: vuelve a ejecutar los cuadernos y guarda sus salidas (para quien mantiene el taller).

    python -m abandono.cuadernos.ejecutar            # todos
    python -m abandono.cuadernos.ejecutar 06 A2      # los que empiezan así

Se ejecutan como los ve quien acaba de llegar: en una copia del taller (lo que
sigue git y el modelo_trabajo.bin de aquí) con ``mi_trabajo/`` recién creado por
``make empezar``, las celdas «TU CÓDIGO AQUÍ» vacías y un servicio del taller
compartido por todos (``ABANDONO_URL``). Las salidas vuelven a ``notebooks/``.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from abandono.ayuda import analizador
from abandono.cuadernos.preparacion import CELDA
from abandono.cuadernos.servicio_del_taller import VARIABLE_URL
from abandono.lanzador import en_marcha, orden_servicio, puerto_libre
from abandono.taller import RAIZ, archivos

CUADERNOS = RAIZ / 'notebooks'
# 01_... a 08_..., y los apéndices «Para saber más», A1_... en adelante.
PATRON = '[0-9A][0-9]_*.ipynb'


def cuadernos(prefijos=()):
    todos = sorted(CUADERNOS.glob(PATRON))
    return [c for c in todos if not prefijos or any(c.name.startswith(p) for p in prefijos)]


def copia_del_taller(destino):
    """Una copia del taller en ``destino``: lo que sigue git, el modelo con su huella y un ``mi_trabajo/`` nuevo."""
    destino = Path(destino)
    for relativa in [*archivos(), 'modelo_trabajo.bin', 'modelo_trabajo.bin.sha256']:
        if (RAIZ / relativa).is_file():  # el modelo, si ya está entrenado (git no lo sigue)
            (destino / relativa).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(RAIZ / relativa, destino / relativa)
    subprocess.run([sys.executable, '-m', 'abandono.empezar'], cwd=destino, check=True, capture_output=True)
    return destino


def path_del_entorno():
    """El PATH con este entorno virtual delante: el «python» de «!python ...» en una celda es el del taller."""
    return f'{Path(sys.executable).parent}{os.pathsep}{os.environ.get("PATH", "")}'


def ejecutar(rutas, copia, url):
    """Ejecuta cada cuaderno de ``rutas`` en la ``copia`` del taller y guarda sus salidas en ``rutas``."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.update({'PATH': path_del_entorno(), VARIABLE_URL: url})
    for ruta in rutas:
        inicio = time.monotonic()
        nb = nbformat.read(ruta, as_version=4)
        next(c for c in nb.cells if c.cell_type == 'code').source = CELDA
        NotebookClient(nb, kernel_name='python3', timeout=300,
                       resources={'metadata': {'path': str(copia / 'notebooks')}}).execute()
        for celda in nb.cells:
            celda.metadata.pop('execution', None)  # marcas de tiempo: solo ensucian el diff
        nbformat.write(nb, ruta)
        print(f'{ruta.relative_to(RAIZ)}: {time.monotonic() - inicio:.1f} s')


def main(argv=None):
    parser = analizador(description='Vuelve a ejecutar los cuadernos y guarda sus salidas.')
    parser.add_argument('prefijos', nargs='*', metavar='PREFIJO',
                        help='solo los cuadernos que empiezan así (por ejemplo 06 o A2); sin nada, todos')
    args = parser.parse_args(argv)
    rutas = cuadernos(args.prefijos)
    if not rutas:
        parser.error('ningún cuaderno coincide')
    with tempfile.TemporaryDirectory(prefix='taller-') as temporal:
        copia = copia_del_taller(Path(temporal) / 'taller')
        puerto = puerto_libre()
        with en_marcha(orden_servicio('desarrollo', puerto), puerto, cwd=copia) as url:
            ejecutar(rutas, copia, url)
    return 0


if __name__ == '__main__':
    sys.exit(main())
