"""exercises/ sale de solutions/ y no se toca a mano; los archivos de la raíz no copian respuestas."""
import ast
import re
import subprocess
import sys

import pytest
import requests

from abandono.calificador import generador as ejercicios
from abandono.calificador.generador import RegionMalFormada, a_ejercicio
from abandono.lanzador import RAIZ, en_marcha, puerto_libre


def test_exercises_esta_al_dia_con_solutions():
    assert ejercicios.diferencias() == [], 'Regenera exercises/ con "make ejercicios".'


def test_una_region_dentro_de_una_funcion_lanza_not_implemented():
    solucion = 'def f():\n    # BEGIN SOLUCION: devuelve 1\n    return 1\n    # END SOLUCION\n'
    ejercicio = a_ejercicio(solucion)
    assert 'return 1' not in ejercicio
    assert '    # TODO: devuelve 1\n' in ejercicio
    espacio = {}
    exec(ejercicio, espacio)
    with pytest.raises(NotImplementedError, match='devuelve 1'):
        espacio['f']()


def test_una_region_del_modulo_deja_el_archivo_importable():
    ejercicio = a_ejercicio('x = 1\n# BEGIN SOLUCION: define y\ny = 2\n# END SOLUCION\nz = 3\n')
    assert ejercicio == 'x = 1\n# TODO: define y\nz = 3\n'
    ast.parse(ejercicio)


def test_las_regiones_del_main_no_lanzan_y_dejan_un_solo_pass():
    solucion = ("if __name__ == '__main__':\n    # BEGIN SOLUCION: imprime\n    print(1)\n    # END SOLUCION\n\n"
                "    # BEGIN SOLUCION: sirve\n    print(2)\n    # END SOLUCION\n")
    ejercicio = a_ejercicio(solucion)
    assert 'raise' not in ejercicio and ejercicio.count('pass') == 1
    assert ejercicio.rstrip().endswith('# TODO: sirve\n    pass')
    exec(compile(ejercicio, 'ejercicio', 'exec'), {'__name__': '__main__'})  # corre entero, sin errores


# Código en una pista: una llamada («app.run(»), una asignación, un decorador, un import o un índice.
CODIGO = re.compile(r"\w\(|\s=\s|@\w|\bimport\b|\[:")


def test_cada_pista_dice_el_objetivo_sin_el_codigo():
    """Los TODO dicen qué debe hacer el código, con las palabras de la lección; las líneas exactas,
    solo en las soluciones plegadas de los cuadernos."""
    pistas = [linea.strip() for nombre, texto in ejercicios.generar().items() if nombre.endswith('.py')
              for linea in texto.splitlines() if '# TODO' in linea]
    assert pistas and [p for p in pistas if CODIGO.search(p)] == []
    assert CODIGO.search("# TODO: arranca la aplicación con app.run(debug=False, host='0.0.0.0', port=9696)")


@pytest.mark.parametrize('texto', ['# BEGIN SOLUCION\nx = 1\n', 'x = 1\n# END SOLUCION\n',
                                   '# BEGIN SOLUCION\n# BEGIN SOLUCION\n# END SOLUCION\n'])
def test_regiones_mal_cerradas(texto):
    with pytest.raises(RegionMalFormada):
        a_ejercicio(texto)


def test_cada_solucion_tiene_regiones_y_su_ejercicio_compila():
    for nombre, texto in ejercicios.generar().items():
        if nombre.endswith('.py'):
            assert 'TODO' in texto, nombre
            ast.parse(texto)


def test_flask_test_de_la_raiz_no_copia_la_respuesta():
    arbol = ast.parse((RAIZ / 'flask_test.py').read_text(encoding='utf-8'))
    assert not [n for n in ast.walk(arbol) if isinstance(n, ast.FunctionDef)], 'hola solo vive en solutions/'


def test_flask_test_de_la_raiz_sirve_hola():
    puerto = puerto_libre()
    with en_marcha([sys.executable, 'flask_test.py'], puerto,
                   env={'PUERTO': str(puerto)}) as url:
        assert requests.get(f'{url}/hola', timeout=5).text == 'Hola C8280'


def test_make_ejercicios_comprobar_dice_que_esta_al_dia():
    resultado = subprocess.run([sys.executable, '-m', 'abandono.calificador.generador', '--comprobar'],
                               cwd=RAIZ, capture_output=True, text=True, timeout=60)
    assert resultado.returncode == 0 and 'al día' in resultado.stdout, resultado.stderr


def test_el_cliente_escrito_en_cada_archivo_es_el_de_la_leccion():
    """Soluciones y esqueletos escriben el cliente a mano, como el estudiante: debe ser CLIENTE_LECCION."""
    from abandono.datos import CLIENTE_LECCION
    escritos = {}
    rutas = [*(RAIZ / 'solutions').glob('*.py'), *(RAIZ / 'exercises').glob('*.py')]
    for ruta in rutas:
        for nodo in ast.walk(ast.parse(ruta.read_text(encoding='utf-8'))):
            if isinstance(nodo, ast.Assign) and [getattr(t, 'id', None) for t in nodo.targets] == ['cliente'] \
                    and isinstance(nodo.value, ast.Dict):
                escritos[f'{ruta.parent.name}/{ruta.name}'] = ast.literal_eval(nodo.value)
    assert escritos.keys() >= {'solutions/servicio1.py', 'solutions/probar_servicio.py'}
    assert {nombre: c for nombre, c in escritos.items() if c != CLIENTE_LECCION} == {}
