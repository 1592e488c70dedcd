"""Puntuar una campaña entera: todos los clientes de una tabla, por lotes, contra el servicio.

    python -m abandono.campana clientes.csv ranking.csv                  # servicio en localhost:9696
    python -m abandono.campana clientes.csv ranking.csv --url http://abandono --factores 3

Lee el CSV por trozos (nunca la tabla entera en memoria), manda cada trozo a
``POST /predict_lote`` con una sola conexión abierta, enseña una barra de
progreso y escribe la lista ordenada de mayor a menor probabilidad: los
primeros son a quienes llamar antes. Si el servicio rechaza un cliente, se
para y dice en qué fila del CSV está y qué le pasa.
"""
import sys

import pandas as pd
import requests
from tqdm import tqdm

from abandono.ayuda import analizador
from abandono.esquema import MAX_CLIENTES_LOTE
from abandono.taller import PUERTO_LECCION

URL = f'http://localhost:{PUERTO_LECCION}'
LOTE = 1000


class CampanaFallida(RuntimeError):
    """El servicio rechazó un lote o no respondió; el mensaje dice dónde y por qué."""


def _contar_filas(ruta):
    """Filas de datos del CSV (sin la cabecera), contando saltos de línea: para la barra de progreso."""
    with open(ruta, 'rb') as archivo:
        saltos, ultimo = 0, b'\n'
        for bloque in iter(lambda: archivo.read(1 << 20), b''):
            saltos += bloque.count(b'\n')
            ultimo = bloque[-1:]
    return max(0, saltos + (ultimo != b'\n') - 1)


def _trozos(ruta, lote):
    """(clientes del trozo, sus customerid o None, el trozo en JSON) para cada trozo del CSV.

    ``to_json`` escribe el JSON en C (un hueco del CSV pasa a null): convertir
    cada fila en un dict de Python costaría más que puntuarla en el servicio.
    """
    for trozo in pd.read_csv(ruta, chunksize=lote, dtype={'customerid': str}):
        ids = list(trozo['customerid']) if 'customerid' in trozo else [None] * len(trozo)
        yield ids, trozo.to_json(orient='records', double_precision=15)


def _explicar(respuesta, primera):
    """El error del servicio, con las posiciones del lote traducidas a filas del CSV."""
    try:
        datos = respuesta.json()
    except ValueError:
        return f'el servicio respondió {respuesta.status_code} sin JSON'
    lineas = [datos.get('error', '')]
    for detalle in datos.get('detalles', [])[:5]:
        campo = detalle['campo']
        if campo.startswith('clientes['):
            posicion, _, resto = campo.removeprefix('clientes[').partition(']')
            campo = f'fila {primera + int(posicion) + 1} del CSV, {resto.lstrip(".")}'
        lineas.append(f'  {campo}: {detalle["mensaje"]}')
    return '\n'.join(lineas)


def puntuar_tabla(ruta, url=URL, lote=LOTE, factores=0, progreso=True):
    """DataFrame con ``customerid``, ``probabilidad_abandono``, ``abandono`` (y ``factores``), ordenado.

    Sin columna ``customerid`` se identifica a cada cliente por su fila en el CSV.
    """
    if not 1 <= lote <= MAX_CLIENTES_LOTE:
        raise ValueError(f'el lote debe tener entre 1 y {MAX_CLIENTES_LOTE} clientes')
    destino = url.rstrip('/') + '/predict_lote' + (f'?factores={factores}' if factores else '')
    resultados, hechos = [], 0
    with requests.Session() as sesion, tqdm(total=_contar_filas(ruta), unit=' clientes', disable=not progreso, desc='Puntuando') as barra:
        for ids, cuerpo in _trozos(ruta, lote):
            try:
                respuesta = sesion.post(destino, data=cuerpo, timeout=60,
                                        headers={'Content-Type': 'application/json'})
            except requests.RequestException as error:
                raise CampanaFallida(f'No se pudo llamar a {destino}: {error}. ¿Está el servicio en marcha?') from None
            if respuesta.status_code != 200:
                raise CampanaFallida(f'El servicio rechazó el lote que empieza en la fila {hechos + 1}:\n'
                                     + _explicar(respuesta, hechos))
            for fila, (customerid, resultado) in enumerate(zip(ids, respuesta.json()), start=hechos + 1):
                resultado.setdefault('customerid', customerid if isinstance(customerid, str) else f'fila {fila}')
                if factores:
                    resultado['factores'] = '; '.join(
                        f"{f['campo']}={f['valor']} ({f['aporte']:+.3f})" for f in resultado['factores'])
                resultados.append(resultado)
            hechos += len(ids)
            barra.update(len(ids))
    columnas = ['customerid', 'probabilidad_abandono', 'abandono'] + (['factores'] if factores else [])
    tabla = pd.DataFrame(resultados, columns=columnas)
    # mergesort: a igual probabilidad se conserva el orden del CSV.
    tabla = tabla.sort_values('probabilidad_abandono', ascending=False, kind='mergesort', ignore_index=True)
    tabla.insert(0, 'posicion', range(1, len(tabla) + 1))
    return tabla


def main(argv=None):
    parser = analizador(prog='python -m abandono.campana', description=__doc__.split('\n\n')[0])
    parser.add_argument('entrada', help='CSV con los clientes (las columnas de la lección y, si quieres, customerid)')
    parser.add_argument('salida', help='CSV donde se escribe la lista ordenada')
    parser.add_argument('--url', default=URL, help='dirección del servicio (por defecto %(default)s)')
    parser.add_argument('--lote', type=int, default=LOTE, help='clientes por petición (por defecto %(default)s)')
    parser.add_argument('--factores', type=int, default=0, metavar='N',
                        help='añade los N factores que más pesan en cada cliente')
    args = parser.parse_args(argv)
    try:
        tabla = puntuar_tabla(args.entrada, args.url, args.lote, args.factores)
    except (CampanaFallida, ValueError, OSError) as error:
        sys.exit(f'campana: {error}')
    tabla.to_csv(args.salida, index=False)
    print(f'{len(tabla)} clientes puntuados; {int(tabla["abandono"].sum())} por encima del umbral. '
          f'Lista ordenada en {args.salida}', file=sys.stderr)


if __name__ == '__main__':
    main()
