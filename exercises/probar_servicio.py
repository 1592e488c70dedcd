"""probar_servicio.py: ejercicio 4 de la lección (cuaderno 06), como script.

Con tu ``servicio1.py`` en marcha en otra terminal, prueba el servicio web con
``requests``: una petición POST a ``/predict`` con el cliente en el cuerpo, y
muestra la respuesta. El servicio escucha en el puerto 9696 de tu computadora.
Ejecútalo desde la raíz del taller: ``python mi_trabajo/probar_servicio.py``.
"""
import requests

url = 'http://localhost:9696/predict'

cliente = {
    'customerid': '8879-zkjof',
    'gender': 'female',
    'seniorcitizen': 0,
    'partner': 'no',
    'dependents': 'no',
    'tenure': 41,
    'phoneservice': 'yes',
    'multiplelines': 'no',
    'internetservice': 'dsl',
    'onlinesecurity': 'yes',
    'onlinebackup': 'no',
    'deviceprotection': 'yes',
    'techsupport': 'yes',
    'streamingtv': 'yes',
    'streamingmovies': 'yes',
    'contract': 'one_year',
    'paperlessbilling': 'yes',
    'paymentmethod': 'bank_transfer_(automatic)',
    'monthlycharges': 79.85,
    'totalcharges': 3320.75,
}

# TODO: envía el cliente a url con una petición POST (el cliente en JSON, en el cuerpo) y muestra la respuesta del servicio
