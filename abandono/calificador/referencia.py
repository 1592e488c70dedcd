"""Con qué se compara: clientes reales y lo que el modelo de referencia dice de ellos.

Se toman ``N_CLIENTES`` clientes de los datos del curso (con y sin abandono) y
su probabilidad según ``modelo.predict_proba``. El cálculo necesita pandas y
scikit-learn (unos 2 s); el complemento de pytest lo guarda en la caché de
pytest con la huella del modelo como clave, así que una clase entera lo paga
una sola vez y un modelo reentrenado lo invalida.
"""
import hashlib
from pathlib import Path

from abandono.integridad import RUTA_MODELO

# Súbelo si cambia lo que devuelve calcular(): invalida lo guardado en la caché.
FORMATO = 2
N_CLIENTES = 50
SEMILLA = 42
TOLERANCIA = 1e-6        # al comparar probabilidades calculadas
TOLERANCIA_IMPRESA = 5e-4  # al buscar la probabilidad en un texto (3 decimales bastan)


def clave_cache(ruta=RUTA_MODELO):
    """La clave de la caché de pytest: el formato y la huella del modelo."""
    return f'calificador/referencia/{FORMATO}/{hashlib.sha256(Path(ruta).read_bytes()).hexdigest()}'


def calcular(ruta=RUTA_MODELO):
    from abandono.datos import CARACTERISTICAS, CLIENTE_LECCION, cargar_clientes
    from abandono.integridad import cargar_modelo

    dv, modelo = cargar_modelo(ruta)
    muestra = cargar_clientes().sample(N_CLIENTES, random_state=SEMILLA)
    clientes = muestra[CARACTERISTICAS].to_dict(orient='records')
    probabilidades = modelo.predict_proba(dv.transform(clientes))[:, 1]
    leccion = modelo.predict_proba(dv.transform([CLIENTE_LECCION]))[0, 1]
    return {
        'caracteristicas': CARACTERISTICAS,
        'clientes': clientes,
        'probabilidades': probabilidades.tolist(),
        'cliente_leccion': CLIENTE_LECCION,
        'probabilidad_leccion': float(leccion),
    }
