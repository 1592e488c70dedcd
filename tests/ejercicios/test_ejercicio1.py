"""Ejercicio 1: servicio1.py como script (predict_cliente, cargar el modelo, puntuar un cliente)."""
import pytest

from abandono.calificador.juicio import (
    cerca, fase, hechos_de, numeros_en_texto, pista_probabilidad, recortar, suspenso)
from abandono.calificador.referencia import TOLERANCIA, TOLERANCIA_IMPRESA

pytestmark = pytest.mark.ejercicio(1, 'servicio1.py como script')


@pytest.mark.puntos(1)
def test_carga_dv_y_modelo(servicio1):
    """servicio1.py carga el DictVectorizer y el modelo de modelo_trabajo.bin"""
    fase(servicio1, 'importar')
    encontrados = hechos_de(servicio1)['sklearn']
    faltan = [clase for clase, nombres in encontrados.items() if not nombres]
    if faltan:
        suspenso('Al importar servicio1.py no quedan cargados el vectorizador y el modelo.',
                 'una variable con el DictVectorizer (dv) y otra con la LogisticRegression (modelo)',
                 f'falta: {", ".join(faltan)}',
                 'modelo_trabajo.bin guarda la tupla (dv, modelo): '
                 "with open('modelo_trabajo.bin', 'rb') as f_in: dv, modelo = pickle.load(f_in)")


@pytest.mark.puntos(2)
def test_predict_cliente(servicio1, referencia):
    """predict_cliente da la probabilidad del modelo para 50 clientes reales"""
    fase(servicio1, 'importar')
    resultados = hechos_de(servicio1).get('predict_cliente')
    if resultados is None:
        suspenso('servicio1.py no define la función predict_cliente.',
                 'def predict_cliente(cliente, dv, modelo)', 'no existe',
                 'copia la función predict_cliente de la lección en servicio1.py.')
    for numero, (obtenido, esperado) in enumerate(zip(resultados, referencia['probabilidades']), start=1):
        if 'error' in obtenido:
            suspenso(f'predict_cliente falla con el cliente n.º {numero}.', f'la probabilidad {esperado:.6f}',
                     recortar(obtenido['error']), 'prueba predict_cliente(cliente, dv, modelo) en un cuaderno.')
        if 'numero' not in obtenido:
            suspenso(f'predict_cliente no devuelve un número con el cliente n.º {numero}.',
                     f'un número como {esperado:.6f}', f"{obtenido['tipo']}: {obtenido.get('repr', obtenido.get('texto'))}",
                     'predict_proba devuelve una matriz: devuelve y_pred[0], el número, no la matriz.')
        if abs(obtenido['numero'] - esperado) > TOLERANCIA:
            suspenso(f'predict_cliente da otra probabilidad para el cliente n.º {numero}.',
                     f'{esperado:.6f}', f"{obtenido['numero']:.6f}", pista_probabilidad(obtenido['numero'], esperado))


@pytest.mark.puntos(1)
def test_script_puntua_al_cliente(servicio1, referencia):
    """python servicio1.py muestra la probabilidad del cliente de la lección"""
    salida = fase(servicio1, 'script')['salida']
    esperado = referencia['probabilidad_leccion']
    numeros = numeros_en_texto(salida)
    # 0.062 o 6.2 (%): las dos formas de escribir la misma probabilidad.
    if not cerca(numeros + [n / 100 for n in numeros], esperado, TOLERANCIA_IMPRESA):
        suspenso('Al ejecutar servicio1.py no aparece la probabilidad del cliente de la lección.',
                 f'{esperado:.3f} en la salida', recortar(salida),
                 'llama a predict_cliente(cliente, dv, modelo) con el cliente de la lección e imprime el resultado.')
