"""flask_test.py: ejercicio 2 de la lección (cuaderno 05).

Escribe una función ``hola`` que devuelva ``'Hola C8280'``, importa Flask, crea
una aplicación Flask (el objeto central para registrar las funciones que el
servicio web expone), asígnale a ``hola`` una dirección (una ruta, en términos
de Flask) y ejecuta el script desde la raíz del taller:
``python mi_trabajo/flask_test.py``.
"""
from flask import Flask

# TODO: crea la aplicación Flask y asígnale una ruta a la función hola, que devuelve 'Hola C8280'


if __name__ == '__main__':
    # TODO: ejecuta el servidor de desarrollo de Flask, en todas las direcciones de la computadora (0.0.0.0) y el puerto 9696, con el depurador apagado
    pass
