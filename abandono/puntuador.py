"""La regresión logística del curso convertida en una suma de pesos.

``dv.transform`` + ``modelo.predict_proba`` cuestan unos 150 µs por cliente,
casi todo en preparar matrices. Para una regresión logística la probabilidad
es ``sigmoide(b + Σ peso·valor)``, y con el ``DictVectorizer`` cada valor de
texto aporta el peso de ``campo=valor`` y cada número ``peso·número``. Se
calcula lo mismo (las pruebas lo comparan con ``predict_proba`` para los 7043
clientes) en unos pocos microsegundos.
"""
import math
import operator

import numpy as np


class Puntuador:
    def __init__(self, dv, modelo):
        if modelo.coef_.shape[0] != 1:
            raise ValueError('El puntuador solo sirve para una regresión logística binaria.')
        self.sesgo = float(modelo.intercept_[0])
        # {'contract': {'one_year': peso, ...}, ...} y {'tenure': peso, ...}
        self.categoricas, self.numericas = {}, {}
        for nombre, peso in zip(dv.feature_names_, modelo.coef_[0].tolist()):
            if dv.separator in nombre:
                campo, valor = nombre.split(dv.separator, 1)
                self.categoricas.setdefault(campo, {})[valor] = peso
            else:
                self.numericas[nombre] = peso
        self._categoricas = tuple(self.categoricas.items())
        self._numericas = tuple(self.numericas.items())
        # Saca de un cliente los valores de todos los campos en ese orden, en C.
        self._campos = operator.itemgetter(*self.categoricas, *self.numericas)

    def probabilidad(self, cliente):
        """Probabilidad de abandono de un cliente ya validado (solo claves del modelo cuentan).

        Como ``dv.transform``: un texto que el modelo no conoce, o un campo
        que falta, no aporta nada (por eso el servicio valida antes).
        """
        z = self.sesgo
        for campo, pesos in self._categoricas:
            valor = cliente.get(campo)
            if isinstance(valor, str):
                z += pesos.get(valor, 0.0)
        for campo, peso in self._numericas:
            valor = cliente.get(campo)
            if valor is not None and not isinstance(valor, str):
                z += peso * valor
        # La misma sigmoide que scipy.special.expit, estable para z muy negativos.
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def probabilidades(self, clientes):
        """Lo mismo que ``probabilidad`` para una lista de clientes ya validados.

        Trabaja por columnas: ``itemgetter`` y ``zip`` sacan los valores en C y
        cada columna de texto se convierte en pesos con ``map``; un lote de
        1000 clientes cuesta así 1 ms en vez de 3. Las sumas van en el mismo
        orden que en ``probabilidad``. A diferencia de ella exige todos los
        campos y solo categorías conocidas (``KeyError`` si no): el servicio
        valida antes, y nada desconocido se puntúa en silencio.
        """
        if not clientes:
            return []
        columnas = zip(*map(self._campos, clientes))
        z = np.full(len(clientes), self.sesgo)
        for (_, pesos), columna in zip(self._categoricas, columnas):
            z += np.fromiter(map(pesos.__getitem__, columna), float, len(clientes))
        for (_, peso), columna in zip(self._numericas, columnas):
            z += peso * np.array(columna, dtype=float)
        # La sigmoide estable: exp de un número <= 0 nunca desborda.
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).tolist()
