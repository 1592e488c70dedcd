"""Con qué se compara: un modelo y unos clientes nuevos en cada calificación.

Cada calificación (una entrega con pytest, o una clase entera una sola vez)
parte de ``modelo_trabajo.bin`` y le mueve al azar la ordenada al origen y los
coeficientes (con una semilla de ``os.urandom``), y se inventa clientes con los
valores que conoce el ``dv``. Así ninguna probabilidad se puede saber de
antemano, ni siquiera la del cliente de la lección (0.062 con el modelo del
taller): para acertarlas hay que cargar el modelo de la calificación y puntuar.

El calificador calcula las probabilidades en su propio proceso y se las pasa a
pytest por la entrada estándar; el modelo movido vive en una carpeta privada y
cada caja recibe una copia.
"""
import copy
import json
import os
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from abandono.integridad import RUTA_MODELO, cargar_modelo, guardar_modelo

N_CLIENTES = 30
TOLERANCIA = 1e-6          # al comparar probabilidades calculadas
TOLERANCIA_IMPRESA = 6e-4  # al buscar una probabilidad en un texto (3 decimales bastan, redondeados)


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


def crear(carpeta, ruta=RUTA_MODELO, semilla=None):
    """Crea en ``carpeta`` el modelo de la calificación y devuelve la :class:`Referencia`."""
    from abandono.datos import CLIENTE_LECCION

    azar = random.Random(int.from_bytes(os.urandom(8)) if semilla is None else semilla)
    dv, modelo = cargar_modelo(ruta)
    movido = copy.deepcopy(modelo)
    movido.intercept_ = movido.intercept_ + azar.uniform(-1.0, 1.5)
    movido.coef_ = movido.coef_ * [[azar.uniform(0.85, 1.15) for _ in range(movido.coef_.shape[1])]]
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
