"""abandono.campana contra el servicio vivo: los 7043 clientes por lotes, ordenados, en un CSV."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from abandono.datos import CARACTERISTICAS, cargar_clientes
from abandono.lanzador import RAIZ
from abandono.puntuador import Puntuador


@pytest.fixture(scope='module')
def tabla(tmp_path_factory):
    df = cargar_clientes()[CARACTERISTICAS]
    df.insert(0, 'customerid', [f'c{i:05d}' for i in range(len(df))])
    ruta = tmp_path_factory.mktemp('campana') / 'clientes.csv'
    df.to_csv(ruta, index=False)
    return ruta, df


def campana(*argumentos):
    return subprocess.run([sys.executable, '-m', 'abandono.campana', *map(str, argumentos)],
                          cwd=RAIZ, capture_output=True, text=True, timeout=120)


def test_todos_los_clientes_ordenados(tabla, tmp_path, url_gunicorn, dv_modelo):
    ruta, df = tabla
    salida = tmp_path / 'ranking.csv'
    r = campana(ruta, salida, '--url', url_gunicorn, '--lote', 1000, '--factores', 2)
    assert r.returncode == 0, r.stderr
    assert '7043/7043' in r.stderr  # la barra de progreso llegó al final
    ranking = pd.read_csv(salida)
    assert len(ranking) == 7043 and list(ranking['posicion']) == list(range(1, 7044))
    assert ranking['probabilidad_abandono'].is_monotonic_decreasing
    # Cada cliente con su probabilidad, la misma que da el modelo.
    esperadas = dict(zip(df['customerid'], Puntuador(*dv_modelo).probabilidades(df.to_dict(orient='records'))))
    obtenidas = ranking.set_index('customerid')['probabilidad_abandono']
    assert np.abs(obtenidas - obtenidas.index.map(esperadas)).max() <= 1e-12
    assert (ranking['abandono'] == (ranking['probabilidad_abandono'] >= 0.5)).all()
    assert ranking['factores'].str.count('=').eq(2).all()


def test_un_cliente_malo_dice_su_fila(tabla, tmp_path, url_gunicorn):
    _, df = tabla
    malo = df.head(2500).copy()
    malo.loc[1234, 'contract'] = 'semanal'
    ruta = tmp_path / 'malo.csv'
    malo.to_csv(ruta, index=False)
    r = campana(ruta, tmp_path / 'ranking.csv', '--url', url_gunicorn, '--lote', 1000)
    assert r.returncode == 1
    assert 'lote que empieza en la fila 1001' in r.stderr
    assert "fila 1235 del CSV, contract: valor desconocido 'semanal'" in r.stderr
    assert not (tmp_path / 'ranking.csv').exists()


def test_sin_servicio(tabla, tmp_path):
    from abandono.lanzador import puerto_libre
    r = campana(tabla[0], tmp_path / 'x.csv', '--url', f'http://127.0.0.1:{puerto_libre()}')
    assert r.returncode == 1 and '¿Está el servicio en marcha?' in r.stderr
