"""El calificador sabe suspender: cada entrega de muestra saca justo los puntos esperados.

Toda la clase de muestras (más solutions/ y exercises/) se califica una sola
vez por sesión con la orden de clase, en paralelo; las pruebas leen de ahí.
"""
import csv
import shutil
import time
from pathlib import Path

import pytest

from abandono.calificador import clase, limites
from abandono.calificador.complemento import por_ejercicio
from abandono.calificador.ejercicios import EJERCICIOS, SOLUCIONES
from muestras import CORRECTA, ERROR, HOSTIL, MUESTRAS, construir

FUERA = 'FUERA_DE_LA_ENTREGA.txt'


@pytest.fixture(scope='session')
def calificada(tmp_path_factory):
    """(carpeta de entregas, {entrega: calificación}, carpeta de salida, segundos)."""
    base = tmp_path_factory.mktemp('clase')
    carpeta = base / 'entregas'
    construir(carpeta)
    shutil.copytree(SOLUCIONES, carpeta / 'solucion')
    shutil.copytree(EJERCICIOS, carpeta / 'esqueleto')
    inicio = time.monotonic()
    calificaciones = clase.calificar_clase(carpeta, progreso=False)
    segundos = time.monotonic() - inicio
    salida = base / 'salida'
    salida.mkdir()
    clase.escribir_csv(calificaciones, salida / 'calificaciones.csv')
    clase.escribir_informe(calificaciones, salida / 'informe_calificaciones.md', segundos)
    return carpeta, {c['entrega']: c for c in calificaciones}, salida, segundos


def puntos(calificacion):
    return {n: obtenidos for n, (_, obtenidos, _) in por_ejercicio(calificacion['resultados']).items()}


@pytest.fixture(scope='session')
def maximos(calificada):
    _, calificaciones, _, _ = calificada
    return {n: maximo for n, (_, _, maximo) in por_ejercicio(calificaciones['solucion']['resultados']).items()}


def test_la_solucion_saca_todos_los_puntos(calificada, maximos):
    _, calificaciones, _, _ = calificada
    assert puntos(calificaciones['solucion']) == maximos
    assert set(maximos) == {1, 2, 3, 4}


def test_los_ejercicios_generados_sacan_cero(calificada, maximos):
    _, calificaciones, _, _ = calificada
    assert puntos(calificaciones['esqueleto']) == dict.fromkeys(maximos, 0)


def test_hay_muestras_de_cada_tipo():
    tipos = [m.tipo for m in MUESTRAS]
    assert tipos.count(ERROR) >= 12 and tipos.count(CORRECTA) >= 4 and tipos.count(HOSTIL) >= 8


@pytest.mark.parametrize('muestra', MUESTRAS, ids=lambda m: m.nombre)
def test_cada_muestra_saca_lo_esperado(calificada, maximos, muestra):
    _, calificaciones, _, _ = calificada
    calificacion = calificaciones[muestra.nombre]
    assert calificacion['error'] is None, calificacion['error']
    assert puntos(calificacion) == {**maximos, **muestra.esperado}, muestra.descripcion


def test_cada_fallo_explica_que_se_esperaba(calificada):
    _, calificaciones, _, _ = calificada
    fallos = [r for c in calificaciones.values() for r in c['resultados'] if r['obtenidos'] < r['puntos']]
    assert fallos
    for fallo in fallos:
        for parte in ('Se esperaba:', 'Se obtuvo:', 'Pista:'):
            assert parte in fallo['mensaje'], fallo


def test_lo_escrito_fuera_de_la_entrega_no_llega_a_ningun_sitio(calificada):
    carpeta, _, _, _ = calificada
    for sitio in (carpeta, carpeta.parent, clase.RAIZ, Path.home(), Path.cwd()):
        assert not (sitio / FUERA).exists(), sitio


def test_la_clase_termina_dentro_de_sus_limites(calificada):
    carpeta, calificaciones, _, segundos = calificada
    assert len(calificaciones) == len(MUESTRAS) + 2
    # Cada entrega tiene su límite; en paralelo, la clase entera tarda mucho menos que su suma.
    assert segundos < len(calificaciones) * limites.ENTREGA / 4


def test_csv_e_informe(calificada, maximos):
    _, calificaciones, salida, _ = calificada
    with open(salida / 'calificaciones.csv', encoding='utf-8') as archivo:
        filas = list(csv.DictReader(archivo))
    columnas = ['entrega', *(f'ejercicio_{n}' for n in maximos), 'total', 'maximo']
    assert list(filas[0]) == columnas
    assert {f['entrega'] for f in filas} == set(calificaciones)
    solucion = next(f for f in filas if f['entrega'] == 'solucion')
    assert int(solucion['total']) == int(solucion['maximo']) == sum(maximos.values())
    informe = (salida / 'informe_calificaciones.md').read_text(encoding='utf-8')
    assert all(f'## {nombre}:' in informe for nombre in calificaciones)
    assert 'Pista:' in informe
