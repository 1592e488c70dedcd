"""flask_test.py: ejercicio 2 de la lección.

Escribe una función ``hola`` que devuelva ``'Hola C8280'``, crea una
aplicación Flask, asígnale a ``hola`` una ruta y ejecuta el script para
servirla (``python flask_test.py``).
"""
from flask import Flask

# TODO: crea la aplicación con app = Flask('test') y decora def hola(): return 'Hola C8280' con @app.route('/hola')


if __name__ == '__main__':
    # TODO: arranca la aplicación con app.run(debug=False, host='0.0.0.0', port=9696)
    pass
