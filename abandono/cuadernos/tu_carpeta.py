"""Qué carpeta ejecutan los cuadernos 04 a 08, y tu servicio frente al de la referencia.

    from abandono.cuadernos import tu_carpeta
    carpeta = tu_carpeta.carpeta(CARPETA)     # 'mi_trabajo' (la tuya) o 'solutions' (la referencia)
    tabla = tu_carpeta.comparar(clientes, referencia, tuyo)
"""
from pathlib import Path

from abandono.lanzador import RAIZ

SOLUCIONES = RAIZ / 'solutions'


def carpeta(nombre):
    """La carpeta cuyos scripts se ejecutan, y dice cuál es.

    ``nombre`` es una ruta desde la raíz del taller (o absoluta): ``'mi_trabajo'``, la
    que crea ``make empezar``, o ``'solutions'``, la referencia. Si aún no existe lo
    dice sin error: lo que dependa de tu código explicará después qué falta.
    """
    ruta = (RAIZ / nombre).resolve()
    if ruta == SOLUCIONES:
        print("CARPETA = 'solutions': se ejecuta la referencia, solutions/.")
    elif not ruta.is_dir():
        print(f'CARPETA = {str(nombre)!r}, pero esa carpeta no existe todavía. Créala con «make empezar» '
              '(sin make: python -m abandono.empezar), que copia los esqueletos de exercises/ en mi_trabajo/.')
    else:
        print(f'CARPETA = {str(nombre)!r}: se ejecuta tu código, {nombre}/.')
    return ruta


def probabilidad(datos):
    """La probabilidad en la respuesta de un ``/predict``, se llame como se llame su clave.

    La lección no fija el nombre: vale la clave que contenga «prob» o, si no hay, el primer decimal.
    """
    if isinstance(datos, dict):
        decimales = {clave: valor for clave, valor in datos.items() if isinstance(valor, float)}
        datos = next((v for k, v in decimales.items() if 'prob' in k.lower()), next(iter(decimales.values()), None))
    return datos if isinstance(datos, float) else None


def comparar(clientes, referencia, tuyo):
    """Tabla con la probabilidad de cada cliente según el servicio de referencia y según el tuyo.

    ``referencia`` y ``tuyo`` son servicios en marcha (:class:`~abandono.cuadernos.procesos.Proceso`,
    con ``url`` None si no quedaron sirviendo). Si el tuyo respondió un 500, debajo de la
    tabla se muestra su error, como lo escribió él.
    """
    import pandas as pd

    from abandono.cuadernos.procesos import error_de_python

    filas = [{'customerid': c.get('customerid'), 'referencia': _pedir(referencia, c), 'tuyo': _pedir(tuyo, c)}
             for c in clientes]
    for fila in filas:
        iguales = all(isinstance(fila[c], float) for c in ('referencia', 'tuyo'))
        fila['¿igual?'] = 'sí' if iguales and abs(fila['referencia'] - fila['tuyo']) < 1e-6 else 'NO'
    if any(f['tuyo'] == 'error 500' for f in filas):
        print(f'Tu servicio respondió «error 500». Esto escribió al fallar:\n{error_de_python(tuyo.salida(), tuyo.nombre)}\n')
    return pd.DataFrame(filas)


def _pedir(servicio, cliente):
    """Lo que ``servicio`` responde para ``cliente``: su probabilidad, o por qué no la hay."""
    import requests

    if servicio.url is None:
        return 'no sirve'
    try:
        respuesta = requests.post(f'{servicio.url}/predict', json=cliente, timeout=10)
        valor = probabilidad(respuesta.json()) if respuesta.ok else f'error {respuesta.status_code}'
    except (requests.RequestException, ValueError) as error:
        valor = f'sin respuesta JSON ({type(error).__name__})'
    return 'sin probabilidad' if valor is None else valor


def modulo(carpeta, archivo='servicio1.py'):
    """``carpeta/archivo`` como módulo que se importa desde la raíz del taller: ``'mi_trabajo.servicio1'``.

    Es lo que reciben gunicorn y waitress (``mi_trabajo.servicio1:app``) lanzados desde la
    raíz, donde tu script encuentra ``modelo_trabajo.bin``.
    """
    relativa = Path(carpeta).resolve().relative_to(RAIZ)
    return '.'.join((*relativa.parts, Path(archivo).stem))
