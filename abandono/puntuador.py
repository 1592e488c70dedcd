"""La regresión logística del curso convertida en una suma de pesos.

``dv.transform`` + ``modelo.predict_proba`` cuestan unos 150 µs por cliente,
casi todo en preparar matrices. Para una regresión logística la probabilidad
es ``sigmoide(b + Σ peso·valor)``, y con el ``DictVectorizer`` cada valor de
texto aporta el peso de ``campo=valor`` y cada número ``peso·número``. Se
calcula lo mismo (las pruebas lo comparan con ``predict_proba`` para los 7043
clientes) en unos pocos microsegundos.
"""
import math


class Puntuador:
    def __init__(self, dv, modelo):
        if modelo.coef_.shape[0] != 1:
            raise ValueError('El puntuador solo sirve para una regresión logística binaria.')
        self.separador = dv.separator
        self.pesos = dict(zip(dv.feature_names_, modelo.coef_[0].tolist()))
        self.sesgo = float(modelo.intercept_[0])

    def probabilidad(self, cliente):
        """Probabilidad de abandono de un cliente ya validado (solo claves del modelo cuentan)."""
        z = self.sesgo
        for campo, valor in cliente.items():
            if isinstance(valor, str):
                z += self.pesos.get(f'{campo}{self.separador}{valor}', 0.0)
            else:
                z += self.pesos.get(campo, 0.0) * valor
        # La misma sigmoide que scipy.special.expit, estable para z muy negativos.
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
