"""Un modelo manipulado se rechaza antes de ejecutar nada."""
import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from abandono.datos import CLIENTE_LECCION
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


def _multiclase(dv_modelo):
    from sklearn.linear_model import LogisticRegression
    dv, _ = dv_modelo
    clientes = [CLIENTE_LECCION | {'tenure': t} for t in range(6)]
    return dv, LogisticRegression().fit(dv.transform(clientes), [0, 1, 2, 0, 1, 2])


def _otras_columnas(dv_modelo):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    clientes = [{'contract': c, 'edad': e} for c, e in [('one_year', 30), ('two_year', 50), ('one_year', 70)]]
    dv = DictVectorizer(sparse=False).fit(clientes)
    return dv, LogisticRegression().fit(dv.transform(clientes), [0, 1, 0])


@pytest.mark.parametrize('construir, palabras', [
    (lambda dm: (dm[1], dm[0]), ['al revés', '(dv, modelo)']),
    (lambda dm: dm[0], ['no es una tupla', 'DictVectorizer']),
    (lambda dm: (*dm, 'sobra'), ['3 elementos', '(dv, modelo)']),
    (lambda dm: (dm[0], dm[0]), ['segundo elemento', 'predict_proba']),
    (_multiclase, ['3 clases', 'binario']),
    (_otras_columnas, ['edad']),
], ids=['tupla-al-reves', 'sin-tupla', 'tres-elementos', 'dos-dv', 'multiclase', 'otras-columnas'])
def test_un_modelo_de_otra_forma_se_rechaza_diciendo_que_falla(tmp_path, dv_modelo, construir, palabras):
    """Un pickle de confianza (su huella cuadra) que no es un (dv, modelo) binario del curso."""
    ruta = tmp_path / 'modelo_trabajo.bin'
    contenido = pickle.dumps(construir(dv_modelo))
    ruta.write_bytes(contenido)
    Path(ruta_huella(ruta)).write_text(f'{hashlib.sha256(contenido).hexdigest()}  modelo_trabajo.bin\n')
    with pytest.raises(ModeloNoConfiable) as error:
        cargar_modelo(ruta)
    for palabra in palabras:
        assert palabra in str(error.value)


def test_una_carpeta_en_lugar_del_modelo_se_rechaza(tmp_path):
    (tmp_path / 'modelo_trabajo.bin').mkdir()
    with pytest.raises(ModeloNoConfiable, match='es una carpeta'):
        cargar_modelo(tmp_path / 'modelo_trabajo.bin')
