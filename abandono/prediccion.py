"""Las dos funciones de la lección para puntuar clientes, ya corregidas."""
from abandono.datos import CARACTERISTICAS


def a_diccionarios(df):
    # orient='records': la lección escribe 'rows', que pandas ya no acepta.
    return df[CARACTERISTICAS].to_dict(orient='records')


def predict(df, dv, modelo):
    """Probabilidad de abandono de cada fila de ``df``."""
    X = dv.transform(a_diccionarios(df))
    return modelo.predict_proba(X)[:, 1]


def predict_cliente(cliente, dv, modelo):
    """Probabilidad de abandono de un cliente (un dict), sin pasar por un DataFrame."""
    X = dv.transform([cliente])
    y_pred = modelo.predict_proba(X)[:, 1]
    return y_pred[0]
