"""El modelo de la calificación sale de modelo_trabajo.bin sea cual sea el tipo que entrena el curso."""

from pathlib import Path

import pytest
from sklearn.feature_extraction import DictVectorizer

from abandono.calificador import limites, referencia
from abandono.datos import CARACTERISTICAS, cargar_clientes
from abandono.integridad import cargar_modelo, guardar_modelo
from abandono.modelos import TIPOS


def test_cada_tipo_de_modelo_sabe_como_moverse():
    assert referencia.MOVER.keys() == TIPOS.keys()


@pytest.fixture(scope='module')
def clientes():
    return cargar_clientes().head(600)


@pytest.mark.parametrize('tipo', TIPOS)
def test_la_referencia_de_cada_tipo_es_otra_y_se_puede_cargar(tipo, clientes, tmp_path):
    dv = DictVectorizer(sparse=False)
    X = dv.fit_transform(clientes[CARACTERISTICAS].to_dict(orient='records'))
    modelo = TIPOS[tipo].nuevo().fit(X, clientes['churn'])
    ruta = tmp_path / 'modelo_trabajo.bin'
    guardar_modelo(dv, modelo, str(ruta))

    (tmp_path / 'calificacion').mkdir()
    (tmp_path / 'otra').mkdir()
    ref = referencia.crear(tmp_path / 'calificacion', ruta=str(ruta), semilla=7)
    dv_movido, movido = cargar_modelo(ref.modelo)  # lo que abrirá la entrega, con su huella
    assert type(movido) is type(modelo)
    # Cabe en lo que una caja deja escribir: se copia a su zona (el bosque, con menos árboles).
    assert Path(ref.modelo).stat().st_size < limites.ARCHIVO
    if tipo == 'bosque':
        assert len(movido.estimators_) == movido.n_estimators == referencia.ARBOLES
    assert movido.predict_proba(dv_movido.transform(ref.clientes))[:, 1].tolist() == ref.probabilidades
    originales = modelo.predict_proba(dv.transform(ref.clientes))[:, 1]
    distintas = sum(abs(a - b) > 1e-6 for a, b in zip(originales, ref.probabilidades))
    assert distintas >= 0.9 * len(ref.clientes), 'el modelo de la calificación debe dar otras probabilidades'
    assert all(0 < p < 1 for p in ref.probabilidades)
    # Otra semilla, otro modelo: nada se puede saber de antemano.
    otra = referencia.crear(tmp_path / 'otra', ruta=str(ruta), semilla=8)
    assert otra.probabilidad_leccion != ref.probabilidad_leccion
    assert modelo.predict_proba(dv.transform([ref.cliente_leccion]))[0, 1] != ref.probabilidad_leccion
