"""``python -m bench --rapido`` funciona de principio a fin (las cifras de verdad, con ``make bench``)."""
import subprocess
import sys

import pytest

from abandono.lanzador import RAIZ


@pytest.mark.lento
def test_bench_rapido():
    proceso = subprocess.run([sys.executable, '-m', 'bench', '--rapido'], cwd=RAIZ, capture_output=True,
                             text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proceso.returncode == 0, proceso.stderr[-3000:]
    salida = proceso.stdout
    for texto in ('predict_cliente', '/salud', '/predict', 'gunicorn gevent -w 2', 'gunicorn sync -w 2', 'waitress',
                  'clientes/s', 'Aguante', '/predict ÷ ruta vacía', 'p99 de /predict', 'entregas por minuto',
                  'Lo que cuestan las cajas'):
        assert texto in salida, salida
    # Ni una petición fallida en ninguna tabla (la última columna es «errores»).
    for linea in salida.splitlines():
        if linea.startswith(('| desarrollo', '| gunicorn', '| waitress')) and 'pet/s' not in linea:  # no las cabeceras
            assert linea.rstrip(' |').split()[-1] == '0', linea
    assert '**0 errores**' in salida
