"""Con qué se compara: un modelo y unos clientes nuevos en cada calificación.

Cada calificación (una entrega con pytest, o una clase entera una sola vez)
parte de ``modelo_trabajo.bin``, sea del tipo que sea de los que entrena el curso
(``abandono.modelos.TIPOS``), y lo mueve al azar (con una semilla de
``os.urandom``) como dice ``MOVER`` para su tipo; después se inventa clientes con
los valores que conoce el ``dv``. Así ninguna probabilidad se puede saber de
antemano, ni siquiera la del cliente de la lección (la que da el modelo del
taller, en torno a 0.06): para acertarlas hay que cargar el modelo de la
calificación y puntuar.

El calificador calcula las probabilidades en su propio proceso y se las pasa a
pytest por la entrada estándar; el modelo movido vive en una carpeta privada y
cada caja recibe una copia.
"""
import copy
import json
import os
import random
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from abandono.integridad import RUTA_MODELO, cargar_modelo, guardar_modelo
from abandono.modelos import TIPOS

N_CLIENTES = 30
ARBOLES = 30               # los del bosque de la calificación (uno de 200 árboles pesa unos 10 MB)
TOLERANCIA = 1e-6          # al comparar probabilidades calculadas
MIN_DECIMALES = 2          # los decimales de un número con punto, como mínimo (0.7 puede ser round(p, 2))
# Entre todos los números redondeados de una respuesta o de una salida, cuánta probabilidad pueden cubrir
# (dos números de 2 decimales): una lista de números redondeados no acierta por estar cerca de todo.
MAX_CUBIERTO = 0.02 + 1e-9
MODELO_DE_LA_CALIFICACION = (
    'La calificación usa una copia de modelo_trabajo.bin con los pesos movidos al azar, así que el número '
    'no es el 0.06 de la lección: se comprueba que tu código calcula la probabilidad, no que copia un número.')


def decimales(numero):
    """Los decimales con que se escribió ``numero`` (su texto, o el ``repr`` más corto de un float).

    Un número con punto tiene al menos ``MIN_DECIMALES``: round(0.6984, 2) se escribe 0.7 (el
    cero del final no se escribe). Un entero (0, 1) no tiene ninguno.
    """
    texto = getattr(numero, 'texto', None) or (numero if isinstance(numero, str) else repr(float(numero)))
    try:
        lugares = max(0, -Decimal(texto.replace(',', '.')).as_tuple().exponent)
    except (InvalidOperation, TypeError):
        return 0
    return max(lugares, MIN_DECIMALES) if re.search(r'[.eE]', texto) else lugares


def tolerancia(numero):
    """Hasta dónde puede separarse ``numero`` de la probabilidad: media unidad de su último decimal.

    Redondear a 2 decimales o más es honrado (0.06 por 0.0596); un entero (una clase 0/1) no
    es una probabilidad: entonces vale solo ``TOLERANCIA``.
    """
    lugares = decimales(numero)
    return TOLERANCIA if lugares < MIN_DECIMALES else max(TOLERANCIA, 0.5 * 10 ** -lugares + 1e-12)


def coincide(numeros, esperado):
    """(el número de ``numeros`` que es ``esperado``, o None; si hizo falta el redondeo, sus decimales, o 0).

    Los números llevan su texto (``Escrito``) o son floats. Si los redondeados juntos cubren más
    de ``MAX_CUBIERTO`` de probabilidad, no se acepta ninguno por redondeo.
    """
    redondeo = sum(2 * tolerancia(n) for n in numeros if 0 <= float(n) <= 1 and tolerancia(n) > TOLERANCIA)
    for numero in numeros:
        margen = tolerancia(numero) if redondeo <= MAX_CUBIERTO else TOLERANCIA
        if abs(float(numero) - esperado) <= margen:
            return numero, (decimales(numero) if margen > TOLERANCIA else 0)
    return None, 0


class Escrito(float):
    """Un número leído de un texto (JSON o una salida) que recuerda cómo se escribió: sus decimales cuentan."""

    def __new__(cls, texto):
        numero = super().__new__(cls, texto)
        numero.texto = str(texto)
        return numero


@dataclass
class Referencia:
    modelo: str                  # ruta del modelo de la calificación (con su .sha256 al lado)
    clientes: list
    probabilidades: list
    cliente_leccion: dict
    probabilidad_leccion: float
    respuesta_prueba: float      # la probabilidad que responde el servicio de prueba del ejercicio 4
    variables: list              # dv.feature_names_: con ellas valida los clientes el servicio de prueba

    def a_json(self):
        return json.dumps(asdict(self))

    @classmethod
    def de_json(cls, texto):
        return cls(**json.loads(texto))


def cliente_al_azar(azar, valores):
    """Un cliente con el formato de la lección y valores que el ``dv`` conoce."""
    from abandono.datos import CATEGORICAS  # pandas: solo quien crea la referencia lo paga

    meses = azar.randint(0, 72)
    mensual = round(azar.uniform(18.25, 118.75), 2)
    cliente = {'customerid': f'{azar.randint(1000, 9999)}-{"".join(azar.choices("abcdefghijklmnopqrstuvwxyz", k=5))}'}
    cliente.update({c: azar.choice(valores[c]) for c in CATEGORICAS})
    cliente.update({'tenure': meses, 'monthlycharges': mensual,
                    'totalcharges': round(meses * mensual * azar.uniform(0.9, 1.1), 2)})
    return cliente


def _mover_lineal(modelo, azar):
    """Regresión logística: otra ordenada al origen y cada coeficiente un ±15 %."""
    modelo.intercept_ = modelo.intercept_ + azar.uniform(-1.0, 1.5)
    modelo.coef_ = modelo.coef_ * [[azar.uniform(0.85, 1.15) for _ in range(modelo.coef_.shape[1])]]


def _mover_hojas(arbol, azar, desplazamiento):
    """La proporción de abandonos de cada nodo, movida en la escala logit (la misma más un poco en cada uno)."""
    import numpy as np

    valores = arbol.tree_.value  # (nodos, 1, 2): la proporción de cada clase; se cambia en su sitio
    p = np.clip(valores[:, 0, 1], 0.01, 0.99)
    logit = np.log(p / (1 - p)) + desplazamiento + np.array([azar.uniform(-0.5, 0.5) for _ in p])
    valores[:, 0, 1] = 1 / (1 + np.exp(-logit))
    valores[:, 0, 0] = 1 - valores[:, 0, 1]


def _mover_arbol(modelo, azar):
    _mover_hojas(modelo, azar, azar.uniform(-1.0, 1.5))


def _mover_bosque(modelo, azar):
    """Unos árboles del bosque, elegidos al azar, con sus hojas movidas.

    Con todos (200) el pickle pasa de los 8 MB que una caja deja escribir
    (``limites.ARCHIVO``) y no se podría copiar a su zona.
    """
    modelo.estimators_ = azar.sample(modelo.estimators_, min(ARBOLES, len(modelo.estimators_)))
    modelo.n_estimators = len(modelo.estimators_)
    desplazamiento = azar.uniform(-1.0, 1.5)
    for arbol in modelo.estimators_:
        _mover_hojas(arbol, azar, desplazamiento)


# Cómo se mueve cada tipo de modelo del curso (una prueba exige uno por tipo de TIPOS).
MOVER = {'logistica': _mover_lineal, 'arbol': _mover_arbol, 'bosque': _mover_bosque}


def mover(modelo, azar):
    """Una copia de ``modelo`` movida al azar según su tipo."""
    (tipo,) = [nombre for nombre, t in TIPOS.items() if type(modelo).__name__ == t.clase]
    movido = copy.deepcopy(modelo)
    MOVER[tipo](movido, azar)
    return movido


def crear(carpeta, ruta=RUTA_MODELO, semilla=None):
    """Crea en ``carpeta`` el modelo de la calificación y devuelve la :class:`Referencia`."""
    from abandono.datos import CLIENTE_LECCION

    azar = random.Random(int.from_bytes(os.urandom(8)) if semilla is None else semilla)
    dv, modelo = cargar_modelo(ruta)
    movido = mover(modelo, azar)
    destino = Path(carpeta) / 'modelo_trabajo.bin'
    guardar_modelo(dv, movido, str(destino))

    valores = {}
    for nombre in dv.feature_names_:
        campo, igual, valor = nombre.partition('=')
        if igual:
            valores.setdefault(campo, []).append(valor)
    valores['seniorcitizen'] = [0, 1]  # numérica en el dv, 0/1 en la lección
    clientes = [cliente_al_azar(azar, valores) for _ in range(N_CLIENTES)]
    probabilidades = movido.predict_proba(dv.transform(clientes))[:, 1].tolist()
    leccion = float(movido.predict_proba(dv.transform([CLIENTE_LECCION]))[0, 1])
    return Referencia(modelo=str(destino), clientes=clientes, probabilidades=probabilidades,
                      cliente_leccion=dict(CLIENTE_LECCION), probabilidad_leccion=leccion,
                      respuesta_prueba=round(azar.uniform(0.05, 0.95), 4), variables=list(dv.feature_names_))
