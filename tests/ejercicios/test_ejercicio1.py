"""Ejercicio 1: servicio1.py como script (predict_cliente, cargar el modelo, puntuar un cliente)."""
import pytest

from abandono.calificador.juicio import (
    falta, importado, no_termina, pista_probabilidad, probabilidad_impresa, script_sin_error, suspenso, ultima_linea)
from abandono.calificador.referencia import TOLERANCIA, TOLERANCIA_IMPRESA

ARCHIVO = 'servicio1.py'


@pytest.fixture
def informe(observador):
    return importado(observador, ARCHIVO)


def test_carga_dv_y_modelo(informe, referencia):
    """servicio1.py carga el DictVectorizer y el modelo de modelo_trabajo.bin"""
    encontrados = informe.get('encontrados', {})
    faltan = [nombre for nombre in ('dv', 'modelo') if not encontrados.get(nombre)]
    if faltan:
        no_termina(informe, ARCHIVO)
        suspenso('Al importar servicio1.py no quedan cargados el vectorizador y el modelo.',
                 'una variable con el DictVectorizer (dv) y otra con el modelo',
                 f'falta: {", ".join(faltan)}',
                 'modelo_trabajo.bin guarda la tupla (dv, modelo): '
                 "with open('modelo_trabajo.bin', 'rb') as f_in: dv, modelo = pickle.load(f_in)")
    carga = informe.get('carga') or []
    if len(carga) != len(referencia.probabilidades) or any(
            abs(o - e) > TOLERANCIA for o, e in zip(carga, referencia.probabilidades)):
        suspenso('El dv y el modelo cargados no son los de modelo_trabajo.bin.',
                 'los de modelo_trabajo.bin, el archivo que hay junto a servicio1.py',
                 ultima_linea(informe.get('carga_error')) if informe.get('carga_error') else 'otras probabilidades',
                 "carga el archivo modelo_trabajo.bin de la carpeta de trabajo, sin reentrenar ni copiar números.")


def test_predict_cliente(informe, referencia):
    """predict_cliente da la probabilidad del modelo para clientes nuevos"""
    resultados = informe.get('predict_cliente')
    if resultados is None:
        no_termina(informe, ARCHIVO)
        suspenso('servicio1.py no define la función predict_cliente.',
                 'def predict_cliente(cliente, dv, modelo)', 'no existe',
                 'copia la función predict_cliente de la lección en servicio1.py.')
    for numero, (obtenido, esperado) in enumerate(zip(resultados, referencia.probabilidades), start=1):
        if 'error' in obtenido:
            suspenso(f'predict_cliente falla con el cliente n.º {numero}.', f'la probabilidad {esperado:.6f}',
                     ultima_linea(obtenido['error']), 'prueba predict_cliente(cliente, dv, modelo) en un cuaderno.')
        if 'numero' not in obtenido:
            forma = f" de forma {tuple(obtenido['forma'])}" if obtenido.get('forma') else ''
            suspenso(f'predict_cliente no devuelve un número con el cliente n.º {numero}.',
                     f'un número como {esperado:.6f}', f"un {obtenido['tipo']}{forma}",
                     'predict_proba devuelve una matriz: devuelve y_pred[0], el número, no la matriz.')
        if abs(obtenido['numero'] - esperado) > TOLERANCIA:
            suspenso(f'predict_cliente da otra probabilidad para el cliente n.º {numero}.',
                     f'{esperado:.6f}', f"{obtenido['numero']:.6f}", pista_probabilidad(obtenido['numero'], esperado))
    if len(resultados) < len(referencia.probabilidades):
        suspenso('predict_cliente no respondió para todos los clientes.', f'{len(referencia.probabilidades)} respuestas',
                 f'{len(resultados)}', 'predict_cliente debe devolver la probabilidad sin cambiar nada fuera de ella.')


def test_imprime_la_probabilidad(observador, referencia):
    """python servicio1.py muestra la probabilidad del cliente de la lección"""
    falta(observador, ARCHIVO)
    script = observador.script(ARCHIVO)
    esperado = referencia.probabilidad_leccion
    if not probabilidad_impresa(script.salida, esperado, TOLERANCIA_IMPRESA):
        script_sin_error(observador, ARCHIVO)
        lineas = [l for l in script.salida.splitlines() if l.strip()]
        suspenso('Al ejecutar servicio1.py no aparece la probabilidad del cliente de la lección.',
                 f'{esperado:.3f} (con el modelo de la calificación) en la salida',
                 f'{len(lineas)} líneas; la última: {lineas[-1][:120]!r}' if lineas else 'nada en la salida',
                 "dentro de if __name__ == '__main__': escribe probabilidad = predict_cliente(cliente, dv, modelo) "
                 "y después print(f'Probabilidad de abandono: {probabilidad:.3f}').")
