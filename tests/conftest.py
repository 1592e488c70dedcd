"""Fixtures compartidas: el modelo del curso, uno pequeño para la app en memoria y el servicio real."""
import pytest

from abandono.datos import CLIENTE_LECCION
from abandono.integridad import RUTA_MODELO, cargar_modelo
from abandono.lanzador import en_marcha, orden_servicio, puerto_libre

pytest_plugins = ['abandono.calificador.complemento']


@pytest.fixture(scope='session')
def dv_modelo():
    return cargar_modelo(RUTA_MODELO)


@pytest.fixture(scope='session')
def probabilidad_leccion(dv_modelo):
    """La probabilidad del cliente de la lección con modelo_trabajo.bin: depende del núcleo de OpenBLAS, nunca se copia."""
    from abandono.prediccion import predict_cliente
    return float(predict_cliente(CLIENTE_LECCION, *dv_modelo))


@pytest.fixture(scope='session')
def dv_modelo_pequeno():
    """Un (dv, modelo) del curso entrenado en segundos con 300 clientes reales: para probar la app, no el modelo."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from abandono.datos import CARACTERISTICAS, cargar_clientes
    df = cargar_clientes().head(300)
    dv = DictVectorizer(sparse=False)
    X = dv.fit_transform(df[CARACTERISTICAS].to_dict(orient='records'))
    return dv, LogisticRegression(solver='liblinear').fit(X, df.churn)


@pytest.fixture(scope='session')
def app(dv_modelo_pequeno):
    """La app de crear_app con el modelo pequeño, sin servidor ni puerto."""
    from abandono.servicio import crear_app
    return crear_app(*dv_modelo_pequeno)


@pytest.fixture
def cliente_app(app):
    """El cliente de pruebas de Flask: peticiones a la app en memoria."""
    return app.test_client()


@pytest.fixture
def cliente():
    """Una copia del cliente de la lección que cada prueba puede estropear a su gusto."""
    return dict(CLIENTE_LECCION)


def _servicio(servidor):
    puerto = puerto_libre()
    with en_marcha(orden_servicio(servidor, puerto), puerto) as url:
        yield url


@pytest.fixture(scope='session')
def url_desarrollo():
    """servicio1.py con el servidor de desarrollo de Flask."""
    yield from _servicio('desarrollo')


@pytest.fixture(scope='session')
def url_gunicorn():
    """servicio1:app bajo gunicorn, con el comando de producción (dos workers gevent)."""
    yield from _servicio('gunicorn')


@pytest.fixture(scope='session')
def url_waitress():
    """servicio1:app bajo waitress (el servidor para Windows)."""
    yield from _servicio('waitress')


@pytest.fixture(scope='session', params=['desarrollo', 'gunicorn', 'waitress'])
def url_servicio(request):
    """El servicio vivo, una vez con cada servidor que recomienda el README."""
    return request.getfixturevalue(f'url_{request.param}')
