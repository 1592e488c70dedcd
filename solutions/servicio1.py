"""servicio1.py: ejercicios 1 y 3 de la lección.

Ejercicio 1 (cuaderno 04). Escribe un script de Python simple que cargue el
modelo y lo aplique a un cliente. Debe contener la función ``predict_cliente``
que escribimos anteriormente, el código para cargar el modelo y el código para
aplicar el modelo a un cliente. Después de guardarlo, ejecútalo desde la raíz
del taller, donde está ``modelo_trabajo.bin``: ``python mi_trabajo/servicio1.py``.

Ejercicio 3 (cuaderno 06). Convierte el script en la aplicación Flask
``Abandono``: una función en la ruta ``/predict`` que acepte peticiones POST,
obtenga los datos del cliente de la petición, invoque ``predict_cliente`` para
puntuarlo y responda con la probabilidad de abandono en JSON. Después, ejecuta
la aplicación Flask.
"""
import pickle

from flask import Flask, jsonify, request


def predict_cliente(cliente, dv, modelo):
    # BEGIN SOLUCION: devuelve la probabilidad de abandono de este cliente (un diccionario) según dv y modelo: un número, no una matriz
    X = dv.transform([cliente])
    y_pred = modelo.predict_proba(X)[:, 1]
    return y_pred[0]
    # END SOLUCION


# Ejercicio 1: cargar el vectorizador y el modelo que guardamos juntos en una tupla.
# BEGIN SOLUCION: carga el modelo: la tupla (dv, modelo) que guardamos con pickle en modelo_trabajo.bin, con su nombre a secas (está en la carpeta de trabajo, la raíz del taller)
with open('modelo_trabajo.bin', 'rb') as f_in:
    dv, modelo = pickle.load(f_in)
# END SOLUCION

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
# BEGIN SOLUCION: crea la aplicación Flask Abandono y, en la ruta /predict, una función que acepte POST, obtenga los datos del cliente de la petición, invoque predict_cliente para puntuarlo y responda con la probabilidad de abandono en JSON (jsonify no sabe escribir los booleanos de NumPy)
app = Flask('Abandono')


@app.route('/predict', methods=['POST'])
def predict():
    cliente = request.get_json()

    probabilidad = predict_cliente(cliente, dv, modelo)
    abandono = probabilidad >= 0.5

    resultado = {
        'probabilidad_abandono': float(probabilidad),
        'abandono': bool(abandono),
    }
    return jsonify(resultado)
# END SOLUCION


if __name__ == '__main__':
    # Ejercicio 1: aplicar el modelo al cliente de la lección.
    # BEGIN SOLUCION: aplica el modelo al cliente de la lección con predict_cliente e imprime su probabilidad de abandono
    probabilidad = predict_cliente(cliente, dv, modelo)
    print(f'Probabilidad de abandono: {probabilidad:.3f}')
    print('Decisión:', 'abandona' if probabilidad >= 0.5 else 'no abandona')
    # END SOLUCION

    # Ejercicio 3: arrancar el servicio en el puerto 9696, con el depurador apagado.
    # BEGIN SOLUCION: ejecuta la aplicación Flask: el servidor de desarrollo, en todas las direcciones de la computadora (0.0.0.0) y el puerto 9696, con el depurador apagado
    app.run(debug=False, host='0.0.0.0', port=9696)
    # END SOLUCION
