"""/metrics de Prometheus bajo gunicorn con dos workers, y una línea de registro JSON por petición."""
import json
import signal
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from abandono.datos import CLIENTE_LECCION
from abandono.lanzador import en_marcha, orden_servicio, puerto_libre

PETICIONES = 60


def muestras(url):
    """{(nombre, etiquetas ordenadas): valor} de un GET /metrics."""
    r = requests.get(url + '/metrics')
    assert r.status_code == 200 and r.headers['Content-Type'].startswith('text/plain; version=')
    return {(m.name, tuple(sorted(m.labels.items()))): m.value
            for familia in text_string_to_metric_families(r.text) for m in familia.samples}


def golpear(url, n=PETICIONES):
    """n POST /predict desde 8 hilos a la vez, cada una en una conexión nueva."""
    def una(i):
        return requests.post(url + '/predict', json=CLIENTE_LECCION | {'tenure': i % 72}).status_code
    with ThreadPoolExecutor(8) as hilos:
        assert set(hilos.map(una, range(n))) == {200}


@pytest.fixture(scope='module', params=['carpeta elegida', 'carpeta automática'])
def gunicorn_propio(request, tmp_path_factory):
    """gunicorn -w 2 (el comando del taller) con su registro en un archivo que la prueba puede leer.

    Con la carpeta de métricas que elige quien lo arranca, o sin elegirla: entonces
    la crea el servicio (este proceso de pytest tiene la suya, que no debe heredar).
    """
    carpeta = tmp_path_factory.mktemp('metricas')
    registro = carpeta.parent / f'registro-{carpeta.name}.log'  # fuera de la carpeta de métricas
    elegida = request.param == 'carpeta elegida'
    puerto = puerto_libre()
    orden = orden_servicio('gunicorn', puerto) + ['--capture-output', '--error-logfile', str(registro)]
    with en_marcha(orden, puerto, env={'PROMETHEUS_MULTIPROC_DIR': str(carpeta)} if elegida else None) as url:
        yield url, carpeta if elegida else None, registro


def pids(registro):
    """Los procesos que atendieron POST /predict, según las líneas del registro de acceso."""
    lineas = [json.loads(linea) for linea in registro.read_text().splitlines() if linea.startswith('{')]
    return {linea['pid'] for linea in lineas if linea['ruta'] == '/predict'}


def test_dos_workers_suman_sus_cuentas(gunicorn_propio):
    url, carpeta, registro = gunicorn_propio
    claves = [('abandono_peticiones_total', (('estado', '200'), ('ruta', '/predict'))),
              ('abandono_clientes_puntuados_total', ()),
              ('abandono_peticion_segundos_count', (('ruta', '/predict'),))]
    inicial = muestras(url)
    antes = [inicial.get(clave, 0) for clave in claves]
    # Con workers gevent uno solo puede aceptar todas las conexiones de una tanda:
    # se manda otra hasta que los dos hayan atendido alguna.
    enviadas = 0
    while len(pids(registro)) < 2 and enviadas < 20 * PETICIONES:
        golpear(url)
        enviadas += PETICIONES
    assert len(pids(registro)) == 2
    if carpeta:  # cada worker escribe sus cuentas en la carpeta pedida, no en una propia
        assert len(list(carpeta.glob('counter_*.db'))) >= 2
    # Cada lectura la atiende un worker cualquiera; todas dan el total de los dos.
    for _ in range(6):
        valores = muestras(url)
        assert [valores[clave] - a for clave, a in zip(claves, antes)] == [enviadas] * 3


def test_informacion_del_modelo(gunicorn_propio):
    url = gunicorn_propio[0]
    huella = requests.get(url + '/salud').json()['modelo']
    clave = ('abandono_modelo_info', (('huella', huella), ('tipo', 'LogisticRegression')))
    assert muestras(url)[clave] == 1


def test_una_linea_json_por_peticion(gunicorn_propio):
    url, _, registro = gunicorn_propio
    antes = len(registro.read_text().splitlines())
    requests.post(url + '/predict?factores=2', json=CLIENTE_LECCION)
    requests.post(url + '/predict', json=CLIENTE_LECCION | {'tenure': -1})
    requests.get(url + '/no-existe')
    lineas = [json.loads(linea) for linea in registro.read_text().splitlines()[antes:] if linea.startswith('{')]
    assert [(l['metodo'], l['ruta'], l['consulta'], l['estado']) for l in lineas] == [
        ('POST', '/predict', 'factores=2', 200), ('POST', '/predict', None, 422), ('GET', '/no-existe', None, 404)]
    assert all(l['ms'] > 0 and l['origen'] == '127.0.0.1' for l in lineas)


def test_rutas_desconocidas_no_crean_series(gunicorn_propio):
    url = gunicorn_propio[0]
    for i in range(3):
        requests.get(f'{url}/prueba-{i}')
    rutas = {dict(etiquetas).get('ruta') for nombre, etiquetas in muestras(url)
             if nombre == 'abandono_peticiones_total'}
    assert 'otra' in rutas and not any(r.startswith('/prueba') for r in rutas)


def _matar(url, senal):
    """Manda ``senal`` a todos los procesos del servicio (el maestro y sus workers) y espera a que terminen."""
    import psutil

    from bench.medidas import procesos_del_servicio
    procesos = procesos_del_servicio(urlsplit(url).port)
    todos = [p for raiz in procesos[:1] for p in [raiz, *raiz.children(recursive=True)]]
    for proceso in todos:
        proceso.send_signal(senal)
    psutil.wait_procs(todos, timeout=30)


@pytest.mark.lento  # arranca y mata dos servidores: unos 10 s
def test_un_reinicio_tras_sigkill_empieza_de_cero(tmp_path):
    """Con la carpeta en un volumen que sobrevive al contenedor, las cuentas viejas no se suman."""
    puerto = puerto_libre()
    entorno = {'PROMETHEUS_MULTIPROC_DIR': str(tmp_path)}
    clave = ('abandono_clientes_puntuados_total', ())
    with en_marcha(orden_servicio('gunicorn', puerto), puerto, env=entorno) as url:
        golpear(url, 10)
        assert muestras(url)[clave] == 10
        _matar(url, signal.SIGKILL)
    assert list(tmp_path.glob('*.db'))  # lo que dejó el SIGKILL
    with en_marcha(orden_servicio('gunicorn', puerto), puerto, env=entorno) as url:
        assert muestras(url).get(clave, 0) == 0
        golpear(url, 3)
        assert muestras(url)[clave] == 3


@pytest.mark.lento
@pytest.mark.parametrize('servidor,senal', [('gunicorn', signal.SIGTERM), ('waitress', signal.SIGTERM),
                                            ('desarrollo', signal.SIGTERM), ('gunicorn', signal.SIGKILL)])
def test_ninguna_parada_deja_carpetas_en_tmp(tmp_path, servidor, senal):
    """La carpeta automática se borra al parar; la que deja un SIGKILL, al arrancar el siguiente."""
    puerto = puerto_libre()
    entorno = {'TMPDIR': str(tmp_path)}
    with en_marcha(orden_servicio(servidor, puerto), puerto, env=entorno) as url:
        golpear(url, 2)
        assert len(list(tmp_path.glob('abandono-metricas-*'))) == 1
        _matar(url, senal)
    if senal == signal.SIGKILL:
        with en_marcha(orden_servicio(servidor, puerto), puerto, env=entorno) as url:
            assert len(list(tmp_path.glob('abandono-metricas-*'))) == 1  # solo la suya
            _matar(url, signal.SIGTERM)
    assert list(tmp_path.iterdir()) == []
