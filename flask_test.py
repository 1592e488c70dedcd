"""flask_test.py: el calentamiento con Flask de la lección (hola -> 'Hola C8280').

    python flask_test.py        # sirve hola en http://localhost:9696/hola (cambia el puerto con PUERTO)

La respuesta vive en ``solutions/flask_test.py`` (de ahí sale el ejercicio de
``exercises/``); este archivo solo la ejecuta, para no escribirla dos veces.
"""
import runpy

from solutions.flask_test import app, hola  # noqa: F401  (para quien importe flask_test)

if __name__ == '__main__':
    runpy.run_module('solutions.flask_test', run_name='__main__')
