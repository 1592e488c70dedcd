"""Dónde está el taller, qué archivos tiene y en qué puerto escucha su servicio: cada dato, escrito solo aquí.

El código los importa; lo que no es Python (el Dockerfile, Kubernetes, nginx, la
documentación) los escribe a mano, y ``tests/taller/test_una_casa_por_dato.py``
nombra cada copia que no diga lo mismo que este archivo.
"""
import subprocess
from pathlib import Path

# La carpeta del taller: la que contiene abandono/, notebooks/, solutions/...
RAIZ = Path(__file__).resolve().parent.parent
# El puerto que la lección escribe a mano en servicio1.py, flask_test.py y probar_servicio.py,
# y en el que escucha el servicio con make servicio, en el contenedor y en Kubernetes.
PUERTO_LECCION = 9696


def archivos():
    """Los archivos del taller, relativos a RAIZ: lo que sigue git y lo nuevo que no ignora.

    Los borrados sin confirmar siguen en el índice de git: no se cuentan.
    """
    listado = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                             cwd=RAIZ, capture_output=True, check=True).stdout.decode()
    return sorted(r for r in listado.split('\0') if r and (RAIZ / r).is_file())
