"""La receta de las lecciones anteriores (Machine Learning Bookcamp, caps. 3 y 4).

``python -m abandono.entrenamiento`` entrena el modelo final y escribe
``modelo_trabajo.bin`` (la tupla ``(dv, modelo)``) con su huella SHA-256.
``--modelo arbol`` o ``--modelo bosque`` entrenan en su lugar el árbol de
decisión o el bosque aleatorio del capítulo siguiente (``abandono.modelos``).
"""

from sklearn.feature_extraction import DictVectorizer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from abandono.ayuda import analizador
from abandono.datos import cargar_clientes
from abandono.integridad import RUTA_MODELO, guardar_modelo
from abandono.modelos import TIPOS
from abandono.prediccion import a_diccionarios, predict


def dividir(df):
    """Los conjuntos del libro: (entrenamiento completo, entrenamiento, validación, prueba)."""
    df_train_full, df_test = train_test_split(df, test_size=0.2, random_state=1)
    df_train, df_val = train_test_split(df_train_full, test_size=0.33, random_state=11)
    return df_train_full, df_train, df_val, df_test


def entrenar(df, C=0.5, tipo='logistica'):
    """Ajusta el DictVectorizer y un modelo del curso sobre ``df`` (por defecto, la regresión logística).

    ``C`` solo cuenta para la regresión logística; el resto de tipos usa los
    parámetros del libro que guarda ``abandono.modelos.TIPOS``.
    """
    dv = DictVectorizer(sparse=False)
    X = dv.fit_transform(a_diccionarios(df))
    modelo = TIPOS[tipo].nuevo(**({'C': C} if tipo == 'logistica' else {}))
    modelo.fit(X, df['churn'].values)
    return dv, modelo


def metricas(df=None):
    """Las cifras que publicó el libro para esta receta, recalculadas."""
    df = cargar_clientes() if df is None else df
    df_train_full, df_train, df_val, df_test = dividir(df)
    dv, modelo = entrenar(df_train, C=1.0)  # el modelo del capítulo 3
    y_val = predict(df_val, dv, modelo)
    dv, modelo = entrenar(df_train_full)  # el modelo final del capítulo 4
    y_test = predict(df_test, dv, modelo)
    return {
        'exactitud_validacion': float(((y_val >= 0.5) == df_val['churn'].values).mean()),
        'auc_validacion': float(roc_auc_score(df_val['churn'], y_val)),
        'auc_prueba': float(roc_auc_score(df_test['churn'], y_test)),
    }


def main(argv=None):
    parser = analizador(description='Entrena el modelo del curso y lo guarda con pickle.')
    parser.add_argument('--salida', default=RUTA_MODELO, help='archivo del modelo (por defecto %(default)s)')
    parser.add_argument('--modelo', choices=TIPOS, default='logistica',
                        help='logistica (este capítulo), arbol o bosque (el siguiente); por defecto %(default)s')
    args = parser.parse_args(argv)
    df_train_full, _, _, df_test = dividir(cargar_clientes())
    dv, modelo = entrenar(df_train_full, tipo=args.modelo)
    huella = guardar_modelo(dv, modelo, args.salida)
    auc = roc_auc_score(df_test['churn'], predict(df_test, dv, modelo))
    print(f'{type(modelo).__name__} guardado en {args.salida} (SHA-256 {huella[:12]}…; AUC en prueba {auc:.3f})')


if __name__ == '__main__':
    main()
