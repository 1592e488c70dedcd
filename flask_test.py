"""flask_test.py: el calentamiento con Flask de la lección (hola -> 'Hola C8280').

    python flask_test.py        # sirve hola en http://localhost:9696/hola (cambia el puerto con PUERTO)

La respuesta vive en ``solutions/flask_test.py`` (de ahí sale el ejercicio de
``exercises/``); este archivo solo la ejecuta, para no escribirla dos veces.
"""
import runpy
from pathlib import Path

if __name__ == '__main__':
    # run_path y no import + run_module: así la solución se ejecuta una sola vez, sin avisos.
    runpy.run_path(str(Path(__file__).resolve().parent / 'solutions' / 'flask_test.py'), run_name='__main__')
else:
    from solutions.flask_test import app, hola  # noqa: F401  (para quien importe flask_test)
