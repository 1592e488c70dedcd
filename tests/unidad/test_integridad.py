"""Un modelo manipulado se rechaza antes de ejecutar nada."""
import hashlib
import os
import pickle
import subprocess
import sys

import pytest

from abandono.integridad import ModeloNoConfiable, cargar_modelo, guardar_modelo, ruta_huella
from abandono.lanzador import RAIZ


class Trampa:
    """Al deshacer su pickle crea un archivo: la prueba de que se ejecutó código."""

    def __init__(self, marca):
        self.marca = marca

    def __reduce__(self):
        return (os.system, (f'touch {self.marca}',))


@pytest.fixture
def guardado(tmp_path, dv_modelo):
    ruta = tmp_path / 'modelo_trabajo.bin'
    guardar_modelo(*dv_modelo, ruta)
    return ruta


def test_ida_y_vuelta(guardado, dv_modelo):
    dv, modelo = cargar_modelo(guardado)
    assert dv.feature_names_ == dv_modelo[0].feature_names_
    assert (modelo.coef_ == dv_modelo[1].coef_).all()


def test_huella_en_formato_sha256sum(guardado):
    huella, nombre = open(ruta_huella(guardado)).read().split()
    assert nombre == 'modelo_trabajo.bin'
    assert huella == hashlib.sha256(guardado.read_bytes()).hexdigest()


def test_un_byte_cambiado_se_rechaza(guardado):
    datos = bytearray(guardado.read_bytes())
    datos[len(datos) // 2] ^= 0xFF
    guardado.write_bytes(bytes(datos))
    with pytest.raises(ModeloNoConfiable, match='no coincide'):
        cargar_modelo(guardado)


def test_sin_huella_se_rechaza(guardado):
    os.remove(ruta_huella(guardado))
    with pytest.raises(ModeloNoConfiable, match='No encuentro'):
        cargar_modelo(guardado)


def test_pickle_malicioso_con_la_huella_vieja_no_ejecuta_nada(guardado, tmp_path):
    marca = tmp_path / 'ejecutado'
    guardado.write_bytes(pickle.dumps(Trampa(marca)))
    with pytest.raises(ModeloNoConfiable, match='no coincide'):
        cargar_modelo(guardado)
    assert not marca.exists()


def test_pickle_malicioso_con_su_huella_rehecha_no_ejecuta_nada(guardado, tmp_path, dv_modelo):
    """Aunque el atacante rehaga también la huella, solo se admiten clases de un modelo."""
    marca = tmp_path / 'ejecutado'
    contenido = pickle.dumps((dv_modelo[0], Trampa(marca)))
    guardado.write_bytes(contenido)
    open(ruta_huella(guardado), 'w').write(f'{hashlib.sha256(contenido).hexdigest()}  modelo_trabajo.bin\n')
    with pytest.raises(ModeloNoConfiable, match='os|posix|system'):
        cargar_modelo(guardado)
    assert not marca.exists()


def test_el_servicio_se_niega_a_arrancar_con_un_modelo_alterado(guardado):
    guardado.write_bytes(guardado.read_bytes() + b'x')
    salida = subprocess.run(
        [sys.executable, 'servicio1.py'], cwd=RAIZ, capture_output=True, text=True, timeout=60,
        env={**os.environ, 'ABANDONO_MODELO': str(guardado)})
    assert salida.returncode != 0
    assert 'no coincide' in salida.stderr
    assert 'Traceback' not in salida.stderr
