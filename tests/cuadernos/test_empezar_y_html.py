"""make empezar (tu carpeta de trabajo) y make html (los cuadernos sin Jupyter)."""
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from abandono.cuaderno import CUADERNOS, RAIZ


@pytest.mark.parametrize('orden', ['make', 'python -m'])
def test_empezar_copia_los_esqueletos_sin_pisar_nada(tmp_path, orden):
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
    """Jupyter se niega a arrancar como root (un contenedor, algunos cuadernos en la nube) sin --allow-root."""
    orden = subprocess.run(['make', '-n', '-o', '.venv/.taller', '-o', 'modelo_trabajo.bin', 'jupyter'], cwd=RAIZ,
                           capture_output=True, text=True, check=True).stdout
    assert 'jupyter lab notebooks/' in orden
    assert ('--allow-root' in orden) == (os.geteuid() == 0), orden


def test_git_no_sigue_mi_trabajo_ni_html():
    ignorados = subprocess.run(['git', 'check-ignore', 'mi_trabajo/servicio1.py', 'html/index.html'],
                               cwd=RAIZ, capture_output=True, text=True)
    assert ignorados.stdout.split() == ['mi_trabajo/servicio1.py', 'html/index.html']


@pytest.mark.lento  # nbconvert de los ocho cuadernos
def test_html_con_las_salidas_guardadas(tmp_path):
    resultado = subprocess.run([sys.executable, '-m', 'abandono.cuaderno', '--html', str(tmp_path)],
                               cwd=RAIZ, capture_output=True, text=True)
    assert resultado.returncode == 0, resultado.stderr
    cuadernos = sorted(CUADERNOS.glob('[0-9][0-9]_*.ipynb'))
    indice = (tmp_path / 'index.html').read_text(encoding='utf-8')
    enlaces = re.findall(r'<a href="([^"]+)">', indice)
    assert enlaces == [f'{c.stem}.html' for c in cuadernos]
    assert all((tmp_path / enlace).is_file() for enlace in enlaces)
    # Las salidas guardadas están en las páginas: la probabilidad de la clienta de la lección
    # que imprime el 01 (la que guardó su resumen, con el núcleo de OpenBLAS de quien lo
    # ejecutó), la frase que escribe con ella y la curva ROC como imagen.
    primero = (tmp_path / enlaces[0]).read_text(encoding='utf-8')
    (celda,) = [c for c in nbformat.read(cuadernos[0], as_version=4).cells if 'resumen' in c.metadata.get('tags', [])]
    guardada = json.loads(celda.outputs[0]['text'])['probabilidad_cliente']
    assert f'Probabilidad de abandono: {guardada:.4f} (un {guardada:.0%})' in primero
    assert f'la clienta sale con <strong>{guardada:.4f}</strong>' in primero  # el Markdown que escribe, ya en HTML
    assert 'data:image/png;base64,' in primero
    sexto = (tmp_path / '06_servicio_de_abandono.html').read_text(encoding='utf-8')
    assert 'estado: 405' in sexto and 'Allow: OPTIONS, POST' in sexto
