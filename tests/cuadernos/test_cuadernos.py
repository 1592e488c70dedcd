"""Los cuadernos de notebooks/, ejecutados de verdad contra el servicio vivo.

Tres comprobaciones por cuaderno:

1. lo guardado: tiene salidas, ninguna de error, y su celda ``resumen`` dice lo que debe;
2. papermill lo ejecuta con sus parámetros (la URL del servicio que arrancó la
   fixture, una carpeta temporal) y se comprueban los resultados que importan
   leyendo la celda ``resumen`` (un JSON) del cuaderno ejecutado;
3. nbval vuelve a ejecutar el cuaderno guardado y compara cada salida con la
   guardada, con ``sanitizar.cfg`` para lo que cambia de verdad entre ejecuciones.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from abandono.cuaderno import CUADERNOS, RAIZ, VARIABLE_URL

SANITIZAR = Path(__file__).with_name('sanitizar.cfg')
NOMBRES = sorted(p.name for p in CUADERNOS.glob('[0-9][0-9]_*.ipynb'))
PROBABILIDAD_LECCION = 0.0619  # el «6 %» del libro para el cliente 8879-zkjof


def _celdas_con(nb, etiqueta):
    return [c for c in nb.cells if etiqueta in c.get('metadata', {}).get('tags', [])]


def _texto(celda):
    return ''.join(o.get('text', '') for o in celda.outputs if o.output_type == 'stream')


def resumen(nb):
    """El JSON que imprime la celda con la etiqueta ``resumen``."""
    (celda,) = _celdas_con(nb, 'resumen')
    return json.loads(_texto(celda))


def parametros(nb):
    (celda,) = _celdas_con(nb, 'parameters')
    return celda.source


# Lo que cada cuaderno tiene que haber obtenido; cada función recibe el resumen
# y el cuaderno ejecutado.
def _comprobar_01(r, nb):
    assert r['columnas_object_con_pandas3'] == []  # la trampa de pandas 3, ocurriendo de verdad
    assert r['exactitud_validacion'] == pytest.approx(0.8016, abs=1e-4)
    assert r['auc_validacion'] == pytest.approx(0.836, abs=1e-3)
    assert r['auc_prueba'] == pytest.approx(0.858, abs=1e-3)
    assert r['probabilidad_cliente'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-4)
    salidas = [o for c in nb.cells if c.cell_type == 'code' for o in c.outputs]
    assert any('image/png' in o.get('data', {}) for o in salidas), 'falta la curva ROC'
    texto = '\n'.join(_texto(c) for c in nb.cells if c.cell_type == 'code')
    assert "orient 'rows' not understood" in texto
    assert 'IndentationError' in texto


def _comprobar_02(r, nb):
    assert r['iguales'] is True
    assert r['iguales_en_prueba'] is True
    assert r['probabilidad_predict'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-4)
    assert r['probabilidad_predict_cliente'] == r['probabilidad_predict']
    (tiempos,) = _celdas_con(nb, 'tiempos')
    veces = float(re.search(r'es ([\d.]+) veces más rápido', _texto(tiempos)).group(1))
    assert veces > 1, 'predict_cliente debería ser más rápido que predict con un DataFrame de una fila'


def _comprobar_03(r, nb):
    assert r['misma_huella_que_make_modelo'] is True
    assert r['iguales_tras_cargar'] is True
    assert r['rechaza_archivo_cambiado'] is True
    assert r['rechaza_pickle_malicioso'] is True
    texto = '\n'.join(_texto(c) for c in nb.cells if c.cell_type == 'code')
    assert "name 'f_in' is not defined" in texto
    assert "name 'modelo' is not defined" in texto


def _comprobar_04(r, nb):
    assert r['probabilidad_impresa'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-3)  # imprime 0.062
    assert r['queda_sirviendo'] is True
    assert r['aviso_servidor_de_desarrollo'] is True


def _comprobar_05(r, nb):
    assert r['estado_hola'] == 200
    assert r['texto_hola'] == 'Hola C8280'
    assert r['aviso_servidor_de_desarrollo'] is True


def _comprobar_06(r, nb):
    assert r['estado_predict'] == 200
    assert r['probabilidad_servicio'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-4)
    assert r['abandono'] is False
    assert r['igual_que_predict_cliente'] is True
    assert r['estado_get'] == 405
    assert r['estados_clientes_malos'] == {
        "contract='One year'": 422, "tenure='41' (texto)": 422, 'sin tenure': 422, 'no es JSON': 400}


def _comprobar_07(r, nb):
    assert r['n_clientes'] == len(r['decisiones']) == 8
    assert set(r['decisiones'].values()) == {'nada', 'enviar descuento'}
    assert r['decisiones']['8879-zkjof'] == 'nada'
    assert r['probabilidad_cliente_leccion'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-4)
    assert r['coinciden_con_el_modelo'] is True
    assert r['lote_igual_que_una_a_una'] is True


def _comprobar_08(r, nb):
    assert r['probabilidad_gunicorn'] == pytest.approx(PROBABILIDAD_LECCION, abs=1e-4)
    assert r['probabilidad_waitress'] == r['probabilidad_gunicorn']
    assert r['mismas_respuestas'] is True


COMPROBAR = {nombre[:2]: globals()[f'_comprobar_{nombre[:2]}'] for nombre in NOMBRES}


def test_hay_un_cuaderno_por_paso():
    assert [n[:2] for n in NOMBRES] == [f'{i:02d}' for i in range(1, 9)]


@pytest.mark.parametrize('nombre', NOMBRES)
def test_guardado_con_salidas_y_sin_errores(nombre):
    nb = nbformat.read(CUADERNOS / nombre, as_version=4)
    codigo = [c for c in nb.cells if c.cell_type == 'code']
    assert all(c.execution_count for c in codigo), 'hay celdas sin ejecutar: python -m abandono.cuaderno --ejecutar'
    errores = [o for c in codigo for o in c.outputs
               if o.output_type == 'error' or (o.output_type == 'stream' and o.name == 'stderr')]
    assert errores == []
    COMPROBAR[nombre[:2]](resumen(nb), nb)
    # Empieza diciendo qué enseña y termina con las preguntas y ejercicios de su paso.
    assert 'Qué aprenderás' in nb.cells[0].source
    assert nb.cells[-1].cell_type == 'markdown' and 'Preguntas y ejercicios' in nb.cells[-1].source
    assert "'google.colab' in sys.modules" in codigo[0].source
    # Los ejercicios remiten a archivos que existen en exercises/.
    for archivo in re.findall(r'exercises/([\w.]+\.py)', '\n'.join(c.source for c in nb.cells)):
        assert (RAIZ / 'exercises' / archivo).exists(), f'{nombre} remite a exercises/{archivo}, que no existe'


@pytest.mark.parametrize('nombre', NOMBRES)
def test_papermill_contra_el_servicio_vivo(nombre, url_desarrollo, tmp_path):
    """Ejecuta el cuaderno con papermill, pasándole la URL del servicio de la fixture."""
    entrada = CUADERNOS / nombre
    nb = nbformat.read(entrada, as_version=4)
    valores = {'URL_SERVICIO': url_desarrollo, 'CARPETA': str(tmp_path / 'modelos')}
    declarados = parametros(nb) if _celdas_con(nb, 'parameters') else ''
    usados = {k: v for k, v in valores.items() if re.search(rf'^{k}\s*=', declarados, re.MULTILINE)}
    salida = tmp_path / nombre
    papermill.execute_notebook(
        str(entrada), str(salida), parameters=usados, kernel_name='python3', cwd=str(CUADERNOS),
        progress_bar=False, log_output=False, execution_timeout=120)
    ejecutado = nbformat.read(salida, as_version=4)
    if usados:  # papermill inyecta los valores detrás de la celda de parámetros
        (inyectada,) = _celdas_con(ejecutado, 'injected-parameters')
        assert all(v in inyectada.source for v in usados.values())
    COMPROBAR[nombre[:2]](resumen(ejecutado), ejecutado)


# nbval en dos tandas de cuadernos alternos (01, 03, 05, 07 y 02, 04, 06, 08) que
# corren a la vez, cada una en su subproceso: así usa los dos núcleos aunque la
# suite vaya sin pytest-xdist, y un solo arranque de pytest por tanda.
TANDAS = [NOMBRES[0::2], NOMBRES[1::2]]


def test_nbval_salidas_guardadas(url_desarrollo):
    """nbval vuelve a ejecutar los cuadernos guardados y compara sus salidas con las guardadas."""
    entorno = {**os.environ,
               # Los cuadernos que necesitan el servicio usan el de la fixture.
               VARIABLE_URL: url_desarrollo,
               # Solo nbval: los demás plugins instalados (schemathesis...) tardan en cargar.
               'PYTEST_DISABLE_PLUGIN_AUTOLOAD': '1'}
    procesos = [
        subprocess.Popen(
            [sys.executable, '-m', 'pytest', '-q', '-p', 'nbval.plugin', '-p', 'no:cacheprovider',
             '-o', 'addopts=', '--rootdir', str(RAIZ),
             '--nbval', '--nbval-current-env', '--nbval-sanitize-with', str(SANITIZAR),
             *[str(CUADERNOS / n) for n in tanda]],
            cwd=RAIZ, env=entorno, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for tanda in TANDAS]
    fallos = []
    for proceso in procesos:
        try:
            salida, _ = proceso.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proceso.kill()
            salida, _ = proceso.communicate()
        if proceso.returncode != 0:
            fallos.append(salida[-8000:])
    assert not fallos, (
        'nbval encontró diferencias entre las salidas guardadas y las nuevas; si el cambio es '
        'correcto, vuelve a guardarlas con "python -m abandono.cuaderno --ejecutar".\n' + '\n'.join(fallos))
