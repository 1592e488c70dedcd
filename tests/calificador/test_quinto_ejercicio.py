"""Un quinto ejercicio cuesta lo que promete ejercicios.py: su solución, su entrada en la tabla y su prueba.

En una copia del taller se añaden justo esas tres cosas (``QUINTO``, abajo: es
el diff entero), se regenera exercises/ con ``make ejercicios`` y se califica
solutions/ con el calificador de siempre: saca todos los puntos, los del quinto
también, exercises/LEEME.md lo pone el último, y las pruebas rápidas del
calificador (muestras, make comprobar, exercises/) pasan sin tocarlas.

Lo mismo con un ejercicio que prueba una función nueva: la sonda la llama porque
la tabla lo dice (``Llamada``), sin tocar sonda.py. Y la tabla no puede tener una
comprobación sin prueba: el complemento se niega a calificar, elija lo que elija
-m, -k o un nodo.
"""
import subprocess
import sys

import pytest

from abandono import nucleo
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.lanzador import RAIZ

SOLUCION = '''"""columnas.py: ejercicio 5 de la lección.

Carga ``modelo_trabajo.bin`` y muestra cuántas columnas tiene el ``DictVectorizer``.
"""
import pickle

with open('modelo_trabajo.bin', 'rb') as f_in:
    dv, modelo = pickle.load(f_in)

# BEGIN SOLUCION: muestra cuántas columnas tiene el dv
print(len(dv.feature_names_))
# END SOLUCION
'''

PRUEBA = '''"""Ejercicio 5: cuántas columnas tiene el DictVectorizer."""
from abandono.calificador.juicio import suspenso
from abandono.integridad import cargar_modelo

ARCHIVO = 'columnas.py'


def test_muestra_las_columnas(observador, referencia):
    """columnas.py muestra cuántas columnas tiene el dv"""
    script = observador.script(ARCHIVO)
    esperado = str(len(cargar_modelo(referencia.modelo)[0].feature_names_))
    if script is None or esperado not in script.salida.split():
        suspenso('columnas.py no muestra las columnas del dv.', esperado,
                 script.salida[-80:] if script else 'no hay columnas.py', 'print(len(dv.feature_names_))')
'''

# La entrada de la tabla: un archivo nuevo (en ARCHIVOS) y su ejercicio (en EJERCICIOS).
ARCHIVO = "    Archivo('columnas.py', importar=False, sirve=False, precargar=('modelo',)),\n"
EJERCICIO = "    Ejercicio(5, 'columnas del dv', 'columnas.py', {'muestra_las_columnas': 2}),\n"


def _anadir_a_la_tabla(ruta, archivo=ARCHIVO, ejercicio=EJERCICIO):
    texto = ruta.read_text(encoding='utf-8')
    archivos, ejercicios = texto.index('ARCHIVOS = {'), texto.index('EJERCICIOS = {')
    # Cada entrada va justo antes del ")}" que cierra su tabla.
    fin_archivos = texto.index(')}\n', archivos)
    fin_ejercicios = texto.index(')}\n', ejercicios)
    texto = (texto[:fin_archivos] + archivo + texto[fin_archivos:fin_ejercicios] + ejercicio
             + texto[fin_ejercicios:])
    ruta.write_text(texto, encoding='utf-8')


@pytest.mark.lento
def test_un_quinto_ejercicio_son_tres_archivos(tmp_path):
    copia = nucleo.copia_con_modelo(tmp_path / 'taller', nucleo.nucleo())
    (copia / 'solutions' / 'columnas.py').write_text(SOLUCION, encoding='utf-8')
    _anadir_a_la_tabla(copia / 'abandono' / 'calificador' / 'ejercicios.py')
    (copia / 'tests' / 'ejercicios' / 'test_ejercicio5.py').write_text(PRUEBA, encoding='utf-8')

    generado = subprocess.run([sys.executable, '-m', 'abandono.calificador.generador'], cwd=copia,
                              capture_output=True, text=True, timeout=60)
    assert generado.returncode == 0, generado.stderr
    leeme = (copia / 'exercises' / 'LEEME.md').read_text(encoding='utf-8')
    assert leeme.index('## servicio1.py') < leeme.index('## flask_test.py') < leeme.index('## probar_servicio.py') \
        < leeme.index('## columnas.py')
    assert '\nprint(len(dv.feature_names_))\n' not in (copia / 'exercises' / 'columnas.py').read_text(encoding='utf-8')

    maximo = sum(sum(e.puntos.values()) for e in EJERCICIOS.values()) + 2
    calificado = subprocess.run([sys.executable, '-m', 'abandono.calificador.comprobar', 'solutions'], cwd=copia,
                                capture_output=True, text=True, timeout=300)
    assert f'Total: {maximo}/{maximo}' in calificado.stdout, calificado.stdout[-3000:] + calificado.stderr[-2000:]
    assert 'Ejercicio 5 (columnas del dv): 2/2' in calificado.stdout

    # Las muestras y las listas de las pruebas del calificador salen de la tabla: pasan sin tocarlas.
    (copia / '.venv').symlink_to(RAIZ / '.venv')  # make comprobar usa el entorno del taller
    pruebas = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-m', 'not lento',
         'tests/calificador/test_comprobar.py', 'tests/calificador/test_ejercicios_generados.py'],
        cwd=copia, capture_output=True, text=True, timeout=600)
    assert pruebas.returncode == 0, pruebas.stdout[-4000:]


# Un ejercicio que prueba una función nueva: la sonda la llama con el dv de la calificación porque la tabla lo dice.
SOLUCION_FUNCION = '''"""columnas.py: ejercicio 5 de la lección.

Escribe la función ``columnas(dv)``, que dice cuántas columnas tiene el ``DictVectorizer``.
"""


def columnas(dv):
    # BEGIN SOLUCION: devuelve len(dv.feature_names_)
    return len(dv.feature_names_)
    # END SOLUCION
'''

PRUEBA_FUNCION = '''"""Ejercicio 5: la función columnas(dv)."""
from abandono.calificador.juicio import importado, suspenso
from abandono.integridad import cargar_modelo

ARCHIVO = 'columnas.py'


def test_cuenta_las_columnas(observador, referencia):
    """columnas(dv) devuelve cuántas columnas tiene el dv"""
    esperado = len(cargar_modelo(referencia.modelo)[0].feature_names_)
    obtenido = (importado(observador, ARCHIVO).get('sondas') or {}).get('columnas') or [{}]
    if obtenido[0].get('numero') != esperado:
        suspenso('columnas(dv) no cuenta las columnas del dv.', esperado, obtenido[0], 'return len(dv.feature_names_)')
'''

ARCHIVO_FUNCION = ("    Archivo('columnas.py', script=False, sondas=(Llamada('columnas', ('dv',)),), "
                   "precargar=('modelo',)),\n")
EJERCICIO_FUNCION = "    Ejercicio(5, 'columnas del dv', 'columnas.py', {'cuenta_las_columnas': 2}),\n"


@pytest.mark.lento
def test_una_sonda_de_una_funcion_nueva_es_una_entrada_de_la_tabla(tmp_path):
    copia = nucleo.copia_con_modelo(tmp_path / 'taller', nucleo.nucleo())
    sonda = (copia / 'abandono' / 'calificador' / 'sonda.py').read_bytes()
    (copia / 'solutions' / 'columnas.py').write_text(SOLUCION_FUNCION, encoding='utf-8')
    _anadir_a_la_tabla(copia / 'abandono' / 'calificador' / 'ejercicios.py', ARCHIVO_FUNCION, EJERCICIO_FUNCION)
    (copia / 'tests' / 'ejercicios' / 'test_ejercicio5.py').write_text(PRUEBA_FUNCION, encoding='utf-8')
    generado = subprocess.run([sys.executable, '-m', 'abandono.calificador.generador'], cwd=copia,
                              capture_output=True, text=True, timeout=60)
    assert generado.returncode == 0, generado.stderr

    maximo = sum(sum(e.puntos.values()) for e in EJERCICIOS.values()) + 2
    for carpeta, puntos in (('solutions', 2), ('exercises', 0)):
        calificado = subprocess.run([sys.executable, '-m', 'abandono.calificador.comprobar', carpeta], cwd=copia,
                                    capture_output=True, text=True, timeout=300)
        assert f'Ejercicio 5 (columnas del dv): {puntos}/2' in calificado.stdout, \
            calificado.stdout[-3000:] + calificado.stderr[-2000:]
    assert f'Total: 0/{maximo}' in calificado.stdout, calificado.stdout[-3000:]   # el esqueleto, nada
    assert (copia / 'abandono' / 'calificador' / 'sonda.py').read_bytes() == sonda


# La tabla con una comprobación de más (o un ejercicio de más) y sin su prueba: el complemento no califica, elija
# lo que elija quien lanza pytest (pyproject.toml ya pone siempre -m). Un proceso por cambio, con cada elección.
_SIN_PRUEBA = '''
import dataclasses, sys
import pytest
from abandono.calificador import ejercicios
{cambio}
ELECCIONES = {elecciones}
codigos = [int(pytest.main(['tests/ejercicios' if not e or e[0].startswith('-') else e[0], '--collect-only', '-q',
                            '-p', 'no:cacheprovider', *(e if e and e[0].startswith('-') else [])])) for e in ELECCIONES]
print('CODIGOS', codigos)
'''
_COMPROBACION_DE_MAS = ("ejercicios.EJERCICIOS[1] = dataclasses.replace(ejercicios.EJERCICIOS[1], "
                        "puntos={**ejercicios.EJERCICIOS[1].puntos, 'sin_prueba': 1})")
_EJERCICIO_DE_MAS = "ejercicios.EJERCICIOS[9] = ejercicios.Ejercicio(9, 'sin prueba', 'servicio1.py', {'algo': 1})"


# Cómo se eligen pruebas: todas, con -m (como make test), con -k y con un nodo.
TODAS = [[], ['-m', 'not lento'], ['-k', 'predict'], ['tests/ejercicios/test_ejercicio1.py::test_predict_cliente']]


@pytest.mark.parametrize('cambio, falta, elecciones', [
    # En make test, con -m, como la corre make test; las cuatro (cada una, una recolección de unos 2 s), en la lenta.
    (_COMPROBACION_DE_MAS, 'test_sin_prueba', [['-m', 'not lento']]),
    pytest.param(_COMPROBACION_DE_MAS, 'test_sin_prueba', TODAS, marks=pytest.mark.lento),
    pytest.param(_EJERCICIO_DE_MAS, 'test_ejercicio9.py', TODAS, marks=pytest.mark.lento)],
    ids=['comprobacion-m', 'comprobacion', 'ejercicio'])
def test_una_entrada_de_la_tabla_sin_prueba_no_se_califica_elija_lo_que_elija(cambio, falta, elecciones):
    resultado = subprocess.run([sys.executable, '-c', _SIN_PRUEBA.format(cambio=cambio, elecciones=elecciones)],
                               cwd=RAIZ, capture_output=True, text=True, timeout=180)
    uso = int(pytest.ExitCode.USAGE_ERROR)
    assert f'CODIGOS {[uso] * len(elecciones)}' in resultado.stdout, \
        resultado.stdout[-2000:] + resultado.stderr[-2000:]
    assert resultado.stderr.count('comprobaciones sin prueba') == len(elecciones) and falta in resultado.stderr, \
        resultado.stderr
