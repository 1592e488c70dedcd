"""La primera celda de código de cada cuaderno: la preparación.

Corre antes de que el paquete ``abandono`` exista (en Colab aún no se ha traído el
taller), así que cada cuaderno lleva una copia; esta es la única que se edita:
``make cuadernos`` la copia y una prueba comprueba que coinciden. En Colab trae el
taller con git, instala ``requirements/estudiante.txt``, entrena el modelo y crea
``mi_trabajo/``; en cualquier sitio, deja el cuaderno en la raíz del taller.
"""

CELDA = """\
# Preparación. Deja el cuaderno en la raíz del taller (la carpeta que contiene abandono/), se abra
# desde donde se abra. En Colab, antes, trae el taller, instala sus versiones fijadas, entrena el
# modelo y crea tu carpeta mi_trabajo/ (si Colab pide reiniciar el entorno, hazlo y vuelve a ejecutar).
import os
import sys
from pathlib import Path

# Solo en Colab: la dirección git de tu copia del taller (te la da quien imparte el curso).
REPOSITORIO = ''
if 'google.colab' in sys.modules and not Path('abandono').is_dir():
    if not Path('taller').is_dir():
        if not REPOSITORIO:
            raise SystemExit('Falta el taller: escribe en REPOSITORIO la dirección git de tu copia '
                             'y vuelve a ejecutar esta celda.')
        !git clone --quiet --depth 1 {REPOSITORIO} taller
    %cd taller
    %pip install --quiet -r requirements/estudiante.txt
    if not Path('modelo_trabajo.bin').exists():
        !python -m abandono.entrenamiento
    !python -m abandono.empezar

RAIZ = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / 'abandono').is_dir())
os.chdir(RAIZ)
if str(RAIZ) not in sys.path:
    sys.path.insert(0, str(RAIZ))"""
