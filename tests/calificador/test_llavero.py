"""Como root, dentro de un llavero de sesión del kernel con un secreto: la clase de la cuarta ronda, calificada junta.

El llavero es el que crean pam_keyinit, systemd o un entorno de contenedores (y
donde viven los tickets de Kerberos); bubblewrap no lo cambia, así que cada caja
lo hereda. Ningún secreto llega a las notas, no queda ninguna llave de más, cada
entrega saca lo esperado (las honradas, todo) y las notas se escriben.
"""
import csv
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from abandono.calificador import caja, informes
from abandono.calificador.generador import SOLUCIONES
from abandono.lanzador import RAIZ
from muestras import CORRECTA, MUESTRAS, Muestra, construir
from test_clase import esperados

pytestmark = [pytest.mark.lento,
              pytest.mark.skipif(caja.motivo_sin_caja() is not None, reason=str(caja.motivo_sin_caja())),
              pytest.mark.skipif(not shutil.which('keyctl'), reason='falta keyctl (keyutils: make sistema)')]

# Los ataques de la cuarta ronda y las honradas que deben seguir con todo.
CLASE = ('lee_el_llavero', 'memfd_de_2_gb', 'buferes_de_loopback', 'servidor_en_red_anidada', 'servidor_unix_abstracto',
         'servidor_udp_en_ipv6', 'depurador_en_otro_puerto', 'depurador_menos_en_la_caja', 'debug_del_entorno',
         'copia_en_modulos', 'copia_en_base64', 'acusacion_plantada', 'cincuenta_mil_comentarios',
         'escrita_a_su_manera', 'pistas_al_pie_de_la_letra')


def llaves_de_ataque():
    return [linea for linea in Path('/proc/keys').read_text().splitlines() if 'ATAQUE' in linea]


@pytest.mark.skipif(sys.platform != 'linux', reason='el llavero del kernel es de Linux')
def test_ningun_secreto_del_llavero_llega_a_las_notas_ni_queda_una_llave(tmp_path):
    secreto = f'SECRETO-{secrets.token_hex(16)}'
    muestras = [m for m in MUESTRAS if m.nombre in CLASE]
    construir(tmp_path / 'entregas', muestras)
    shutil.copytree(SOLUCIONES, tmp_path / 'entregas' / 'solucion')
    antes = llaves_de_ataque()
    # Un llavero de sesión nuevo con el secreto; la clase corre dentro, y al final se listan sus llaves.
    guion = (f'keyctl add user secreto {secreto} @s > /dev/null && {sys.executable} -m abandono.calificador.clase '
             f'{tmp_path / "entregas"} --salida {tmp_path / "notas"} && echo "LLAVES: $(keyctl rlist @s)" '
             f'&& keyctl print %user:secreto')
    resultado = subprocess.run(['keyctl', 'session', '-', 'sh', '-c', guion], cwd=RAIZ, capture_output=True,
                               text=True, timeout=900)
    assert resultado.returncode == 0, resultado.stderr[-2000:]
    llaves = resultado.stdout.split('LLAVES:')[1].split()
    assert len(llaves) == 2 and llaves[1] == secreto, resultado.stdout[-500:]   # solo la del secreto, intacta
    assert llaves_de_ataque() == antes
    notas = [p for p in (tmp_path / 'notas').rglob('*') if p.is_file()]
    assert {p.name for p in notas} >= {'calificaciones.csv', 'informe.md', 'similitud.md'}
    for archivo in notas:
        assert secreto not in archivo.read_bytes().decode('utf-8', errors='replace'), archivo
    with open(tmp_path / 'notas' / 'calificaciones.csv', encoding='utf-8') as archivo:
        filas = {f['entrega']: f for f in csv.DictReader(archivo)}
    for muestra in [*muestras, Muestra('solucion', CORRECTA, '')]:
        obtenidos = {n: int(filas[informes.en_csv(muestra.nombre)][f'ejercicio_{n}']) for n in esperados(muestra)}
        assert obtenidos == esperados(muestra), muestra.nombre
