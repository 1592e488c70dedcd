"""Los tipos de modelo que sabe servir el servicio, y qué clases puede traer su pickle.

El curso entrena una regresión logística (este capítulo) y, en el siguiente,
un árbol de decisión y un bosque aleatorio. Los tres son clasificadores
binarios sobre las columnas de ``dv``, así que el servicio los sirve igual:

- la regresión logística, por la ruta rápida y exacta de ``Puntuador`` (una
  suma de pesos), que además explica cada predicción (``abandono.factores``);
- cualquier otro, con ``dv.transform`` y ``predict_proba``: unos 100 µs más
  por cliente, y sin factores, porque su predicción no es una suma de aportes.

La lista de clases que ``abandono.integridad`` deja deshacer del pickle sale
de esta tabla: añadir un tipo aquí es lo único que hace falta para servirlo.
"""
import importlib
from dataclasses import dataclass, field

from abandono.puntuador import Puntuador


@dataclass(frozen=True)
class Tipo:
    modulo: str  # donde vive la clase de scikit-learn (el que se lee en el pickle)
    clase: str
    parametros: dict  # los del libro
    otras_clases: frozenset = field(default_factory=frozenset)  # lo que más pide su pickle

    @property
    def clases_del_pickle(self):
        return {(self.modulo, self.clase), *self.otras_clases}

    def nuevo(self, **cambios):
        """Un modelo sin entrenar de este tipo, con los parámetros del libro (y ``cambios``)."""
        return getattr(importlib.import_module(self.modulo), self.clase)(**self.parametros | cambios)


_ARBOL = frozenset({('sklearn.tree._classes', 'DecisionTreeClassifier'), ('sklearn.tree._tree', 'Tree')})
TIPOS = {
    # Capítulo 4 del libro: liblinear, C=0.5.
    'logistica': Tipo('sklearn.linear_model._logistic', 'LogisticRegression',
                      {'solver': 'liblinear', 'C': 0.5, 'random_state': 1}),
    # Capítulo 6: los mejores parámetros que encuentra el libro para el árbol y el bosque.
    'arbol': Tipo('sklearn.tree._classes', 'DecisionTreeClassifier',
                  {'max_depth': 6, 'min_samples_leaf': 15, 'random_state': 1}, _ARBOL),
    'bosque': Tipo('sklearn.ensemble._forest', 'RandomForestClassifier',
                   {'n_estimators': 200, 'max_depth': 10, 'min_samples_leaf': 3, 'random_state': 1}, _ARBOL),
}
# Lo que comparten todos: el DictVectorizer y los arrays de NumPy que guardan los pesos.
_COMUNES = {
    ('sklearn.feature_extraction._dict_vectorizer', 'DictVectorizer'),
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('numpy', 'float64'),
    ('numpy._core.multiarray', '_reconstruct'),
    ('numpy._core.multiarray', 'scalar'),
}
CLASES_PERMITIDAS = frozenset(_COMUNES.union(*(t.clases_del_pickle for t in TIPOS.values())))


class PuntuadorProba:
    """La ruta general: ``predict_proba`` sobre ``dv.transform``, para modelos que no son una suma de pesos."""

    def __init__(self, dv, modelo):
        self.dv, self.modelo = dv, modelo

    def probabilidad(self, cliente):
        return float(self.modelo.predict_proba(self.dv.transform([cliente]))[0, 1])

    def probabilidades(self, clientes):
        if not clientes:
            return []
        return self.modelo.predict_proba(self.dv.transform(clientes))[:, 1].tolist()


def puntuador(dv, modelo):
    """El puntuador más rápido que es exacto para ``modelo``."""
    if type(modelo).__name__ == 'LogisticRegression':
        return Puntuador(dv, modelo)
    return PuntuadorProba(dv, modelo)
