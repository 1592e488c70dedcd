"""Las comprobaciones de los cuadernos (abandono/cuadernos/revisar.py): la respuesta de la lección pasa
y cada tropiezo típico dice, en español, qué está mal y qué hacer, sin lanzar ningún error."""
import pickle

import numpy as np
import pandas as pd
import pytest
from flask import Flask, jsonify, request

from abandono.cuadernos import revisar
from abandono.datos import CLIENTE_LECCION
from abandono.prediccion import predict


@pytest.fixture
def espacio(dv_modelo):
    """Lo que tiene un cuaderno antes de la celda del estudiante: dv, modelo y el cliente."""
    dv, modelo = dv_modelo
    return {'dv': dv, 'modelo': modelo, 'cliente': dict(CLIENTE_LECCION)}


def _revisar(capsys, funcion, *argumentos):
    bien = funcion(*argumentos)
    return bien, capsys.readouterr().out


def _bien(capsys, funcion, *argumentos):
    bien, dicho = _revisar(capsys, funcion, *argumentos)
    assert bien is True and '✘' not in dicho and 'Todo bien' in dicho, dicho


def _mal(capsys, dice, funcion, *argumentos):
    bien, dicho = _revisar(capsys, funcion, *argumentos)
    assert bien is False and '✘' in dicho and dice in dicho, dicho
    return dicho


# --- 01: y_pred ---

def test_prediccion(espacio, capsys):
    _mal(capsys, 'Todavía no existe y_pred', revisar.prediccion, espacio)
    df = pd.DataFrame([espacio['cliente']])
    _bien(capsys, revisar.prediccion, {**espacio, 'y_pred': predict(df, espacio['dv'], espacio['modelo'])})
    _bien(capsys, revisar.prediccion, {**espacio, 'y_pred': predict(df, espacio['dv'], espacio['modelo'])[0]})


def test_prediccion_tropiezos(espacio, capsys):
    dos = pd.DataFrame([espacio['cliente'], espacio['cliente']])
    _mal(capsys, 'mete solo al cliente', revisar.prediccion,
         {**espacio, 'y_pred': predict(dos, espacio['dv'], espacio['modelo'])})
    quedarse = espacio['modelo'].predict_proba(espacio['dv'].transform([espacio['cliente']]))[:, 0]
    _mal(capsys, 'la probabilidad de que se quede', revisar.prediccion, {**espacio, 'y_pred': quedarse})
    otro = pd.DataFrame([dict(espacio['cliente'], contract='month-to-month')])
    _mal(capsys, 'usa el cliente de la lección tal cual', revisar.prediccion,
         {**espacio, 'y_pred': predict(otro, espacio['dv'], espacio['modelo'])})


# --- 02: predict_cliente ---

def predict_cliente_de_la_leccion(cliente, dv, modelo):
    X = dv.transform([cliente])
    y_pred = modelo.predict_proba(X)[:, 1]
    return y_pred[0]


def sin_el_cero(cliente, dv, modelo):
    return modelo.predict_proba(dv.transform([cliente]))[:, 1]


def las_dos_columnas(cliente, dv, modelo):
    return modelo.predict_proba(dv.transform([cliente]))


def la_columna_cero(cliente, dv, modelo):
    return modelo.predict_proba(dv.transform([cliente]))[0, 0]


def con_model(cliente, dv, modelo):
    return model.predict_proba(dv.transform([cliente]))[0, 1]  # noqa: F821 — la errata de la lección


def siempre_la_clienta(cliente, dv, modelo):
    return modelo.predict_proba(dv.transform([CLIENTE_LECCION]))[0, 1]


def cambia_el_cliente(cliente, dv, modelo):
    cliente.pop('customerid', None)
    return modelo.predict_proba(dv.transform([cliente]))[0, 1]


def test_predict_cliente(espacio, capsys):
    _mal(capsys, 'Todavía no existe predict_cliente', revisar.predict_cliente, espacio)
    _bien(capsys, revisar.predict_cliente, {**espacio, 'predict_cliente': predict_cliente_de_la_leccion})


@pytest.mark.parametrize('funcion, dice', [
    (sin_el_cero, 'devuelve la matriz, no un número'),
    (las_dos_columnas, 'devuelve las dos columnas de predict_proba'),
    (la_columna_cero, 'la probabilidad de que se quede (la columna 0)'),
    (con_model, "NameError: name 'model' is not defined"),
    (siempre_la_clienta, 'con 20 de 20 clientes de prueba da otra cosa'),
    (cambia_el_cliente, 'cambia el diccionario del cliente que recibe'),
    (lambda cliente, dv: 0.06, 'no recibe tres argumentos'),
    ('predict_cliente', 'no una función'),
])
def test_predict_cliente_tropiezos(espacio, capsys, funcion, dice):
    _mal(capsys, dice, revisar.predict_cliente, {**espacio, 'predict_cliente': funcion})


def test_un_error_dice_la_linea_de_tu_celda(espacio, capsys):
    """Un error en una celda dice su línea; la traza de Python no aparece."""
    espacio_de_la_celda = dict(espacio)
    exec(compile('def predict_cliente(cliente, dv, modelo):\n    return modelo.predict(X)\n',
                 '/tmp/ipykernel_1/123.py', 'exec'), espacio_de_la_celda)
    dicho = _mal(capsys, "NameError: name 'X' is not defined (línea 2 de tu celda)",
                 revisar.predict_cliente, espacio_de_la_celda)
    assert 'Traceback' not in dicho


# --- 03: guardar y cargar ---

def _guardar(ruta, objeto):
    with open(ruta, 'wb') as f_out:
        pickle.dump(objeto, f_out)


def test_guardado(espacio, capsys, tmp_path):
    archivo = tmp_path / 'modelo_trabajo.bin'
    _mal(capsys, f'Todavía no existe {archivo}', revisar.guardado, archivo, espacio)
    _guardar(archivo, (espacio['dv'], espacio['modelo']))
    _bien(capsys, revisar.guardado, archivo, espacio)


@pytest.mark.parametrize('guardado, dice', [
    (None, 'está vacío: open lo creó, pero pickle.dump no llegó a escribir'),
    ('modelo', 'no es una tupla (dv, modelo) sino un LogisticRegression'),
    ('al revés', 'La tupla está al revés'),
])
def test_guardado_tropiezos(espacio, capsys, tmp_path, guardado, dice):
    archivo = tmp_path / 'modelo_trabajo.bin'
    if guardado is None:
        archivo.write_bytes(b'')   # with open(...) as f_out: pickle.dump(modelo, f_in) -> NameError
    else:
        _guardar(archivo, espacio['modelo'] if guardado == 'modelo' else (espacio['modelo'], espacio['dv']))
    dicho = _mal(capsys, dice, revisar.guardado, archivo, espacio)
    assert 'tmp' not in dicho.replace(str(archivo), '')   # la copia que se comprueba no asoma


def test_cargado(espacio, capsys, tmp_path):
    archivo = tmp_path / 'modelo_trabajo.bin'
    _guardar(archivo, (espacio['dv'], espacio['modelo']))
    _mal(capsys, 'Todavía no existe dv ni modelo', revisar.cargado, archivo, {})
    _mal(capsys, 'Cargaste el modelo en model, no en modelo', revisar.cargado, archivo,
         {'dv': espacio['dv'], 'model': espacio['modelo']})
    _mal(capsys, 'desempaquétala en ese orden', revisar.cargado, archivo,
         {'dv': espacio['modelo'], 'modelo': espacio['dv']})
    with open(archivo, 'rb') as f_in:
        dv, modelo = pickle.load(f_in)
    _bien(capsys, revisar.cargado, archivo, {'dv': dv, 'modelo': modelo})


# --- 05: hola ---

def _hola(ruta='/hola', metodos=('GET',), texto='Hola C8280'):
    app = Flask('test')

    def hola():
        return texto
    if ruta:
        app.route(ruta, methods=list(metodos))(hola)
    return {'app': app, 'hola': hola}


def test_hola(capsys):
    _mal(capsys, 'Todavía no existe hola', revisar.hola, {})
    _bien(capsys, revisar.hola, _hola())
    _bien(capsys, revisar.hola, _hola(ruta='/saludo'))   # la ruta la elige el estudiante


@pytest.mark.parametrize('cambios, dice', [
    ({'texto': 'hola C8280'}, "la lección pide exactamente 'Hola C8280'"),
    ({'ruta': None}, 'hola no tiene ninguna ruta en app'),
    ({'metodos': ('POST',)}, 'la ruta no acepta GET'),
])
def test_hola_tropiezos(capsys, cambios, dice):
    _mal(capsys, dice, revisar.hola, _hola(**cambios))


def test_respuesta_hola(capsys):
    _mal(capsys, 'arranca tu flask_test.py en una terminal', revisar.respuesta_hola, {})
    _bien(capsys, revisar.respuesta_hola, {'respuesta': 'Hola C8280'})
    _mal(capsys, "hola debe devolver 'Hola C8280'", revisar.respuesta_hola, {'respuesta': '<h1>Not Found</h1>'})


# --- 06: la aplicación Abandono y su respuesta ---

def _abandono(espacio, nombre='Abandono', ruta='/predict', convertir=True, fijo=False):
    app = Flask(nombre)

    def predict_ruta():
        cliente = CLIENTE_LECCION if fijo else request.get_json()
        probabilidad = espacio['modelo'].predict_proba(espacio['dv'].transform([cliente]))[0, 1]
        abandono = probabilidad >= 0.5
        return jsonify({'probabilidad_abandono': float(probabilidad),
                        'abandono': bool(abandono) if convertir else abandono})
    app.route(ruta, methods=['POST'])(predict_ruta)
    return {**espacio, 'app': app}


def test_aplicacion(espacio, capsys):
    _mal(capsys, 'Todavía no existe app', revisar.aplicacion, espacio)
    _bien(capsys, revisar.aplicacion, _abandono(espacio))


@pytest.mark.parametrize('cambios, dice', [
    ({'convertir': False}, 'convierte la decisión con bool(...)'),
    ({'ruta': '/prediccion'}, 'POST /predict responde 404'),
    ({'fijo': True}, 'con 5 de 5 clientes de prueba responde otra probabilidad'),
    ({'nombre': 'abandono'}, "la lección la llama así: Flask('Abandono')"),
])
def test_aplicacion_tropiezos(espacio, capsys, cambios, dice):
    con_el_tropiezo = _abandono(espacio, **cambios)
    _mal(capsys, dice, revisar.aplicacion, con_el_tropiezo)
    assert con_el_tropiezo['app'].config['PROPAGATE_EXCEPTIONS'] is None   # su configuración, como estaba


def test_respuesta_predict(espacio, capsys):
    _mal(capsys, 'arranca tu servicio en una terminal', revisar.respuesta_predict, espacio)
    probabilidad = revisar._referencia(espacio)
    _bien(capsys, revisar.respuesta_predict, {**espacio, 'respuesta': {'prob': probabilidad, 'abandono': False}})
    _mal(capsys, 'envía el cliente de la lección tal cual', revisar.respuesta_predict,
         {**espacio, 'respuesta': {'probabilidad_abandono': float(np.round(probabilidad + 0.1, 3))}})
    _mal(capsys, 'la respuesta no trae ninguna probabilidad', revisar.respuesta_predict,
         {**espacio, 'respuesta': {'abandono': False}})


def test_ejercicios_sin_tu_carpeta(capsys, tmp_path):
    assert revisar.ejercicios(1, carpeta=tmp_path / 'no_existe') == {}
    assert 'créala con make empezar' in capsys.readouterr().out
