"""flask_test.py: el calentamiento con Flask de la lección (hola -> 'Hola C8280').

    python flask_test.py        # sirve hola en http://localhost:9696/hola (otro puerto: PUERTO=5000)

La respuesta vive en ``solutions/flask_test.py`` (de ahí sale el ejercicio de
``exercises/``); este archivo la importa y la sirve, para no escribirla dos veces.
"""
import os

from abandono.taller import PUERTO_LECCION
from solutions.flask_test import app

if __name__ == '__main__':
    app.run(debug=False, host='0.0.0.0', port=int(os.environ.get('PUERTO', PUERTO_LECCION)))
