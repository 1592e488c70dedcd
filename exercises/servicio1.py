"""servicio1.py: ejercicios 1 y 3 de la lección.

Ejercicio 1. Escribe un script que cargue el modelo y lo aplique a un cliente:
la función ``predict_cliente``, el código que carga ``modelo_trabajo.bin`` (la
tupla ``(dv, modelo)`` que guardamos con pickle) y el código que puntúa al
cliente de la lección. Ejecútalo con ``python servicio1.py``.

Ejercicio 3. Convierte el script en la aplicación Flask ``Abandono`` con una
ruta ``/predict`` que acepte peticiones POST, reciba el cliente en JSON, lo
puntúe con ``predict_cliente`` y responda en JSON con la probabilidad de abandono.
"""
import pickle

from flask import Flask, jsonify, request


def predict_cliente(cliente, dv, modelo):
    # TODO: transforma [cliente] con dv y quédate con la columna 1 de modelo.predict_proba (un número, no la matriz)
    raise NotImplementedError('Falta completar: transforma [cliente] con dv y quédate con la columna 1 de modelo.predict_proba (un número, no la matriz)')


# Ejercicio 1: cargar el vectorizador y el modelo que guardamos juntos en una tupla.
# TODO: abre modelo_trabajo.bin en modo 'rb' y desempaqueta la tupla con dv, modelo = pickle.load(f_in)

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

# Ejercicio 3: la aplicación Flask y su ruta /predict.
# TODO: crea app = Flask('Abandono') y una función con @app.route('/predict', methods=['POST']) que lea el cliente con request.get_json() y responda con jsonify; convierte con float(...) y bool(...): jsonify escribe un numpy.float64 (es un float), pero no un numpy.bool_ ni una matriz


if __name__ == '__main__':
    # Ejercicio 1: aplicar el modelo al cliente de la lección.
    # TODO: llama a predict_cliente(cliente, dv, modelo) e imprime la probabilidad (con 3 decimales basta) y la decisión

    # Ejercicio 3: arrancar el servicio en el puerto 9696, con el depurador apagado.
    # TODO: arranca la aplicación con app.run(debug=False, host='0.0.0.0', port=9696)
    pass
