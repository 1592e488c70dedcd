"""La primera celda de los cuadernos, como en Colab, en un entorno virtual nuevo.

Colab trae IPython y un «google.colab» importado; su carpeta de trabajo está vacía. La
celda clona el taller con git (aquí, lo confirmado en este repositorio), instala
requirements/estudiante.txt, entrena el modelo y crea mi_trabajo/; después, el cuaderno
importa el paquete del taller y corre desde su raíz. La instalación baja los paquetes de
PyPI (unos 600 MB, un minuto o dos con buena red): por eso es de la tanda lenta.
"""
import json
import os
import subprocess
import sys

import pytest

from abandono.cuadernos.preparacion import CELDA
from abandono.lanzador import RAIZ


def _version(paquete):
    """La versión fijada de ``paquete`` en requirements/taller.txt (la misma IPython que aquí)."""
    for linea in (RAIZ / 'requirements' / 'taller.txt').read_text(encoding='utf-8').splitlines():
        if linea.startswith(f'{paquete}=='):
            return linea.split()[0]
    raise AssertionError(f'{paquete} no está en requirements/taller.txt')


@pytest.mark.lento
def test_la_primera_celda_prepara_colab_desde_cero(tmp_path):
    entorno = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', str(entorno)], check=True)
    python = entorno / ('Scripts' if os.name == 'nt' else 'bin') / 'python'
    subprocess.run([python, '-m', 'pip', 'install', '--quiet', _version('ipython')], check=True, timeout=900)
    # google.colab falso: la celda solo mira que esté importado, como en Colab.
    falso = tmp_path / 'falso' / 'google' / 'colab'
    falso.mkdir(parents=True)
    (falso.parent / '__init__.py').write_text('')
    (falso / '__init__.py').write_text('')
    contenido = tmp_path / 'content'   # la carpeta de trabajo de Colab
    contenido.mkdir()
    celda = CELDA.replace("REPOSITORIO = ''", f"REPOSITORIO = {RAIZ.as_uri()!r}")
    assert celda != CELDA
    programa = '\n'.join([
        'import json', 'import google.colab', celda,
        'from abandono.cuadernos import revisar', 'import flask, matplotlib, pytest, requests, sklearn',
        'print("PREPARADO", json.dumps({"raiz": str(RAIZ), "cwd": os.getcwd(), "paquete": revisar.__file__}))'])
    resultado = subprocess.run(
        [python, '-m', 'IPython', '--no-banner', '-c', programa], cwd=contenido,
        env={**os.environ, 'PYTHONPATH': str(tmp_path / 'falso'), 'PATH': f'{python.parent}{os.pathsep}{os.environ["PATH"]}'},
        capture_output=True, text=True, timeout=1800)
    salida = resultado.stdout + resultado.stderr
    assert 'PREPARADO' in resultado.stdout, salida[-4000:]
    preparado = json.loads(resultado.stdout.split('PREPARADO', 1)[1].strip().splitlines()[0])
    taller = contenido / 'taller'
    assert preparado['raiz'] == preparado['cwd'] == str(taller)
    assert preparado['paquete'].startswith(str(taller))      # el paquete del taller clonado, no el de aquí
    assert (taller / 'modelo_trabajo.bin').is_file() and (taller / 'modelo_trabajo.bin.sha256').is_file()
    assert sorted(p.name for p in (taller / 'mi_trabajo').iterdir()) == sorted(
        p.name for p in (RAIZ / 'exercises').glob('*.py'))


def test_sin_repositorio_lo_dice_en_espanol():
    """En Colab, sin REPOSITORIO la celda se detiene diciendo qué escribir (sin traza larga)."""
    assert "raise SystemExit('Falta el taller: escribe en REPOSITORIO" in CELDA
    assert '%pip install --quiet -r requirements/estudiante.txt' in CELDA
