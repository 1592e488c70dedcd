"""esquema.py: lo que puede traer una petición (CAMPOS) frente a lo que el modelo debe haber aprendido.

Las columnas numéricas del modelo (``datos.COLUMNAS_NUMERICAS``) son campos
obligatorios de la petición; cualquier otro campo de ``CAMPOS`` es opcional y
el modelo no lo usa, así que añadirlo no cambia qué modelo se puede cargar.
"""
import json

import pytest

from abandono.datos import CATEGORICAS, COLUMNAS_NUMERICAS, NUMERICAS
from abandono.esquema import CAMPOS, ErrorDeEntrada, Validador
from abandono.integridad import comprobar_forma


@pytest.fixture(scope='module')
def validador(dv_modelo):
    return Validador(dv_modelo[0])


def test_las_numericas_del_curso_salen_de_las_del_modelo():
    assert NUMERICAS == ['tenure', 'monthlycharges', 'totalcharges']
    assert set(COLUMNAS_NUMERICAS) - set(NUMERICAS) <= set(CATEGORICAS)  # seniorcitizen: categórica y 0/1


def test_cada_columna_del_modelo_es_obligatoria_y_lo_demas_opcional(validador):
    esquema = validador.esquema_json()
    assert set(COLUMNAS_NUMERICAS) <= set(CAMPOS)
    assert set(esquema['required']) == set(validador.categorias) | set(COLUMNAS_NUMERICAS)
    assert set(esquema['properties']) == set(validador.categorias) | set(CAMPOS)


def test_el_modelo_del_curso_tiene_las_columnas_que_pide_el_servicio(dv_modelo):
    comprobar_forma(*dv_modelo)  # no lanza ModeloNoConfiable


def test_un_campo_opcional_puede_faltar_y_se_valida_si_llega(validador, cliente):
    opcionales = set(CAMPOS) - set(COLUMNAS_NUMERICAS)
    assert 'customerid' in opcionales
    sin_opcionales = {c: v for c, v in cliente.items() if c not in opcionales}
    assert validador.cliente(json.dumps(sin_opcionales).encode()) == sin_opcionales
    with pytest.raises(ErrorDeEntrada) as error:
        validador.cliente(json.dumps(cliente | {'customerid': 'x' * 101}).encode())
    assert error.value.detalles == [{'campo': 'customerid', 'mensaje': 'es demasiado largo'}]
