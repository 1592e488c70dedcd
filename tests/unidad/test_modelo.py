"""La receta del curso da las cifras que publicó el libro."""
import numpy as np
import pandas as pd
import pytest

from abandono.datos import CLIENTE_LECCION, cargar_clientes
from abandono.entrenamiento import dividir, metricas
from abandono.prediccion import predict, predict_cliente


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
    assert len(dv.feature_names_) == 45


def test_probabilidad_del_cliente_de_la_leccion(dv_modelo):
    """El libro dice «un 6 % de probabilidad»; el modelo del curso da 0.0619."""
    dv, modelo = dv_modelo
    prob = predict_cliente(CLIENTE_LECCION, dv, modelo)
    assert prob == pytest.approx(0.061876, abs=1e-6)
    assert predict(pd.DataFrame([CLIENTE_LECCION]), dv, modelo)[0] == prob


def test_predict_y_predict_cliente_coinciden_en_todos(dv_modelo):
    dv, modelo = dv_modelo
    df = cargar_clientes().head(300)
    uno_a_uno = [predict_cliente(c, dv, modelo) for c in df.drop(columns='churn').to_dict(orient='records')]
    np.testing.assert_allclose(uno_a_uno, predict(df, dv, modelo), rtol=0, atol=1e-15)
