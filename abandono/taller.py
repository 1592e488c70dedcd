"""Dónde está el taller y en qué puerto escucha su servicio: cada dato, escrito solo aquí.

El código los importa; lo que no es Python (el Dockerfile, Kubernetes, nginx, la
documentación) los escribe a mano, y ``tests/unidad/test_una_casa_por_dato.py``
nombra cada copia que no diga lo mismo que este archivo.
"""
from pathlib import Path

# La carpeta del taller: la que contiene abandono/, notebooks/, solutions/...
RAIZ = Path(__file__).resolve().parent.parent
# El puerto que la lección escribe a mano en servicio1.py, flask_test.py y probar_servicio.py,
# y en el que escucha el servicio con make servicio, en el contenedor y en Kubernetes.
PUERTO_LECCION = 9696
