"""Los comandos del taller explican su uso y sus errores en español."""
import subprocess
import sys

import pytest

from abandono.lanzador import RAIZ

ORDENES = ['abandono.calificador.clase', 'abandono.calificador.comprobar', 'abandono.calificador.generador',
           'abandono.campana', 'abandono.cuadernos.ejecutar', 'abandono.cuadernos.exportar', 'abandono.entrenamiento',
           'bench']


@pytest.mark.parametrize('modulo', ORDENES)
def test_la_ayuda_esta_en_espanol(modulo):
    ayuda = subprocess.run([sys.executable, '-m', modulo, '--help'], cwd=RAIZ, capture_output=True, text=True,
                           timeout=60).stdout
    assert ayuda.startswith('uso: ') and 'opciones:' in ayuda and 'muestra esta ayuda y termina' in ayuda, ayuda
    assert 'usage' not in ayuda and 'show this help' not in ayuda


def test_un_error_de_argumentos_esta_en_espanol():
    error = subprocess.run([sys.executable, '-m', 'abandono.calificador.clase', '--procesos', 'x', 'notas'],
                           cwd=RAIZ, capture_output=True, text=True, timeout=60).stderr
    assert "argumento --procesos: valor no válido (int): 'x'" in error, error
