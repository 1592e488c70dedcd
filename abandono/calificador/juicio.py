"""Ayudas de las pruebas de tests/ejercicios: mensajes de suspenso y lectura de resultados.

Cada fallo dice en español qué se esperaba, qué llegó y una pista.
"""
import math
import re

import pytest

_NUMERO = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?')


def suspenso(que, esperado, obtenido, pista):
    pytest.fail(f'{que}\n  Se esperaba: {esperado}\n  Se obtuvo:   {obtenido}\n  Pista: {pista}',
                pytrace=False)


def recortar(texto, lineas=8):
    """Las últimas líneas de un texto largo (un traceback, la salida de un proceso)."""
    partes = (texto or '').strip().splitlines()
    return '\n    '.join(([''] if len(partes) > 1 else []) + partes[-lineas:]) or '(nada)'


def hechos_de(ejecucion):
    """Los hechos de un archivo, o un suspenso si falta o su proceso murió."""
    if ejecucion.hechos is None:
        suspenso(f'El proceso que ejecutaba {ejecucion.archivo} terminó sin dar resultados.',
                 f'que {ejecucion.archivo} se pueda ejecutar', recortar(ejecucion.salida),
                 'algo en tu archivo termina el proceso (os._exit, un fallo de memoria...); '
                 f'ejecútalo con "python {ejecucion.archivo}" y mira qué pasa.')
    if ejecucion.hechos.get('falta'):
        suspenso(f'Falta {ejecucion.archivo} en la entrega.', f'un archivo llamado {ejecucion.archivo}',
                 'ningún archivo con ese nombre', 'usa los nombres de archivo de la lección.')
    return ejecucion.hechos


def fase(ejecucion, nombre):
    """Los hechos de una fase ('importar' o 'script') que terminó sin errores."""
    hechos = hechos_de(ejecucion)
    resultado = hechos.get(nombre)
    orden = {'importar': f'import {ejecucion.archivo.removesuffix(".py")}',
             'script': f'python {ejecucion.archivo}'}[nombre]
    if resultado is None:  # la importación no terminó y el script no se llegó a ejecutar
        resultado = hechos['importar']
    if resultado['error']:
        suspenso(f'"{orden}" falla.', 'que termine sin errores', recortar(resultado['error']),
                 'ejecuta el archivo tú mismo y corrige el primer error que aparezca; '
                 'si tarda para siempre, busca un bucle que no termina.')
    return resultado


def es_numero(valor):
    return isinstance(valor, (int, float)) and not isinstance(valor, bool) and math.isfinite(valor)


def numeros_en_json(valor):
    """Los números de una respuesta JSON: ella misma o los valores de su objeto."""
    if es_numero(valor):
        return [valor]
    if isinstance(valor, dict):
        return [v for v in valor.values() if es_numero(v)]
    return []


def numeros_en_texto(texto):
    return [float(n) for n in _NUMERO.findall(texto or '')]


def cerca(valores, esperado, tolerancia):
    return any(abs(v - esperado) <= tolerancia for v in valores)


def pista_probabilidad(obtenido, esperado):
    """Adivina el error típico que da ``obtenido`` en lugar de ``esperado``."""
    if abs(obtenido - (1 - esperado)) <= 1e-6:
        return 'eso es 1 - probabilidad: usa la columna 1 de predict_proba ([:, 1]), no la 0.'
    if obtenido in (0, 1):
        return 'parece una clase (0/1): usa modelo.predict_proba(X)[:, 1], no modelo.predict(X).'
    return ('transforma el cliente con dv.transform([cliente]) y usa la columna 1 de '
            'modelo.predict_proba; comprueba que puntúas el cliente que recibes.')
