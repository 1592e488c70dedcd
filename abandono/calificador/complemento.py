"""Complemento de pytest que convierte tests/ejercicios en un calificador.

- ``--entrega RUTA`` elige la carpeta a calificar (por defecto ``solutions/``).
- Los puntos de cada prueba salen de la tabla ``ejercicios.EJERCICIOS``; el
  resumen final da los puntos por ejercicio y la línea ``puntos: X/Y``.
- ``--referencia-fd N``: el modelo y los clientes de la calificación llegan
  por el descriptor N (el comando de clase los calcula una vez); sin ella se
  crean aquí, nuevos.
- ``--resultados-fd N``: escribe el detalle en el descriptor N (una tubería de
  quien lanzó pytest), nunca en una ruta que una entrega pudiera alcanzar.
- ``--sin-aislamiento``: ejecuta la entrega sin caja (solo para código de fiar).

Cada resultado lleva su mensaje (el bloque del suspenso), las notas que dejó la
prueba aunque pasara y el nombre de la causa por la que falló (``juicio.una_vez``),
para agrupar lo que falla por lo mismo. Un error del propio calificador (no un
suspenso) no llega al estudiante como traza: su mensaje dice que es del
calificador, y la traza queda en la salida de pytest, para el profesor.
"""
import contextlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from abandono.calificador import caja, juicio, referencia as ref
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.calificador.observacion import Observador
from abandono.lanzador import RAIZ

SOLUCIONES = RAIZ / 'solutions'
_MODULO = re.compile(r'test_ejercicio(\d+)\.py$')
INTERNO = ('El calificador no pudo hacer esta comprobación por un error suyo, no de tu código: '
           'díselo a tu profesor (lo demás está calificado).')


def pytest_addoption(parser):
    grupo = parser.getgroup('calificador', 'calificación de los ejercicios')
    grupo.addoption('--entrega', metavar='RUTA', type=Path, default=None,
                    help='carpeta con la entrega de un estudiante (servicio1.py, flask_test.py, '
                         'probar_servicio.py); sin ella se califica solutions/')
    grupo.addoption('--referencia-fd', metavar='N', type=int, default=None,
                    help='lee del descriptor N el modelo y los clientes de la calificación')
    grupo.addoption('--resultados-fd', metavar='N', type=int, default=None,
                    help='escribe en el descriptor N los puntos y el mensaje de cada prueba')
    grupo.addoption('--sin-aislamiento', action='store_true',
                    help='ejecuta el código de la entrega sin caja: solo para código de fiar')


def pytest_configure(config):
    config.addinivalue_line('markers', 'ejercicio(n, titulo): el ejercicio de la lección que califica el módulo')
    config.stash[_RESULTADOS] = []


def pytest_collection_modifyitems(session, config, items):
    """Pone a cada prueba de tests/ejercicios los puntos de la tabla; la tabla y las pruebas coinciden.

    Que coinciden se mira en lo que definen los módulos de pruebas, no en lo recogido:
    elegir pruebas con -m, -k o un nodo no esconde una entrada de la tabla sin prueba.
    """
    modulos = {}   # número de ejercicio -> el módulo test_ejercicio<n>.py recogido
    for item in items:
        encaje = _MODULO.search(str(item.path))
        if not encaje:
            continue
        numero, nombre = int(encaje[1]), item.originalname.removeprefix('test_')
        ejercicio = EJERCICIOS.get(numero)
        if ejercicio is None or nombre not in ejercicio.puntos:
            raise pytest.UsageError(f'{item.nodeid}: no está en abandono/calificador/ejercicios.py')
        item.add_marker(pytest.mark.ejercicio(numero, ejercicio.titulo))
        item.add_marker(pytest.mark.puntos(ejercicio.puntos[nombre]))
        modulos[numero] = item.module
    if modulos:
        carpeta = Path(next(iter(modulos.values())).__file__).parent
        faltan = [f'ejercicio {n}: {carpeta.name}/test_ejercicio{n}.py' for n in EJERCICIOS
                  if not (carpeta / f'test_ejercicio{n}.py').is_file()]
        faltan += [f'ejercicio {n}: test_{p}' for n, modulo in modulos.items() for p in EJERCICIOS[n].puntos
                   if not callable(getattr(modulo, f'test_{p}', None))]
        if faltan:
            raise pytest.UsageError('La tabla de ejercicios.py tiene comprobaciones sin prueba: ' + ', '.join(faltan))


@dataclass
class Resultado:
    ejercicio: int
    titulo: str
    prueba: str
    descripcion: str
    puntos: int
    obtenidos: int
    mensaje: str
    notas: list      # lo que la prueba dejó dicho aunque pasara (juicio.nota)
    causa: str       # por qué falló, si es una causa con nombre (juicio.una_vez): agrupa los fallos


_RESULTADOS = pytest.StashKey[list]()
_PRUEBA = pytest.StashKey[dict]()


@contextlib.contextmanager
def _anotando(item):
    """Lo que anote la prueba (juicio.nota, juicio.una_vez) va a su ficha mientras dure el bloque."""
    ficha = juicio.PRUEBA.set(item.stash[_PRUEBA])
    try:
        yield
    finally:
        juicio.PRUEBA.reset(ficha)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    # La ficha vale desde que se preparan sus fixtures (que ya pueden suspender) hasta que termina.
    item.stash[_PRUEBA] = {'notas': [], 'causa': ''}
    with _anotando(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _anotando(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    informe = yield
    puntos, ejercicio = item.get_closest_marker('puntos'), item.get_closest_marker('ejercicio')
    # Una prueba cuenta una vez: en su llamada o, si falló al prepararse, en la preparación.
    cuenta = informe.when == 'call' or (informe.when == 'setup' and not informe.passed)
    if puntos and ejercicio and cuenta:
        mensaje = '' if informe.passed else informe.longreprtext.strip()
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.fail.Exception):
            mensaje = INTERNO   # la traza es del calificador: se queda en la salida de pytest
        anotado = item.stash.get(_PRUEBA, {'notas': [], 'causa': ''})
        item.config.stash[_RESULTADOS].append(Resultado(
            ejercicio=ejercicio.args[0], titulo=ejercicio.args[1], prueba=item.name,
            descripcion=(item.obj.__doc__ or item.name).strip().splitlines()[0],
            puntos=puntos.args[0], obtenidos=puntos.args[0] if informe.passed else 0,
            mensaje=mensaje[-3000:], notas=list(dict.fromkeys(anotado['notas'])),
            causa='' if informe.passed else anotado['causa']))
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
    fd = config.getoption('resultados_fd')
    if fd is not None:
        with os.fdopen(fd, 'w', encoding='utf-8') as tuberia:
            json.dump({'entrega': str(entrega), 'resultados': resultados}, tuberia, ensure_ascii=False)


# --- Fixtures ------------------------------------------------------------------

@pytest.fixture(scope='session')
def entrega(request):
    ruta = request.config.getoption('entrega') or SOLUCIONES
    if not ruta.is_dir():
        raise pytest.UsageError(f'--entrega {ruta}: no existe esa carpeta')
    return ruta.resolve()


@pytest.fixture(scope='session')
def aislada(request):
    """True si el código de la entrega corre en cajas; sin bubblewrap, solo con --sin-aislamiento."""
    if request.config.getoption('sin_aislamiento'):
        return False
    motivo = caja.motivo_sin_caja()
    if motivo:
        raise pytest.UsageError(
            f'No se puede aislar el código de la entrega: {motivo}. El código de un estudiante no es '
            'de fiar; califica dentro de la imagen de contenedor del taller (docs/profesorado.md)'
            ' o, solo para código tuyo, añade --sin-aislamiento.')
    return True


@pytest.fixture(scope='session')
def referencia(request, tmp_path_factory):
    """El modelo y los clientes de la calificación: de quien lanzó pytest, o nuevos."""
    fd = request.config.getoption('referencia_fd')
    if fd is not None:
        with os.fdopen(fd, encoding='utf-8') as tuberia:
            return ref.Referencia.de_json(tuberia.readline())
    return ref.crear(tmp_path_factory.mktemp('referencia'))


@pytest.fixture(scope='session')
def entrada(entrega, referencia, tmp_path_factory):
    return caja.Entrada(entrega, referencia.modelo, tmp_path_factory.mktemp('entrada'))


@pytest.fixture(scope='session')
def observador(entrada, referencia, aislada):
    observador = Observador(entrada, referencia, aislada)
    yield observador
    observador.cerrar()
