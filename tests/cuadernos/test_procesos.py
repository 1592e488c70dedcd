"""Los procesos de los cuadernos con servicios de verdad (el del taller y uno de estudiante), y cómo se paran.

abandono/cuadernos/procesos.py, tu_carpeta.py y servicio_del_taller.py; y abandono/lanzador.py,
que para un servidor con todo lo que arrancó también en Windows, sin os.killpg.
"""
import contextlib
import re
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from abandono.cuadernos import procesos, servicio_del_taller, tu_carpeta
from abandono.lanzador import GRUPO_PROPIO, parar, parar_arbol

# Un servicio de estudiante como lo escribe la lección (9696 a mano, sin /salud), con sus
# propios nombres de claves y un fallo para los clientes sin 'tenure'.
SERVICIO_ESTUDIANTE = """\
import pickle

from flask import Flask, jsonify, request

with open('modelo_trabajo.bin', 'rb') as f_in:
    dv, modelo = pickle.load(f_in)

app = Flask('Abandono')


@app.route('/predict', methods=['POST'])
def predict():
    cliente = request.get_json()
    cliente['tenure'] + 0  # sin 'tenure': KeyError y un 500
    p = modelo.predict_proba(dv.transform([cliente]))[0, 1]
    return jsonify({'abandona': bool(p >= 0.5), 'prob_de_irse': float(p)})


if __name__ == '__main__':
    app.run(host='0.0.0.0', port=9696)
"""


@pytest.fixture(scope='module')
def estudiante(tmp_path_factory):
    carpeta = tmp_path_factory.mktemp('mi_trabajo')
    (carpeta / 'servicio1.py').write_text(SERVICIO_ESTUDIANTE)
    with procesos.ejecutar_script(carpeta / 'servicio1.py') as proceso:
        yield proceso


def test_comparar_lee_la_probabilidad_se_llame_como_se_llame(url_desarrollo, estudiante, cliente, capsys):
    sin_tenure = {k: v for k, v in cliente.items() if k != 'tenure'}
    tabla = tu_carpeta.comparar([cliente, sin_tenure], servicio_del_taller.Servicio(url_desarrollo), estudiante)
    assert tabla['tuyo'][0] == pytest.approx(tabla['referencia'][0], abs=1e-12)
    assert list(tabla['¿igual?']) == ['sí', 'NO']
    assert tabla['tuyo'][1] == 'error 500' and tabla['referencia'][1] == 'error 422'
    # Debajo de la tabla, el error del servicio del estudiante: sus líneas y la excepción, sin Flask.
    impreso = capsys.readouterr().out
    assert "cliente['tenure'] + 0" in impreso and "KeyError: 'tenure'" in impreso, impreso
    assert 'servicio1.py", line 14, in predict' in impreso and 'site-packages' not in impreso


@pytest.mark.parametrize('codigo, dice, no_dice', [
    ("print('0.062')\n", '¿falta app.run al final, el último paso del ejercicio 3?', 'se detuvo con un error'),
    ('', 'No escribió nada.', 'se detuvo con un error'),
    ('def f():\n    x = 1\n   return x\n', 'IndentationError: unindent does not match', '¿falta app.run'),
    ("print('0.062')\nprint(modelo)\n", "NameError: name 'modelo' is not defined", '¿falta app.run'),
])
def test_un_script_que_termina_dice_por_que(tmp_path, url_desarrollo, cliente, codigo, dice, no_dice):
    """Sin error, la conjetura de app.run; con error, el suyo, sin los marcos de runpy ni de redireccion.py."""
    (tmp_path / 'servicio1.py').write_text(codigo)
    proceso = procesos.ejecutar_script(tmp_path / 'servicio1.py')
    assert proceso.termino
    final = proceso.final()
    assert dice in final and no_dice not in final, final
    assert 'runpy' not in final and 'redireccion' not in final, final
    referencia = servicio_del_taller.Servicio(url_desarrollo)
    assert list(tu_carpeta.comparar([cliente], referencia, proceso)['tuyo']) == ['no sirve']


def test_servicio_sin_salud_se_usa_y_se_dice(estudiante, capsys):
    assert servicio_del_taller.servicio(estudiante.url).url == estudiante.url
    assert 'No tiene GET /salud' in capsys.readouterr().out


def test_servicio_del_taller_se_reconoce(url_desarrollo, capsys):
    assert servicio_del_taller.servicio(url_desarrollo + '/').url == url_desarrollo
    assert capsys.readouterr().out == f'Servicio: el del taller en {url_desarrollo}.\n'


@pytest.mark.parametrize('url, error, mensaje', [
    ('http://127.0.0.1:9696/predict', ValueError, "sin /predict: 'http://127.0.0.1:9696'"),
    ('http://127.0.0.1:1', RuntimeError, 'Nadie responde en http://127.0.0.1:1'),
])
def test_servicio_url_equivocada(url, error, mensaje):
    with pytest.raises(error, match=re.escape(mensaje)):
        servicio_del_taller.servicio(url)


def test_carpeta_que_no_existe_lo_dice_sin_error(tmp_path, capsys):
    """Sin make empezar, el cuaderno sigue: la carpeta se devuelve y se dice cómo crearla."""
    assert tu_carpeta.carpeta(tmp_path / 'no_existe') == tmp_path / 'no_existe'
    assert 'no existe todavía. Créala con «make empezar»' in capsys.readouterr().out


def test_la_referencia_y_los_modulos_de_tu_carpeta(capsys):
    assert tu_carpeta.carpeta('solutions') == tu_carpeta.SOLUCIONES
    assert capsys.readouterr().out == "CARPETA = 'solutions': se ejecuta la referencia, solutions/.\n"
    assert tu_carpeta.modulo(tu_carpeta.SOLUCIONES) == 'solutions.servicio1'
    assert tu_carpeta.modulo(tu_carpeta.RAIZ / 'mi_trabajo', 'flask_test.py') == 'mi_trabajo.flask_test'


def test_script_que_falla_termina_con_su_error(tmp_path):
    """Un ejercicio a medias no rompe el cuaderno: termina y su salida cuenta por qué."""
    (tmp_path / 'servicio1.py').write_text("print('0.062')\nraise NotImplementedError('Falta completar: el ejercicio 3')\n")
    proceso = procesos.ejecutar_script(tmp_path / 'servicio1.py')
    assert (proceso.termino, proceso.codigo, proceso.url) == (True, 1, None)
    assert proceso.salida().startswith('0.062\n') and 'NotImplementedError: Falta completar' in proceso.salida()
    with pytest.raises(RuntimeError, match=r"(?s)servicio1\.py terminó sin escribir 'Press CTRL\+C'.*Falta completar"):
        proceso.esperar_texto('Press CTRL+C')


def test_probar_un_script_que_no_termina(tmp_path):
    (tmp_path / 'probar_servicio.py').write_text('import time\ntime.sleep(60)\n')
    assert procesos.probar(tmp_path / 'probar_servicio.py', 1, espera=2) == (
        'probar_servicio.py no terminó en 2 s (¿una petición sin respuesta?).\n')


# Un proceso que arranca un hijo que duerme (el «nieto» de la prueba) y dice su PID.
CON_UN_HIJO = textwrap.dedent("""
    import signal, subprocess, sys, time
    if sys.argv[1:] == ['sordo']:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    hijo = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])
    print(hijo.pid, flush=True)
    time.sleep(120)
""")


def _con_un_hijo(*argumentos):
    padre = subprocess.Popen([sys.executable, '-c', CON_UN_HIJO, *argumentos], stdout=subprocess.PIPE, text=True,
                             **GRUPO_PROPIO)
    return padre, int(padre.stdout.readline())


def _muerto(pid):
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _muere(pid, plazo=5):
    """True si ``pid`` termina antes de ``plazo`` segundos: la señal llega en seguida, la salida tarda un poco."""
    limite = time.monotonic() + plazo
    while not _muerto(pid) and time.monotonic() < limite:
        time.sleep(0.05)
    return _muerto(pid)


@pytest.mark.parametrize('argumentos', [(), ('sordo',)], ids=['obediente', 'ignora-SIGTERM'])
def test_parar_arbol_para_al_proceso_y_a_sus_hijos(argumentos):
    """La rama de Windows (sin os.killpg): psutil recorre el árbol; lo que no termina a tiempo, se mata."""
    padre, nieto = _con_un_hijo(*argumentos)
    try:
        parar_arbol(padre.pid, gracia=1)
        assert padre.wait(5) is not None
        assert _muere(nieto), 'el hijo del proceso sigue vivo'
    finally:
        for pid in (nieto, padre.pid):
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(pid).kill()


def test_parar_un_proceso_que_ya_termino_no_falla():
    padre, nieto = _con_un_hijo()
    parar(padre)
    assert padre.poll() is not None and _muere(nieto)
    parar(padre)
    parar_arbol(padre.pid)
