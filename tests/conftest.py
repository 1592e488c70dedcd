"""Fixtures compartidas: el modelo del curso y el servicio real en un puerto libre."""
import pytest

from abandono.datos import CLIENTE_LECCION
from abandono.integridad import RUTA_MODELO, cargar_modelo
from abandono.lanzador import en_marcha, orden_servicio, puerto_libre

pytest_plugins = ['abandono.calificador.complemento']


@pytest.fixture(scope='session')
def dv_modelo():
    return cargar_modelo(RUTA_MODELO)


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
    """servicio1:app bajo gunicorn con dos workers."""
    yield from _servicio('gunicorn')


@pytest.fixture(scope='session', params=['desarrollo', 'gunicorn'])
def url_servicio(request):
    """El servicio vivo, una vez con cada servidor."""
    return request.getfixturevalue(f'url_{request.param}')
