"""Guardar y cargar ``(dv, modelo)`` con pickle sin fiarse de cualquier archivo.

Cargar un pickle ejecuta el código que el archivo pida. Por eso el servicio
hace dos comprobaciones antes de usar ``modelo_trabajo.bin``:

1. su huella SHA-256 debe coincidir con la de ``modelo_trabajo.bin.sha256``
   (formato de ``sha256sum``, que la puede comprobar con ``sha256sum -c``);
2. al deshacer el pickle solo se admiten las clases de un modelo del curso,
   de modo que un archivo manipulado no puede llamar a ``os.system`` ni a nada
   parecido aunque alguien haya rehecho también su huella.

Después comprueba que lo cargado tenga la forma que el servicio sabe servir
(``comprobar_forma``): una tupla ``(dv, modelo)`` con un clasificador binario
entrenado sobre las columnas de ``dv``. Cualquier fallo es un
``ModeloNoConfiable`` con un mensaje en español que dice qué está mal.
"""
import hashlib
import hmac
import io
import os
import pickle
from pathlib import Path

# Lo que puede pedir el pickle de (dv, modelo): sale de los tipos de modelo que sabe servir el servicio.
from abandono.datos import COLUMNAS_NUMERICAS
from abandono.modelos import CLASES_PERMITIDAS as _CLASES_PERMITIDAS
from abandono.taller import RAIZ

RUTA_MODELO = os.environ.get('ABANDONO_MODELO', str(RAIZ / 'modelo_trabajo.bin'))


class ModeloNoConfiable(Exception):
    """El archivo del modelo no es el que se guardó, pide algo que un modelo no necesita o no se puede servir."""


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
    except IsADirectoryError as error:
        raise ModeloNoConfiable(f'{error.filename} es una carpeta, no el archivo del modelo.') from None
    except OSError as error:
        raise ModeloNoConfiable(f'No se puede leer {error.filename}: {error.strerror}.') from None
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


def comprobar_forma(dv, modelo):
    """Que ``(dv, modelo)`` sea lo que el servicio sabe servir; si no, ``ModeloNoConfiable`` con el porqué."""
    from sklearn.feature_extraction import DictVectorizer

    if isinstance(modelo, DictVectorizer) and not isinstance(dv, DictVectorizer):
        raise ModeloNoConfiable('La tupla está al revés: se guardó (modelo, dv) y debe ser (dv, modelo).')
    if not isinstance(dv, DictVectorizer):
        raise ModeloNoConfiable(f'El primer elemento debe ser el DictVectorizer (dv), no {type(dv).__name__}.')
    if not hasattr(modelo, 'predict_proba') or not hasattr(modelo, 'classes_'):
        raise ModeloNoConfiable(f'El segundo elemento debe ser un modelo entrenado con predict_proba, '
                                f'no {type(modelo).__name__}.')
    if len(modelo.classes_) != 2:
        raise ModeloNoConfiable(
            f'El modelo distingue {len(modelo.classes_)} clases ({", ".join(map(str, modelo.classes_))}); '
            'el servicio necesita un clasificador binario: abandona (1) o no (0).')
    if getattr(modelo, 'n_features_in_', len(dv.feature_names_)) != len(dv.feature_names_):
        raise ModeloNoConfiable(f'El modelo espera {modelo.n_features_in_} columnas y dv produce '
                                f'{len(dv.feature_names_)}: no se entrenaron juntos.')
    # Las categorías salen de dv; los números deben ser los del curso, los que el servicio pide y valida.
    numericas = {n for n in dv.feature_names_ if dv.separator not in n}
    if numericas != set(COLUMNAS_NUMERICAS):
        sobran, faltan = sorted(numericas - set(COLUMNAS_NUMERICAS)), sorted(set(COLUMNAS_NUMERICAS) - numericas)
        raise ModeloNoConfiable(
            'Las columnas numéricas del modelo no son las del curso'
            + (f'; el servicio no conoce: {", ".join(sobran)}' if sobran else '')
            + (f'; faltan: {", ".join(faltan)}' if faltan else '') + '.')


def cargar_modelo(ruta=RUTA_MODELO):
    """Carga ``(dv, modelo)`` tras comprobar su huella, las clases que contiene y su forma."""
    contenido = leer_verificado(ruta)
    try:
        cargado = _DesempaquetadorSeguro(io.BytesIO(contenido)).load()
    except ModeloNoConfiable:
        raise
    except ImportError as error:
        raise ModeloNoConfiable(f'Para cargar {ruta} hace falta {error.name}, que no está instalado: '
                                'pip install -r requirements/servicio.txt.') from None
    except Exception as error:  # pickle corrupto: la huella cuadra pero no se guardó con pickle
        raise ModeloNoConfiable(f'{ruta} no es un pickle válido ({type(error).__name__}).') from None
    if not isinstance(cargado, tuple):
        raise ModeloNoConfiable(f'{ruta} no es una tupla (dv, modelo) sino un {type(cargado).__name__}: '
                                'guárdalo con pickle.dump((dv, modelo), f_out).')
    if len(cargado) != 2:
        raise ModeloNoConfiable(f'{ruta} es una tupla de {len(cargado)} elementos; debe ser (dv, modelo).')
    comprobar_forma(*cargado)
    return cargado
