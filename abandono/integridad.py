"""Guardar y cargar ``(dv, modelo)`` con pickle sin fiarse de cualquier archivo.

Cargar un pickle ejecuta el código que el archivo pida. Por eso el servicio
hace dos comprobaciones antes de usar ``modelo_trabajo.bin``:

1. su huella SHA-256 debe coincidir con la de ``modelo_trabajo.bin.sha256``
   (formato de ``sha256sum``, que la puede comprobar con ``sha256sum -c``);
2. al deshacer el pickle solo se admiten las clases de un modelo del curso,
   de modo que un archivo manipulado no puede llamar a ``os.system`` ni a nada
   parecido aunque alguien haya rehecho también su huella.
"""
import hashlib
import hmac
import io
import os
import pickle
from pathlib import Path

RUTA_MODELO = os.environ.get(
    'ABANDONO_MODELO', str(Path(__file__).resolve().parent.parent / 'modelo_trabajo.bin'))

# Lo único que necesita el pickle de (DictVectorizer, LogisticRegression).
_CLASES_PERMITIDAS = {
    ('sklearn.feature_extraction._dict_vectorizer', 'DictVectorizer'),
    ('sklearn.linear_model._logistic', 'LogisticRegression'),
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('numpy', 'float64'),
    ('numpy._core.multiarray', '_reconstruct'),
}


class ModeloNoConfiable(Exception):
    """El archivo del modelo no es el que se guardó o pide algo que un modelo no necesita."""


def ruta_huella(ruta):
    return f'{ruta}.sha256'


def guardar_modelo(dv, modelo, ruta=RUTA_MODELO):
    """Escribe ``(dv, modelo)`` con pickle y su huella al lado; devuelve la huella."""
    contenido = pickle.dumps((dv, modelo))
    huella = hashlib.sha256(contenido).hexdigest()
    Path(ruta).write_bytes(contenido)
    Path(ruta_huella(ruta)).write_text(f'{huella}  {Path(ruta).name}\n', encoding='utf-8')
    return huella


def leer_verificado(ruta=RUTA_MODELO):
    """Devuelve los bytes del modelo solo si su SHA-256 es el de su archivo de huella."""
    try:
        contenido = Path(ruta).read_bytes()
        esperada = Path(ruta_huella(ruta)).read_text(encoding='utf-8').split()[0]
    except FileNotFoundError as error:
        raise ModeloNoConfiable(
            f'No encuentro {error.filename}. Entrena el modelo con '
            '"python -m abandono.entrenamiento" (o "make modelo").') from None
    except IndexError:
        raise ModeloNoConfiable(f'El archivo de huella {ruta_huella(ruta)} está vacío.') from None
    real = hashlib.sha256(contenido).hexdigest()
    if not hmac.compare_digest(real, esperada):
        raise ModeloNoConfiable(
            f'La huella SHA-256 de {ruta} no coincide con {ruta_huella(ruta)}: '
            'el archivo ha cambiado desde que se guardó y no se cargará. '
            'Vuelve a entrenar el modelo para obtener uno de confianza.')
    return contenido


class _DesempaquetadorSeguro(pickle.Unpickler):
    def find_class(self, modulo, nombre):
        if (modulo, nombre) not in _CLASES_PERMITIDAS:
            raise ModeloNoConfiable(
                f'El archivo del modelo pide cargar {modulo}.{nombre}, '
                'que no forma parte de un modelo del curso: se rechaza.')
        return super().find_class(modulo, nombre)


def cargar_modelo(ruta=RUTA_MODELO):
    """Carga ``(dv, modelo)`` tras comprobar su huella y las clases que contiene."""
    contenido = leer_verificado(ruta)
    try:
        dv, modelo = _DesempaquetadorSeguro(io.BytesIO(contenido)).load()
    except ModeloNoConfiable:
        raise
    except Exception as error:  # pickle corrupto o una tupla de otra forma
        raise ModeloNoConfiable(f'{ruta} no contiene la tupla (dv, modelo): {error}') from None
    return dv, modelo
