"""La receta del curso da las cifras que publicó el libro."""
import numpy as np
import pandas as pd
import pytest

from abandono import nucleo
from abandono.datos import CARACTERISTICAS, CLIENTE_LECCION, cargar_clientes
from abandono.entrenamiento import dividir, entrenar, metricas
from abandono.prediccion import a_diccionarios, predict, predict_cliente


@pytest.fixture(scope='module')
def cifras():
    return metricas()


def test_exactitud_de_validacion_del_libro(cifras):
    assert round(cifras['exactitud_validacion'], 4) == 0.8016


def test_auc_de_prueba_del_libro(cifras):
    assert round(cifras['auc_prueba'], 3) == 0.858


def test_tamanos_de_los_conjuntos():
    df_train_full, df_train, df_val, df_test = dividir(cargar_clientes())
    assert (len(df_train_full), len(df_train), len(df_val), len(df_test)) == (5634, 3774, 1860, 1409)


def test_el_modelo_guardado_es_el_del_curso(dv_modelo):
    dv, modelo = dv_modelo
    assert (modelo.C, modelo.solver, modelo.random_state) == (0.5, 'liblinear', 1)
    assert dv.sparse is False
    # Una columna por numérica y una por valor de cada categórica (seniorcitizen es numérica para el dv).
    df = cargar_clientes()
    columnas = sum(1 if pd.api.types.is_numeric_dtype(df[c]) else df[c].nunique() for c in CARACTERISTICAS)
    assert len(dv.feature_names_) == columnas


def test_probabilidad_del_cliente_de_la_leccion(dv_modelo, probabilidad_leccion):
    """predict y predict_cliente dan lo mismo, «un 6 %» como dice el libro."""
    dv, modelo = dv_modelo
    assert predict(pd.DataFrame([CLIENTE_LECCION]), dv, modelo)[0] == probabilidad_leccion
    assert round(probabilidad_leccion, 2) == 0.06


def test_el_modelo_guardado_se_entreno_con_este_nucleo(probabilidad_leccion):
    """modelo_trabajo.bin es lo que da la receta aquí: con otro núcleo, las pruebas compararían dos modelos."""
    aqui = nucleo.cuentas()
    assert aqui['probabilidad'] == pytest.approx(probabilidad_leccion, abs=1e-12), (
        f'modelo_trabajo.bin no es el que da la receta con el núcleo {aqui["nucleo"]} de esta computadora: '
        'vuelve a entrenarlo con "python -m abandono.entrenamiento", con el mismo OPENBLAS_CORETYPE que las pruebas')


@pytest.mark.parametrize('nombre', nucleo.PROBABILIDADES_CONOCIDAS)
def test_el_par_conocido_de_cada_nucleo(nombre):
    """Cada núcleo, forzado en un subproceso, da su número de ``nucleo.PROBABILIDADES_CONOCIDAS``."""
    if falta := nucleo.falta_para(nombre):
        pytest.skip(falta)
    resultado = nucleo.en_nucleo(nombre)
    assert resultado['nucleo'] == nombre
    assert resultado['iteraciones'] == 25  # sin converger: por eso el núcleo cambia los dígitos
    assert nucleo.conocido(resultado['probabilidad']) == nombre, resultado


def test_convergida_la_receta_da_lo_mismo_con_cualquier_nucleo():
    """Con tol=1e-10 liblinear llega al óptimo: ``nucleo.PROBABILIDAD_CONVERGIDA``, la que citan el apéndice A1 y el modelo."""
    df = dividir(cargar_clientes())[0]
    dv, modelo = entrenar(df)
    modelo.set_params(tol=1e-10).fit(dv.transform(a_diccionarios(df)), df['churn'].values)
    assert modelo.n_iter_[0] > 25  # convergió más allá de donde se para la receta
    assert round(predict_cliente(CLIENTE_LECCION, dv, modelo), 4) == nucleo.PROBABILIDAD_CONVERGIDA


def test_predict_y_predict_cliente_coinciden_en_todos(dv_modelo):
    dv, modelo = dv_modelo
    df = cargar_clientes().head(300)
    uno_a_uno = [predict_cliente(c, dv, modelo) for c in df.drop(columns='churn').to_dict(orient='records')]
    np.testing.assert_allclose(uno_a_uno, predict(df, dv, modelo), rtol=0, atol=1e-15)
