"""make empezar (tu carpeta de trabajo) y make html (los cuadernos sin Jupyter)."""
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from abandono.cuadernos.ejecutar import cuadernos
from abandono.lanzador import RAIZ


@pytest.mark.parametrize('orden', ['make', 'python -m'])
def test_empezar_copia_los_esqueletos_sin_sobrescribir_nada(tmp_path, orden):
    """make empezar y, sin make, python -m abandono.empezar: respetan lo que ya había y la raíz, y dicen qué hacer."""
    carpeta = tmp_path / 'mi_trabajo'
    carpeta.mkdir()
    (carpeta / 'servicio1.py').write_text('# lo que ya escribí\n')
    raiz_antes = {p.name: p.read_bytes() for p in RAIZ.glob('*.py')}
    empezar = (['make', '-s', 'empezar', f'CARPETA={carpeta}'] if orden == 'make'
               else [sys.executable, '-m', 'abandono.empezar', str(carpeta)])

    primera = subprocess.run(empezar, cwd=RAIZ, capture_output=True, text=True)
    assert primera.returncode == 0, primera.stderr
    esqueletos = sorted(p.name for p in (RAIZ / 'exercises').glob('*.py'))
    assert sorted(p.name for p in carpeta.iterdir()) == esqueletos
    assert (carpeta / 'servicio1.py').read_text() == '# lo que ya escribí\n'
    assert {p.name: p.read_bytes() for p in RAIZ.glob('*.py')} == raiz_antes
    for nombre in esqueletos:
        if nombre != 'servicio1.py':
            assert (carpeta / nombre).read_text() == (RAIZ / 'exercises' / nombre).read_text()
    assert f'{carpeta}/servicio1.py ya existe: no lo toco' in primera.stdout
    assert 'make comprobar' in primera.stdout and f"CARPETA = '{carpeta}'" in primera.stdout
    assert f'python -m abandono.calificador.comprobar {carpeta}' in primera.stdout

    segunda = subprocess.run(empezar, cwd=RAIZ, capture_output=True, text=True)
    assert segunda.stdout.count('ya existe: no lo toco') == len(esqueletos)


def test_make_jupyter_anade_allow_root_solo_como_root():
    """Jupyter se niega a arrancar como root (un contenedor, algunos cuadernos en la nube) sin --allow-root.

    Y con el entorno primero en el PATH: «!python» en una celda y «python» en su terminal son los del taller.
    """
    comando = subprocess.run(['make', '-n', '-o', '.venv/.jupyter', '-o', 'modelo_trabajo.bin', 'jupyter'], cwd=RAIZ,
                             capture_output=True, text=True, check=True).stdout
    assert 'jupyter lab notebooks/' in comando
    assert f'PATH="{RAIZ}/.venv/bin:' in comando
    assert ('--allow-root' in comando) == (os.geteuid() == 0), comando


def test_make_jupyter_instala_solo_lo_del_estudiante():
    """make jupyter (y make comprobar) no instalan las herramientas de las pruebas del taller."""
    comando = subprocess.run(['make', '-n', '-B', '-o', 'modelo_trabajo.bin', '-o', '.venv/bin/python', 'jupyter', 'comprobar'],
                             cwd=RAIZ, capture_output=True, text=True, check=True).stdout
    assert 'requirements/jupyter.txt' in comando and 'requirements/taller.txt' not in comando, comando
    estudiante = (RAIZ / 'requirements' / 'jupyter.txt').read_text(encoding='utf-8').lower()
    assert [p for p in ('selenium', 'schemathesis', 'hypothesis', 'kubernetes', 'nbval', 'papermill', 'hadolint')
            if f'\n{p}' in estudiante] == []


def test_git_no_sigue_mi_trabajo_ni_html():
    ignorados = subprocess.run(['git', 'check-ignore', 'mi_trabajo/servicio1.py', 'html/index.html'],
                               cwd=RAIZ, capture_output=True, text=True)
    assert ignorados.stdout.split() == ['mi_trabajo/servicio1.py', 'html/index.html']


@pytest.mark.lento  # nbconvert de los once cuadernos
def test_html_con_las_salidas_guardadas(tmp_path):
    resultado = subprocess.run([sys.executable, '-m', 'abandono.cuadernos.exportar', str(tmp_path)],
                               cwd=RAIZ, capture_output=True, text=True)
    assert resultado.returncode == 0, resultado.stderr
    rutas = cuadernos()
    indice = (tmp_path / 'index.html').read_text(encoding='utf-8')
    enlaces = re.findall(r'<a href="([^"]+)">', indice)
    assert enlaces == [f'{c.stem}.html' for c in rutas]
    assert all((tmp_path / enlace).is_file() for enlace in enlaces)
    # Las salidas guardadas están en las páginas: la probabilidad de la clienta de la lección
    # que imprime el 01 (la que guardó su resumen, con el núcleo de OpenBLAS de quien lo
    # ejecutó), la curva ROC como imagen, la frase que escribe A1 con ella y lo plegado, plegado.
    primero = (tmp_path / enlaces[0]).read_text(encoding='utf-8')
    (celda,) = [c for c in nbformat.read(rutas[0], as_version=4).cells if 'resumen' in c.metadata.get('tags', [])]
    guardada = json.loads(celda.outputs[0]['text'])['probabilidad_cliente']
    assert f'Probabilidad de abandono: {guardada:.4f} (un {guardada:.0%})' in primero
    assert 'data:image/png;base64,' in primero
    assert '<details><summary>Respuesta</summary>' in primero
    a1 = (tmp_path / 'A1_para_saber_mas_los_ultimos_digitos.html').read_text(encoding='utf-8')
    assert f'la clienta sale con <strong>{guardada:.4f}</strong>' in a1  # el Markdown que escribe, ya en HTML
    sexto = (tmp_path / '06_servicio_de_abandono.html').read_text(encoding='utf-8')
    assert 'GET /predict -&gt; 405   Allow: OPTIONS, POST' in sexto
