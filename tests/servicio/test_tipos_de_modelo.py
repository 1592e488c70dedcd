"""El árbol y el bosque del capítulo siguiente: se entrenan, pasan la integridad y el servicio los sirve."""
import io
import pickle
import subprocess
import sys

import pytest
import requests

from abandono import modelos
from abandono.datos import CLIENTE_LECCION, cargar_clientes
from abandono.entrenamiento import dividir, entrenar
from abandono.integridad import cargar_modelo, guardar_modelo
from abandono.lanzador import RAIZ, en_marcha, orden_servicio, puerto_libre
from abandono.servicio import crear_app


class _Anotador(pickle.Unpickler):
    """Deshace el pickle apuntando cada clase que pide."""

    def __init__(self, datos):
        super().__init__(io.BytesIO(datos))
        self.pedidas = set()

    def find_class(self, modulo, nombre):
        self.pedidas.add((modulo, nombre))
        return super().find_class(modulo, nombre)


@pytest.fixture(scope='module')
def df_train_full():
    return dividir(cargar_clientes())[0]


@pytest.fixture(scope='module')
def archivos(df_train_full, tmp_path_factory):
    """{tipo: modelo_trabajo.bin} del árbol y del bosque, entrenados con la receta del libro."""
    rutas = {}
    for tipo in ('arbol', 'bosque'):
        rutas[tipo] = tmp_path_factory.mktemp(tipo) / 'modelo_trabajo.bin'
        guardar_modelo(*entrenar(df_train_full, tipo=tipo), rutas[tipo])
    return rutas


@pytest.fixture(params=['arbol', 'bosque'])
def archivo(request, archivos):
    return archivos[request.param]


def test_la_lista_de_clases_es_la_que_piden_los_tres_tipos(df_train_full):
    pedidas = set()
    for nombre, tipo in modelos.TIPOS.items():
        dv, modelo = entrenar(df_train_full.head(500), tipo=nombre)
        anotador = _Anotador(pickle.dumps((dv, modelo)))
        anotador.load()
        assert tipo.clases_del_pickle <= anotador.pedidas, nombre
        pedidas |= anotador.pedidas
    # Ni una clase de más: cada entrada de la lista la pide algún modelo del curso.
    assert pedidas == modelos.CLASES_PERMITIDAS


def test_se_cargan_y_se_puntuan_con_predict_proba(archivo):
    dv, modelo = cargar_modelo(archivo)
    assert isinstance(modelos.puntuador(dv, modelo), modelos.PuntuadorProba)
    app = crear_app(dv, modelo).test_client()
    esperada = modelo.predict_proba(dv.transform([CLIENTE_LECCION]))[0, 1]
    assert app.post('/predict', json=CLIENTE_LECCION).get_json()['probabilidad_abandono'] == esperada
    lote = app.post('/predict_lote', json=[CLIENTE_LECCION, CLIENTE_LECCION | {'tenure': 1}]).get_json()
    assert lote[0]['probabilidad_abandono'] == esperada and len(lote) == 2
    # La validación sigue saliendo de dv: una categoría desconocida es un 422.
    assert app.post('/predict', json=CLIENTE_LECCION | {'contract': 'semanal'}).status_code == 422


def test_sin_factores_y_lo_dice(archivo):
    app = crear_app(*cargar_modelo(archivo)).test_client()
    r = app.post('/predict?factores=3', json=CLIENTE_LECCION)
    assert r.status_code == 422
    assert 'solo existen para la regresión logística' in r.get_json()['detalles'][0]['mensaje']
    # La página no pide factores a un modelo que no los tiene.
    pagina = app.get('/').get_data(as_text=True)
    assert 'data-factores="0"' in pagina and 'id="factores"' not in pagina


@pytest.mark.lento
def test_servicio1_sirve_un_arbol_con_gunicorn(archivos):
    archivo = archivos['arbol']
    puerto = puerto_libre()
    with en_marcha(orden_servicio('gunicorn', puerto), puerto, env={'ABANDONO_MODELO': str(archivo)}) as url:
        r = requests.post(url + '/predict', json=CLIENTE_LECCION)
        assert r.status_code == 200 and 0 <= r.json()['probabilidad_abandono'] <= 1
        dv, modelo = cargar_modelo(archivo)
        assert f'tipo="{type(modelo).__name__}"' in requests.get(url + '/metrics').text


def test_entrenamiento_modelo_arbol(tmp_path):
    salida = tmp_path / 'arbol.bin'
    r = subprocess.run([sys.executable, '-m', 'abandono.entrenamiento', '--modelo', 'arbol', '--salida', str(salida)],
                       cwd=RAIZ, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert 'DecisionTreeClassifier guardado' in r.stdout
    # El árbol del libro (max_depth=6, min_samples_leaf=15) ronda un AUC de 0,8 en prueba.
    auc = float(r.stdout.rsplit('AUC en prueba ', 1)[1].rstrip(')\n'))
    assert 0.78 <= auc <= 0.86
    assert type(cargar_modelo(salida)[1]).__name__ == 'DecisionTreeClassifier'
