"""Los cuadernos de notebooks/, ejecutados de verdad.

1. Lo guardado: cada cuaderno tiene salidas sin errores y su celda ``resumen`` (un JSON)
   dice lo que debe con la carpeta recién creada por ``make empezar``, sin código del
   estudiante (así se guardan: ``make cuadernos``). Su forma es la de un cuaderno que
   enseña haciendo (``test_forma.py``).
2. papermill, en una copia del taller con ``mi_trabajo/`` recién creado: de arriba abajo
   sin errores; lo que falta se dice en español, no revienta.
3. papermill con las soluciones (lento): cada celda «TU CÓDIGO AQUÍ» rellenada con la
   solución plegada que tiene debajo, ``mi_trabajo/`` escrito como la lección y el
   servidor del estudiante en marcha (lo que el cuaderno pide a localhost:9696 le llega a
   él, con el 9696 de verdad ocupado o libre): cada comprobación dice «Todo bien».
4. papermill con la referencia (lento): ``CARPETA = 'solutions'`` se lleva los puntos.
5. nbval (lento) vuelve a ejecutar los guardados y compara cada salida con la guardada,
   con ``sanitizar.cfg`` para lo que cambia de verdad entre ejecuciones.
"""
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from abandono import nucleo
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.cuadernos import procesos
from abandono.cuadernos.ejecutar import CUADERNOS, copia_del_taller, cuadernos, path_del_entorno
from abandono.cuadernos.servicio_del_taller import VARIABLE_URL
from abandono.datos import CLIENTE_LECCION
from abandono.lanzador import PUERTO_LECCION, RAIZ, en_marcha, orden_servicio, puerto_libre

SANITIZAR = Path(__file__).with_name('sanitizar.cfg')
NOMBRES = [c.name for c in cuadernos()]
# Recién empezados, en la tanda rápida: uno de cada clase de comprobación (en el cuaderno: 01 y 02; con el
# calificador: 04; con servidores y el calificador: 06). Los demás, en la lenta, donde nbval además los ejecuta
# enteros (07, 08 y los apéndices no piden nada al estudiante).
RAPIDOS = ('01', '02', '04', '06')
RECIEN_EMPEZADOS = [pytest.param(n, marks=() if n[:2] in RAPIDOS else pytest.mark.lento) for n in NOMBRES]
TU_CODIGO = '# TU CÓDIGO AQUÍ'


def celdas_con(nb, etiqueta):
    return [c for c in nb.cells if etiqueta in c.get('metadata', {}).get('tags', [])]


def texto(celda):
    return ''.join(o.get('text', '') for o in celda.outputs if o.output_type == 'stream')


def lo_que_se_lee(nb):
    """El texto de las celdas Markdown y el Markdown que escriben las de código (frases con números calculados)."""
    return [c.source if c.cell_type == 'markdown' else
            ''.join(o.get('data', {}).get('text/markdown', '') for o in c.outputs) for c in nb.cells]


def comprobaciones(nb):
    """Lo que escribieron las celdas que comprueban el trabajo del estudiante (``x = revisar.algo(...)``)."""
    return [texto(c) for c in nb.cells if c.cell_type == 'code' and re.search(r'^\w+ = revisar\.\w+\(', c.source, re.M)]


def resumen(nb):
    """El JSON que imprime la celda con la etiqueta ``resumen``."""
    (celda,) = celdas_con(nb, 'resumen')
    return json.loads(texto(celda))


def puntos(*numeros, hechos):
    """Los puntos que da el calificador a esos ejercicios: todos, o ninguno (los esqueletos)."""
    return {str(n): [sum(EJERCICIOS[n].puntos.values()) if hechos else 0, sum(EJERCICIOS[n].puntos.values())]
            for n in numeros}


# Lo que cada cuaderno tiene que haber obtenido. Cada función recibe el resumen, el cuaderno
# ejecutado, la probabilidad de la clienta de la lección con la que se compara (la de
# modelo_trabajo.bin o, para las salidas guardadas, la que guardó el apéndice A1: depende del
# núcleo de OpenBLAS, abandono/nucleo.py), si las celdas «TU CÓDIGO AQUÍ» están hechas y si lo
# está la carpeta de los ejercicios.
def _comprobar_01(r, nb, p, celdas, carpeta):
    assert r['columnas_object_con_pandas3'] == []  # la trampa de pandas 3, ocurriendo de verdad
    assert r['exactitud_validacion'] == pytest.approx(0.8016, abs=1e-4)
    assert r['auc_validacion'] == pytest.approx(0.836, abs=1e-3)
    assert r['auc_prueba'] == pytest.approx(0.858, abs=1e-3)
    assert r['probabilidad_cliente'] == pytest.approx(p, abs=1e-7)
    assert r['tu_y_pred'] is celdas
    salidas = [o for c in nb.cells if c.cell_type == 'code' for o in c.outputs]
    assert any('image/png' in o.get('data', {}) for o in salidas), 'falta la curva ROC'
    todo = '\n'.join(texto(c) for c in nb.cells if c.cell_type == 'code')
    assert "orient 'rows' not understood" in todo
    assert 'IndentationError' in todo


def _comprobar_02(r, nb, p, celdas, carpeta):
    assert r['iguales'] is True
    assert r['iguales_en_prueba'] is True
    assert r['probabilidad_predict'] == pytest.approx(p, abs=1e-4)
    assert r['probabilidad_predict_cliente'] == r['probabilidad_predict']
    assert r['tu_predict_cliente'] is celdas
    (tiempos,) = celdas_con(nb, 'tiempos')
    veces = float(re.search(r'es ([\d.]+) veces más rápido', texto(tiempos)).group(1))
    assert veces > 1, 'predict_cliente debería ser más rápido que predict con un DataFrame de una fila'


def _comprobar_03(r, nb, p, celdas, carpeta):
    assert r['misma_huella_que_make_modelo'] is True
    assert r['iguales_tras_cargar'] is True
    assert r['rechaza_archivo_cambiado'] is True
    assert r['rechaza_pickle_malicioso'] is True
    assert r['tu_guardado'] is celdas and r['tu_carga'] is celdas
    todo = '\n'.join(texto(c) for c in nb.cells if c.cell_type == 'code')
    assert "name 'f_in' is not defined" in todo
    assert "name 'modelo' is not defined" in todo


def _comprobar_04(r, nb, p, celdas, carpeta):
    assert r['puntos'] == puntos(1, hechos=carpeta)


def _comprobar_05(r, nb, p, celdas, carpeta):
    assert (r['estado_get_predict'], r['estado_post_predict']) == (405, 200)
    assert r['probabilidad_post_predict'] == pytest.approx(p, abs=1e-4)
    assert r['tu_hola'] is celdas and r['tu_respuesta'] is celdas
    assert r['puntos'] == puntos(2, hechos=carpeta)


def _comprobar_06(r, nb, p, celdas, carpeta):
    assert r['estado_get'] == 405
    assert r['probabilidad_referencia'] == pytest.approx(p, abs=1e-4)
    assert r['tu_aplicacion'] is celdas and r['tu_respuesta'] is celdas
    assert r['puntos'] == puntos(3, 4, hechos=carpeta)
    # El servicio1.py de CARPETA responde como la referencia y su probar_servicio.py lo muestra.
    assert r['tuyo_igual_que_la_referencia'] is carpeta
    assert r['probar_servicio_muestra_la_probabilidad'] is carpeta


def _comprobar_07(r, nb, p, celdas, carpeta):
    assert r['servicio'] == ('tuyo' if carpeta else 'referencia')
    assert r['n_clientes'] == len(r['decisiones']) == 8
    assert set(r['decisiones'].values()) == {'nada', 'enviar descuento'}
    assert r['decisiones'][CLIENTE_LECCION['customerid']] == 'nada'
    assert r['probabilidad_cliente_leccion'] == pytest.approx(p, abs=1e-4)
    assert r['coinciden_con_el_modelo'] is True
    assert r['estado_sin_tenure'] == 200   # el servicio de la lección no valida: lo cuenta el 08
    assert r['tuyo_igual_que_la_referencia'] is carpeta


def _comprobar_08(r, nb, p, celdas, carpeta):
    assert r['servicio'] == ('tuyo' if carpeta else 'referencia')
    assert r['probabilidad_waitress'] == pytest.approx(p, abs=1e-4)
    assert r['probabilidad_gunicorn'] == r['probabilidad_waitress']
    assert r['mismas_respuestas'] is True
    assert r['estados_clientes_malos'] == {
        "contract='One year'": {'leccion': 200, 'taller': 422}, "tenure='41' (texto)": {'leccion': 200, 'taller': 422},
        'sin tenure': {'leccion': 200, 'taller': 422}, 'no es JSON': {'leccion': 400, 'taller': 400}}


def _comprobar_A1(r, nb, p, celdas, carpeta):
    assert r['probabilidad_cliente'] == pytest.approx(p, abs=1e-7)
    # liblinear se para pronto con tol=1e-4; convergido, la misma receta da 0.0676 con cualquier núcleo.
    assert r['iteraciones_liblinear'] == 25
    assert r['probabilidad_convergida'] == pytest.approx(nucleo.PROBABILIDAD_CONVERGIDA, abs=1e-4)
    # Dice el núcleo de OpenBLAS que hizo las cuentas y, donde la CPU puede con el otro, su número.
    assert r['nucleo'] not in ('', 'desconocido')
    if r['otro_nucleo']:
        otro = r['otro_nucleo']
        assert nucleo.conocido(otro['probabilidad']) == otro['nucleo'] != r['nucleo']
    # Cada frase sobre «tu» número la escribe el cuaderno con lo calculado: ninguna fuente la copia.
    generado = '\n'.join(lo_que_se_lee(nb)[i] for i, c in enumerate(nb.cells) if c.cell_type == 'code')
    assert f'la clienta sale con **{p:.4f}**' in generado and f'núcleo **{r["nucleo"]}**' in generado
    fuentes = '\n'.join(c.source for c in nb.cells)
    assert f'{p:.4f}' not in fuentes


def _comprobar_A2(r, nb, p, celdas, carpeta):
    assert r['n_clientes'] == 8
    assert r['lote_igual_que_una_a_una'] is True
    assert r['estado_lote_con_uno_malo'] == 422
    assert r['factores_por_cliente'] == [3]
    assert r['cartera_puntuada'] == 7043


def _comprobar_A3(r, nb, p, celdas, carpeta):
    if os.name != 'nt':
        assert r['probabilidad_gunicorn'] == pytest.approx(p, abs=1e-4)
    assert r['puntuador_igual'] is True


COMPROBAR = {nombre[:2]: globals()[f'_comprobar_{nombre[:2]}'] for nombre in NOMBRES}


def guardado_en_A1():
    """El resumen guardado del apéndice A1: con qué núcleo de OpenBLAS y qué probabilidad se guardaron las salidas."""
    (a1,) = CUADERNOS.glob('A1_*.ipynb')
    return resumen(nbformat.read(a1, as_version=4))


def test_hay_un_cuaderno_por_paso_y_los_apendices():
    assert [n[:2] for n in NOMBRES] == [f'{i:02d}' for i in range(1, 9)] + ['A1', 'A2', 'A3']
    assert all('_para_saber_mas_' in n for n in NOMBRES if n.startswith('A'))


@pytest.mark.parametrize('nombre', NOMBRES)
def test_guardado_con_salidas_y_sin_errores(nombre):
    """Guardado como lo ve quien acaba de llegar: sin su código, con los resultados que importan."""
    nb = nbformat.read(CUADERNOS / nombre, as_version=4)
    codigo = [c for c in nb.cells if c.cell_type == 'code']
    assert all(c.execution_count for c in codigo), 'hay celdas sin ejecutar: make cuadernos'
    errores = [o for c in codigo for o in c.outputs
               if o.output_type == 'error' or (o.output_type == 'stream' and o.name == 'stderr')]
    assert errores == []
    COMPROBAR[nombre[:2]](resumen(nb), nb, guardado_en_A1()['probabilidad_cliente'], celdas=False, carpeta=False)


@pytest.fixture(scope='module')
def taller_nuevo(tmp_path_factory):
    """Una copia del taller con mi_trabajo/ recién creado por make empezar, como la de quien acaba de llegar."""
    return copia_del_taller(tmp_path_factory.mktemp('nuevo') / 'taller')


def ejecutar(copia, nombre, salida, parametros, preparar=None):
    """papermill sobre el cuaderno ``nombre`` de la copia del taller; el cuaderno ejecutado.

    ``preparar(nb)`` cambia el cuaderno antes (las soluciones, el desvío del 9696); cada
    parámetro se pasa solo si el cuaderno lo declara.
    """
    entrada = copia / 'notebooks' / nombre
    nb = nbformat.read(entrada, as_version=4)
    (declarados,) = [c.source for c in celdas_con(nb, 'parameters')] or ['']
    usados = {k: v for k, v in parametros.items() if re.search(rf'^{k}\s*=', declarados, re.MULTILINE)}
    if preparar:
        preparar(nb)
        entrada = salida.with_name(f'preparado_{nombre}')
        nbformat.write(nb, entrada)
    papermill.execute_notebook(
        str(entrada), str(salida), parameters=usados, kernel_name='python3', cwd=str(copia / 'notebooks'),
        progress_bar=False, log_output=False, execution_timeout=180)
    return nbformat.read(salida, as_version=4)


@pytest.mark.parametrize('nombre', RECIEN_EMPEZADOS)
def test_papermill_con_tu_carpeta_recien_creada(nombre, taller_nuevo, url_desarrollo, probabilidad_leccion, tmp_path):
    """De arriba abajo con las celdas «TU CÓDIGO AQUÍ» vacías y los esqueletos: sin errores, y lo que falta, dicho."""
    ejecutado = ejecutar(taller_nuevo, nombre, tmp_path / nombre,
                         {'URL_SERVICIO': url_desarrollo, 'SALIDA': str(tmp_path / 'salidas')})
    COMPROBAR[nombre[:2]](resumen(ejecutado), ejecutado, probabilidad_leccion, celdas=False, carpeta=False)
    assert all('✘' in t for t in comprobaciones(ejecutado)), 'una comprobación da por bueno lo que no está hecho'


# La carpeta de un estudiante que completa exercises/ como escribe el código la lección:
# puerto 9696 y URL escritos a mano, app.run dentro de __main__. Cada TODO de cada
# esqueleto se cambia, en orden, por uno de estos bloques (con la sangría del TODO), si su
# ejercicio ya está hecho; si no, se queda como en el esqueleto.
COMO_LA_LECCION = {
    'servicio1.py': [
        (1, """X = dv.transform([cliente])
y_pred = modelo.predict_proba(X)[:, 1]
return y_pred[0]"""),
        (1, """with open('modelo_trabajo.bin', 'rb') as f_in:
    dv, modelo = pickle.load(f_in)"""),
        (3, """app = Flask('Abandono')


@app.route('/predict', methods=['POST'])
def predict():
    cliente = request.get_json()
    y_pred = predict_cliente(cliente, dv, modelo)
    abandono = y_pred >= 0.5
    resultado = {
        'probabilidad_abandono': float(y_pred),
        'abandono': bool(abandono),
    }
    return jsonify(resultado)"""),
        (1, """y_pred = predict_cliente(cliente, dv, modelo)
print('probabilidad de abandono:', y_pred)"""),
        (3, "app.run(host='0.0.0.0', port=9696)"),
    ],
    'flask_test.py': [
        (2, """app = Flask('test')


@app.route('/hola', methods=['GET'])
def hola():
    return 'Hola C8280'"""),
        (2, "app.run(host='0.0.0.0', port=9696)"),
    ],
    'probar_servicio.py': [
        (4, """respuesta = requests.post(url, json=cliente).json()
print(respuesta)"""),
    ],
}


def completar(esqueleto, respuestas, hasta=4):
    """El esqueleto con cada ``# TODO`` (y su ``raise NotImplementedError``) de los ejercicios ``<= hasta`` resuelto."""
    pendientes, salida, tras_todo = list(respuestas), [], False
    for linea in esqueleto.splitlines():
        codigo = linea.lstrip()
        if tras_todo and codigo.startswith('raise NotImplementedError'):
            tras_todo = False
            continue
        tras_todo = False
        if codigo.startswith('# TODO'):
            assert pendientes, 'faltan respuestas: ¿cambió el número de TODO de exercises/?'
            ejercicio, bloque = pendientes.pop(0)
            if ejercicio <= hasta:
                tras_todo = True
                sangria = linea[:len(linea) - len(codigo)]
                salida += [sangria + l if l else l for l in bloque.splitlines()]
                continue
        if linea.startswith('url = '):
            salida.append("url = 'http://localhost:9696/predict'")  # la dirección escrita a mano
        else:
            salida.append(linea)
    assert not pendientes, f'sobran respuestas: ¿cambió el número de TODO de exercises/? {pendientes}'
    return '\n'.join(salida) + '\n'


def escribir_como_la_leccion(carpeta, hasta=4):
    """``carpeta`` con los archivos de exercises/ completados como la lección, hasta el ejercicio ``hasta``."""
    carpeta.mkdir(parents=True, exist_ok=True)
    for archivo, respuestas in COMO_LA_LECCION.items():
        (carpeta / archivo).write_text(
            completar((RAIZ / 'exercises' / archivo).read_text(encoding='utf-8'), respuestas, hasta), encoding='utf-8')
    return carpeta


def test_completar_deja_los_ejercicios_que_faltan_como_el_esqueleto(tmp_path):
    solo_el_1 = (escribir_como_la_leccion(tmp_path, hasta=1) / 'servicio1.py').read_text(encoding='utf-8')
    assert 'pickle.load' in solo_el_1 and "Flask('Abandono')" not in solo_el_1
    assert solo_el_1.count('# TODO') == 2
    compile(solo_el_1, 'servicio1.py', 'exec')
    todo = (escribir_como_la_leccion(tmp_path, hasta=4) / 'servicio1.py').read_text(encoding='utf-8')
    assert 'TODO' not in todo and "app.run(host='0.0.0.0', port=9696)" in todo


def con_soluciones(nb):
    """Cada celda «TU CÓDIGO AQUÍ», con el primer bloque de código de la solución plegada que tiene debajo."""
    for i, celda in enumerate(nb.cells):
        if celda.cell_type == 'code' and celda.source.startswith(TU_CODIGO):
            plegada = next(c.source for c in nb.cells[i + 1:] if c.cell_type == 'markdown' and '<details>' in c.source)
            celda.source += '\n' + re.search(r'```python\n(.*?)```', plegada, re.DOTALL).group(1)


def desviar_9696(nb, puerto):
    """Detrás de la preparación, una celda que lleva las conexiones de este cuaderno a localhost:9696 hasta ``puerto``.

    Es lo que hace abandono/redireccion.py con los scripts: el código del estudiante sigue
    escribiendo http://localhost:9696 y llega a su servidor, arrancado por la prueba.
    """
    primera = next(i for i, c in enumerate(nb.cells) if c.cell_type == 'code')
    nb.cells.insert(primera + 1, nbformat.v4.new_code_cell(
        f'from abandono.redireccion import instalar\ninstalar({{{PUERTO_LECCION}: {puerto}}})'))


@contextlib.contextmanager
def _9696_ocupado():
    """Algo escucha en el 9696 de la computadora: nuestro socket, o el de otro si ya lo estaba.

    Si un cuaderno, o el código del estudiante, usara el 9696 de verdad en lugar del suyo
    desviado, hablaría con este socket, que no responde, y la prueba fallaría.
    """
    with socket.socket() as nuestro:
        with contextlib.suppress(OSError):
            nuestro.bind(('0.0.0.0', PUERTO_LECCION))
            nuestro.listen()
        yield


# Qué servidor tiene en marcha el estudiante en su terminal mientras sigue cada cuaderno.
EN_LA_TERMINAL = {'05': 'flask_test.py', '06': 'servicio1.py'}
# Hasta qué ejercicio lleva hecho su carpeta: en el 04 solo el 1, así «!python mi_trabajo/servicio1.py» termina.
HECHO_HASTA = {'04': 1}


@pytest.mark.lento
@pytest.mark.parametrize('nombre, ocupado', [(n, n == '06') for n in NOMBRES if n < '09'],
                         ids=[n[:2] + ('-con-el-9696-ocupado' if n[:2] == '06' else '') for n in NOMBRES if n < '09'])
def test_papermill_con_las_soluciones(nombre, ocupado, url_desarrollo, probabilidad_leccion, tmp_path, monkeypatch):
    """Las soluciones plegadas pasan sus comprobaciones, con la carpeta escrita como la lección."""
    copia = copia_del_taller(tmp_path / 'taller')
    carpeta = escribir_como_la_leccion(copia / 'mi_trabajo', HECHO_HASTA.get(nombre[:2], 4))
    monkeypatch.setenv('PATH', path_del_entorno())   # el «python» de «!python ...», el del entorno
    with contextlib.ExitStack() as pila:
        servidor = None
        if nombre[:2] in EN_LA_TERMINAL:
            servidor = pila.enter_context(procesos.ejecutar_script(carpeta / EN_LA_TERMINAL[nombre[:2]]))
            assert not servidor.termino, servidor.final()
        if ocupado:
            pila.enter_context(_9696_ocupado())

        def preparar(nb):
            con_soluciones(nb)
            if servidor:
                desviar_9696(nb, servidor.puerto)
        ejecutado = ejecutar(copia, nombre, tmp_path / nombre,
                             {'URL_SERVICIO': url_desarrollo, 'SALIDA': str(tmp_path / 'salidas')}, preparar)
    COMPROBAR[nombre[:2]](resumen(ejecutado), ejecutado, probabilidad_leccion, celdas=True, carpeta=True)
    if nombre[:2] == '04':   # «!python mi_trabajo/servicio1.py», desde la raíz: imprime y termina
        (ejecutada,) = [texto(c) for c in ejecutado.cells if c.source.startswith(TU_CODIGO)]
        assert f'probabilidad de abandono: {probabilidad_leccion}' in ejecutada, ejecutada
    revisado = comprobaciones(ejecutado)
    assert all('Todo bien' in t and '✘' not in t for t in revisado), revisado


@pytest.mark.lento
@pytest.mark.parametrize('nombre', [n for n in NOMBRES if '04' <= n < '07'])
def test_papermill_con_la_referencia(nombre, taller_nuevo, probabilidad_leccion, tmp_path):
    """CARPETA = 'solutions': el calificador da a la referencia todos los puntos, y el cuaderno lo dice."""
    ejecutado = ejecutar(taller_nuevo, nombre, tmp_path / nombre, {'CARPETA': 'solutions'})
    COMPROBAR[nombre[:2]](resumen(ejecutado), ejecutado, probabilidad_leccion, celdas=False, carpeta=True)
    assert "CARPETA = 'solutions': se ejecuta la referencia" in '\n'.join(texto(c) for c in ejecutado.cells
                                                                           if c.cell_type == 'code') or nombre[:2] == '05'


# nbval en dos tandas de cuadernos alternos que corren a la vez, cada una en su subproceso:
# así usa los dos procesadores aunque la suite vaya sin pytest-xdist, y un solo arranque de
# pytest por tanda.
TANDAS = [NOMBRES[0::2], NOMBRES[1::2]]


def _esperar(proceso):
    try:
        return proceso.communicate(timeout=900)[0]
    except subprocess.TimeoutExpired:
        proceso.kill()
        return proceso.communicate()[0]


@pytest.mark.lento
def test_nbval_salidas_guardadas(tmp_path):
    """nbval vuelve a ejecutar los cuadernos guardados y compara sus salidas con las guardadas.

    Muchas salidas dicen números que dependen del núcleo de OpenBLAS (la probabilidad
    de la clienta y todo lo que sale del modelo: abandono/nucleo.py). Taparlos con un
    sanitizador taparía también un cambio de verdad; en su lugar, nbval corre con el
    núcleo con que se guardaron (el que dice el resumen del apéndice A1), en una copia del
    taller con el modelo entrenado con ese núcleo y mi_trabajo/ recién creado, como los
    guarda make cuadernos, y se compara cada dígito. Solo el otro núcleo de A1 no se
    compara, en su tabla (nbval-ignore-output) ni en su resumen (sanitizar.cfg): sale o no
    según la CPU tenga AVX-512. Las celdas del calificador tampoco (nbval-ignore-output):
    sus mensajes citan el modelo y los clientes, nuevos en cada calificación.
    """
    guardado = guardado_en_A1()['nucleo']
    if falta := nucleo.falta_para(guardado):
        pytest.skip(f'las salidas se guardaron con el núcleo {guardado} y {falta}')
    copia = nucleo.copia_con_modelo(tmp_path / 'taller', guardado)
    subprocess.run([sys.executable, '-m', 'abandono.empezar'], cwd=copia, check=True, capture_output=True)
    puerto = puerto_libre()
    with en_marcha(orden_servicio('desarrollo', puerto), puerto, cwd=copia, env={nucleo.VARIABLE: guardado}) as url:
        entorno = {**nucleo.entorno(guardado),
                   # Los cuadernos que necesitan el servicio del taller usan el de la copia.
                   VARIABLE_URL: url,
                   # Solo nbval: los demás plugins instalados (schemathesis...) tardan en cargar.
                   'PYTEST_DISABLE_PLUGIN_AUTOLOAD': '1'}
        procesos_nbval = [
            subprocess.Popen(
                [sys.executable, '-m', 'pytest', '-q', '-p', 'nbval.plugin', '-p', 'no:cacheprovider',
                 '-o', 'addopts=', '--rootdir', str(copia),
                 '--nbval', '--nbval-current-env', '--nbval-sanitize-with', str(SANITIZAR),
                 *[str(copia / 'notebooks' / n) for n in tanda]],
                cwd=copia, env=entorno, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for tanda in TANDAS]
        salidas = [_esperar(proceso) for proceso in procesos_nbval]
    fallos = [salida[-8000:] for proceso, salida in zip(procesos_nbval, salidas) if proceso.returncode != 0]
    assert not fallos, (
        'nbval encontró diferencias entre las salidas guardadas y las nuevas; si el cambio es '
        'correcto, vuelve a guardarlas con "make cuadernos".\n' + '\n'.join(fallos))
