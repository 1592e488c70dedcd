"""``python -m bench --rapido`` funciona de principio a fin (las cifras de verdad, con ``make bench``)."""
import re
import subprocess
import sys

import pytest

from abandono.lanzador import RAIZ


@pytest.mark.lento
def test_bench_rapido():
    # 600 s: cuatro servidores en «El servicio por HTTP»; con la CPU compartida, 300 s no bastaron.
    proceso = subprocess.run([sys.executable, '-m', 'bench', '--rapido'], cwd=RAIZ, capture_output=True,
                             text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proceso.returncode == 0, proceso.stderr[-3000:]
    salida = proceso.stdout
    for texto in ('predict_cliente', '/salud', '/predict', 'gunicorn gevent -w 2', 'gunicorn sync -w 2', 'waitress',
                  'clientes/s', 'Aguante', '/predict ÷ ruta vacía', 'p99 de /predict', 'entregas por minuto',
                  'Lo que cuestan las cajas'):
        assert texto in salida, salida
    # Ni una petición fallida en ninguna tabla (la última columna es «errores»).
    for linea in salida.splitlines():
        if linea.startswith(('| desarrollo', '| gunicorn', '| waitress')) and 'pet/s' not in linea:  # no las cabeceras
            assert linea.rstrip(' |').split()[-1] == '0', linea
    assert '**0 errores**' in salida


def filas(texto, cabecera):
    """Las filas (listas de celdas) de todas las tablas de ``texto`` cuya cabecera empieza por ``cabecera``."""
    return [[c.strip() for c in linea.strip('|').split('|')]
            for bloque in texto.split('\n| ' + cabecera)[1:]
            for linea in bloque.split('\n\n', 1)[0].splitlines()[2:]]


def test_las_cifras_de_la_documentacion_son_las_de_una_ejecucion_de_bench():
    """docs/bench.md es la última ejecución entera de make bench; los documentos citan sus cifras."""
    informe = (RAIZ / 'docs' / 'bench.md').read_text()
    velocidad = (RAIZ / 'docs' / 'velocidad.md').read_text()
    escalar = (RAIZ / 'docs' / 'escalar.md').read_text()
    produccion = (RAIZ / 'docs' / 'produccion.md').read_text()
    servicio = {(f[0], f[1]): f for f in filas(informe, 'servidor ') if len(f) == 8}
    # La CPU por /predict del comando recomendado: la base de las cuentas de «Escalar».
    cpu = servicio['gunicorn gevent -w 2 (recomendado)', '/predict'][5]
    assert f'unos {cpu} µs de CPU' in escalar
    # El cociente y el p99 de cada servidor, como los dice el informe.
    for linea in informe.splitlines():
        if '/predict ÷ ruta vacía' in linea:
            nombre, cociente, p99 = re.search(r'\*\*(.+?)\*\*.*?= \*\*([\d,]+)\*\*.*\*\*([\d ,]+) ms\*\*', linea).groups()
            assert f'| {nombre} | {cociente} | {p99} |' in velocidad, (nombre, cociente, p99)
    # Los clientes lentos del comando recomendado.
    lentos = {f[0]: f for f in filas(informe, 'servidor ') if len(f) == 6}
    respondidas = lentos['gunicorn gevent -w 2 (recomendado)'][1].replace('/', ' de ')
    assert respondidas in velocidad and respondidas in produccion
