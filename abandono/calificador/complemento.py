"""Complemento de pytest que convierte tests/ejercicios en un calificador.

- ``--entrega RUTA`` elige la carpeta a calificar (por defecto ``solutions/``).
- Las pruebas llevan ``@pytest.mark.puntos(n)`` y su módulo ``ejercicio(n, título)``;
  el resumen final da los puntos por ejercicio y la línea ``puntos: X/Y``.
- ``--resultados-json RUTA`` guarda el detalle para la orden de clase.
- Fixtures de sesión: la zona aislada de la entrega y la ejecución de cada
  archivo (un proceso por archivo, no por prueba: arrancar Python con
  scikit-learn cuesta más de un segundo).
"""
import json
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from abandono.calificador import referencia as ref
from abandono.calificador.aislamiento import Zona
from abandono.calificador.ejercicios import SOLUCIONES


def pytest_addoption(parser):
    grupo = parser.getgroup('calificador', 'calificación de los ejercicios')
    grupo.addoption('--entrega', metavar='RUTA', type=Path, default=None,
                    help='carpeta con la entrega de un estudiante (servicio1.py, flask_test.py, '
                         'probar_servicio.py); sin ella se califica solutions/')
    grupo.addoption('--resultados-json', metavar='RUTA', type=Path, default=None,
                    help='escribe en RUTA los puntos y el mensaje de cada prueba calificada')


def pytest_configure(config):
    config.addinivalue_line('markers', 'ejercicio(n, titulo): el ejercicio de la lección que califica el módulo')
    config.stash[_RESULTADOS] = []


@dataclass
class Resultado:
    ejercicio: int
    titulo: str
    prueba: str
    descripcion: str
    puntos: int
    obtenidos: int
    mensaje: str


_RESULTADOS = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    informe = yield
    puntos, ejercicio = item.get_closest_marker('puntos'), item.get_closest_marker('ejercicio')
    # Una prueba cuenta una vez: en su llamada o, si falló al prepararse, en la preparación.
    cuenta = informe.when == 'call' or (informe.when == 'setup' and not informe.passed)
    if puntos and ejercicio and cuenta:
        mensaje = '' if informe.passed else informe.longreprtext.strip()
        item.config.stash[_RESULTADOS].append(Resultado(
            ejercicio=ejercicio.args[0], titulo=ejercicio.args[1], prueba=item.name,
            descripcion=(item.obj.__doc__ or item.name).strip().splitlines()[0],
            puntos=puntos.args[0], obtenidos=puntos.args[0] if informe.passed else 0,
            mensaje=mensaje[-3000:]))
    return informe


def por_ejercicio(resultados):
    """{número: (título, obtenidos, puntos)} en orden de ejercicio."""
    tabla = {}
    for r in sorted(resultados, key=lambda r: r['ejercicio']):
        titulo, obtenidos, puntos = tabla.get(r['ejercicio'], (r['titulo'], 0, 0))
        tabla[r['ejercicio']] = (titulo, obtenidos + r['obtenidos'], puntos + r['puntos'])
    return tabla


def pytest_terminal_summary(terminalreporter, config):
    resultados = [asdict(r) for r in config.stash[_RESULTADOS]]
    if not resultados:
        return
    entrega = config.getoption('entrega') or SOLUCIONES
    terminalreporter.section(f'calificación de {entrega}')
    for numero, (titulo, obtenidos, puntos) in por_ejercicio(resultados).items():
        terminalreporter.line(f'ejercicio {numero} ({titulo}): {obtenidos}/{puntos}')
    total = sum(r['obtenidos'] for r in resultados)
    maximo = sum(r['puntos'] for r in resultados)
    terminalreporter.line(f'puntos: {total}/{maximo}', bold=True)
    if config.getoption('resultados_json'):
        config.getoption('resultados_json').write_text(
            json.dumps({'entrega': str(entrega), 'resultados': resultados}, ensure_ascii=False, indent=1),
            encoding='utf-8')


# --- Fixtures ------------------------------------------------------------------

@pytest.fixture(scope='session')
def entrega(request):
    ruta = request.config.getoption('entrega') or SOLUCIONES
    if not ruta.is_dir():
        raise pytest.UsageError(f'--entrega {ruta}: no existe esa carpeta')
    return ruta.resolve()


@pytest.fixture(scope='session')
def zona(entrega, tmp_path_factory):
    return Zona(entrega, tmp_path_factory.mktemp('zona'))


@pytest.fixture(scope='session')
def referencia(request):
    """Clientes y probabilidades de referencia, de la caché de pytest si el modelo no cambió."""
    clave = ref.clave_cache()
    cache = getattr(request.config, 'cache', None)
    datos = cache.get(clave, None) if cache else None
    if datos is None:
        datos = ref.calcular()
        if cache:
            cache.set(clave, datos)
    return datos


@pytest.fixture(scope='session')
def servicio1(zona, referencia):
    """servicio1.py importado, ejecutado como script y con su app servida (ejercicios 1 y 3)."""
    clientes = zona.escribir_json('clientes.json', referencia['clientes'])
    with zona.ejecutar('servicio1.py', '--importar', '--script', '--clientes', clientes) as ejecucion:
        yield ejecucion


@pytest.fixture(scope='session')
def flask_test(zona):
    """flask_test.py importado y con su app servida (ejercicio 2)."""
    with zona.ejecutar('flask_test.py', '--importar') as ejecucion:
        yield ejecucion


@pytest.fixture(scope='session')
def prueba_del_servicio(zona, referencia):
    """probar_servicio.py ejecutado contra un servicio de prueba que anota lo que recibe (ejercicio 4)."""
    respuesta = {'probabilidad_abandono': referencia['probabilidad_leccion'],
                 'abandono': referencia['probabilidad_leccion'] >= 0.5}
    with servicio_de_prueba(respuesta) as (url, peticiones):
        with zona.ejecutar('probar_servicio.py', '--script', URL_SERVICIO=f'{url}/predict') as ejecucion:
            pass
    return ejecucion, peticiones


@contextmanager
def servicio_de_prueba(respuesta):
    """Un /predict de pega en un puerto libre: contesta ``respuesta`` y anota cada petición."""
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    peticiones = []

    @Request.application
    def aplicacion(peticion):
        cuerpo = peticion.get_json(silent=True)
        peticiones.append({'metodo': peticion.method, 'ruta': peticion.path,
                           'tipo': peticion.mimetype, 'json': cuerpo})
        if peticion.method != 'POST':
            return Response(json.dumps({'error': 'usa POST'}), 405, mimetype='application/json')
        if not isinstance(cuerpo, dict):
            return Response(json.dumps({'error': 'el cliente debe ir en JSON'}), 400, mimetype='application/json')
        return Response(json.dumps(respuesta), mimetype='application/json')

    servidor = make_server('127.0.0.1', 0, aplicacion, threaded=True)
    # poll_interval corto: shutdown() espera a que el bucle lo vea.
    hilo = threading.Thread(target=servidor.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    hilo.start()
    try:
        yield f'http://127.0.0.1:{servidor.server_port}', peticiones
    finally:
        servidor.shutdown()
        hilo.join()
