"""Lo que depende del número del cliente de la lección, otra vez con el otro núcleo de OpenBLAS.

Tanda lenta (CI la pasa). En una copia del taller con el modelo reentrenado con
el otro núcleo (Haswell si esta computadora usa otro; SkylakeX si usa Haswell y
la CPU tiene AVX-512), un pytest en un subproceso que pone ``OPENBLAS_CORETYPE``
solo para él: nunca se cambia el valor que haya fijado la máquina para el resto.
"""
import subprocess
import sys

import pytest

from abandono import nucleo

# Las pruebas cuyos números salen del modelo (las rápidas de cada una; nbval tiene la suya).
DEPENDEN = ['tests/modelo/test_modelo.py', 'tests/servicio/test_http.py', 'tests/cuadernos/test_cuadernos.py',
            'tests/servicio/test_pagina.py']


@pytest.mark.lento
def test_lo_que_depende_del_numero_pasa_con_el_otro_nucleo(tmp_path):
    actual = nucleo.nucleo()
    otro = nucleo.otro_nucleo(actual)
    if otro is None:
        pytest.skip(f'esta computadora usa {actual} y {nucleo.falta_para(nucleo.SKYLAKEX)}')
    copia = nucleo.copia_con_modelo(tmp_path / 'taller', otro)
    resultado = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-n', '2', '--dist', 'loadfile', *DEPENDEN],
        cwd=copia, env=nucleo.entorno(otro), capture_output=True, text=True, timeout=1200)
    assert resultado.returncode == 0, f'con el núcleo {otro}:\n{resultado.stdout[-6000:]}'
    assert nucleo.en_nucleo(otro)['nucleo'] == otro != actual
