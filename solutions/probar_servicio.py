"""probar_servicio.py: ejercicio 4 de la lección.

Con el servicio de ``servicio1.py`` en marcha, envía el cliente a ``/predict``
con una petición POST usando ``requests`` y muestra la respuesta. El servicio
escucha en el puerto 9696 de tu computadora: ``http://localhost:9696/predict``.
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

# BEGIN SOLUCION: envía el cliente con requests.post(url, json=cliente) (POST, no GET) y muestra la respuesta con print(respuesta.json())
respuesta = requests.post(url, json=cliente, timeout=10)
respuesta.raise_for_status()
print(respuesta.json())
# END SOLUCION
