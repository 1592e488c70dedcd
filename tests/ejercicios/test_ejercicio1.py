"""Ejercicio 1: servicio1.py como script (predict_cliente, cargar el modelo, puntuar un cliente)."""
import pytest

from abandono.calificador import diagnostico
from abandono.calificador.juicio import (
    bloque, causa_arranque, causa_matriz, falta, importado, no_termina, nota, nota_de_redondeo, pista_probabilidad,
    probabilidad_impresa, script, script_sin_error, suspenso, ultima_linea)
from abandono.calificador.referencia import MODELO_DE_LA_CALIFICACION, TOLERANCIA, coincide

ARCHIVO = 'servicio1.py'


@pytest.fixture
def informe(observador):
    return importado(observador, ARCHIVO)


def _sonda(informe, clave):
    return (informe.get('sondas') or {}).get(clave)


def test_carga_dv_y_modelo(observador, informe, referencia):
    """servicio1.py carga el DictVectorizer y el modelo de modelo_trabajo.bin"""
    cargados = _sonda(informe, 'cargados') or {}
    faltan = [nombre for nombre in ('dv', 'modelo') if not cargados.get('encontrados', {}).get(nombre)]
    if faltan:
        no_termina(observador, informe, ARCHIVO)
        suspenso('Al importar servicio1.py no quedan cargados el vectorizador y el modelo.',
                 'una variable con el DictVectorizer (dv) y otra con el modelo',
                 f'falta: {", ".join(faltan)}',
                 'modelo_trabajo.bin guarda la tupla (dv, modelo): '
                 "with open('modelo_trabajo.bin', 'rb') as f_in: dv, modelo = pickle.load(f_in)")
    probabilidades = cargados.get('probabilidades') or []
    if len(probabilidades) != len(referencia.probabilidades) or any(
            abs(o - e) > TOLERANCIA for o, e in zip(probabilidades, referencia.probabilidades)):
        suspenso('El dv y el modelo que carga servicio1.py no son los de modelo_trabajo.bin.',
                 'los de modelo_trabajo.bin, el archivo de la carpeta desde la que se ejecuta el script',
                 'otras probabilidades' if not cargados.get('error') else 'un error al usarlos',
                 "carga modelo_trabajo.bin con open('modelo_trabajo.bin', 'rb'), sin reentrenar ni copiar números.",
                 detalle=ultima_linea(cargados.get('error')) if cargados.get('error') else '')


def test_predict_cliente(observador, informe, referencia):
    """predict_cliente da la probabilidad del modelo para clientes nuevos"""
    resultados = _sonda(informe, 'predict_cliente')
    if resultados is None:
        no_termina(observador, informe, ARCHIVO)
        suspenso('servicio1.py no define la función predict_cliente.',
                 'def predict_cliente(cliente, dv, modelo)', 'no existe',
                 'copia la función predict_cliente de la lección en servicio1.py.')
    for numero, (obtenido, esperado) in enumerate(zip(resultados, referencia.probabilidades), start=1):
        if 'error' in obtenido:
            causa = diagnostico.causa(ARCHIVO, ultima_linea(obtenido['error']), None, observador.entrada.texto(ARCHIVO))
            if causa.etiqueta:   # una causa que también rompe otras cosas (dos predict_cliente): un bloque
                bloque(observador, causa, f'la probabilidad {esperado:.6f} del cliente n.º {numero}',
                       'predict_cliente(cliente, dv, modelo) se detiene con un error')
            suspenso(f'predict_cliente se detiene con un error con el cliente n.º {numero}.',
                     f'la probabilidad {esperado:.6f}', 'un error',
                     'prueba predict_cliente(cliente, dv, modelo) en un cuaderno con ese cliente.',
                     detalle=ultima_linea(obtenido['error']))
        if 'numero' not in obtenido:
            if obtenido.get('forma'):
                bloque(observador, causa_matriz(observador, ARCHIVO), f'un número como {esperado:.6f}',
                       f"una matriz de NumPy (con {obtenido['forma'][0]} número dentro)")
            suspenso(f'predict_cliente no devuelve un número con el cliente n.º {numero}.',
                     f'un número como {esperado:.6f}', f"un {obtenido['tipo']}",
                     'devuelve la probabilidad: y_pred[0], el número que hay dentro de lo que da predict_proba.')
        encontrado, redondeo = coincide([obtenido['numero']], esperado)
        if encontrado is None:
            suspenso(f'predict_cliente da otra probabilidad para el cliente n.º {numero}.',
                     f'{esperado:.6f}', f"{obtenido['numero']}", pista_probabilidad(obtenido['numero'], esperado),
                     nota=MODELO_DE_LA_CALIFICACION)
        if redondeo:
            nota(nota_de_redondeo(redondeo, 'predict_cliente'))
    if len(resultados) < len(referencia.probabilidades):
        suspenso('predict_cliente no respondió para todos los clientes.', f'{len(referencia.probabilidades)} respuestas',
                 f'{len(resultados)}', 'predict_cliente debe devolver la probabilidad sin cambiar nada fuera de ella.')


def test_imprime_la_probabilidad(observador, referencia):
    """python mi_trabajo/servicio1.py muestra la probabilidad del cliente de la lección"""
    falta(observador, ARCHIVO)
    ejecucion = observador.script(ARCHIVO)
    esperado = referencia.probabilidad_leccion
    encontrado, redondeo = probabilidad_impresa(ejecucion.salida, esperado)
    if encontrado is None:
        script_sin_error(observador, ARCHIVO)
        arranque = causa_arranque(observador, ARCHIVO) if ejecucion.codigo is None else None
        if arranque is not None:
            bloque(observador, arranque, 'que el script imprima la probabilidad del cliente de la lección',
                   'se queda sirviendo en app.run(...) antes de llegar a tu print')
        lineas = [l for l in ejecucion.salida.splitlines() if l.strip()]
        suspenso(f'"{script(ARCHIVO)}" no muestra la probabilidad del cliente de la lección.',
                 f'{esperado:.3f} (con el modelo de la calificación) en la salida',
                 f'{len(lineas)} líneas; la última: {lineas[-1][:120]!r}' if lineas else 'nada en la salida',
                 "dentro de if __name__ == '__main__': escribe probabilidad = predict_cliente(cliente, dv, modelo) "
                 "y después print(f'Probabilidad de abandono: {probabilidad:.3f}').", nota=MODELO_DE_LA_CALIFICACION)
    if 0 < redondeo < 3:
        nota(nota_de_redondeo(redondeo, f'"{script(ARCHIVO)}"', mostrada=True))
