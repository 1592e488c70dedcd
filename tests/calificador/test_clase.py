"""El calificador sabe suspender y nadie le hace trampa: cada muestra saca justo lo esperado.

Una clase de muestras se califica una vez por módulo con el comando de clase: la
tanda rápida (la solución, el esqueleto, las pistas al pie de la letra y los
ataques que más daño harían) y la clase entera, con todos. Todo el archivo va
en la tanda lenta (``make test-lento``); ``make test`` califica con la caja en
tests/ejercicios, test_caja.py y test_comprobar.py.
Alrededor de cada tanda: una escucha en el 127.0.0.1 de la máquina que no
debe recibir nada, y la huella del taller y de .venv, que no deben cambiar.
"""
import contextlib
import csv
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from abandono.calificador import aula, caja, clase, informes, notas
from abandono.calificador.aula.hoja import Hoja
from abandono.calificador.complemento import por_ejercicio
from abandono.calificador.generador import EJERCICIOS as CARPETA_EJERCICIOS, SOLUCIONES
from abandono.calificador.juicio import POR_EL_ERROR_DE_ARRIBA
from abandono.calificador.similitud import UMBRAL
from abandono.calificador.nombres import archivo_de
from abandono.lanzador import RAIZ
import aulas
from muestras import (ARCHIVOS, ATAQUES, CORRECTA, ERROR, FORMULA, HONESTO, HOSTIL, MUESTRAS, NOMBRES_HOSTILES,
                      TABLA_FALSA, Muestra, construir)

# depurador_activado y url_sin_http ya pasan por make comprobar en test_comprobar.py.
# Calificar una clase, aunque sea pequeña, cuesta decenas de segundos: todo el archivo va en la tanda lenta
# (make test-lento). La tanda rápida es un subconjunto; la clase entera las califica todas.
pytestmark = pytest.mark.lento
RAPIDAS = ('pistas_al_pie_de_la_letra', 'falsifica_el_informe', 'deja_procesos', 'sale_a_la_red')
MAXIMOS = informes.maximos()


class Escucha:
    """Un servidor TCP en el 127.0.0.1 de la máquina que anota todo lo que le llega."""

    def __init__(self):
        self.recibido = []
        self._servidor = socket.create_server(('127.0.0.1', 0))
        self._servidor.settimeout(0.2)
        self.puerto = self._servidor.getsockname()[1]
        self._parar = threading.Event()
        self._hilo = threading.Thread(target=self._escuchar, daemon=True)
        self._hilo.start()

    def _escuchar(self):
        while not self._parar.is_set():
            try:
                conexion, origen = self._servidor.accept()
            except OSError:
                continue
            with conexion:
                conexion.settimeout(0.5)
                try:
                    self.recibido.append((origen, conexion.recv(1000)))
                except OSError:
                    self.recibido.append((origen, b''))

    def cerrar(self):
        self._parar.set()
        self._hilo.join()
        self._servidor.close()


def huella():
    """Lo que un ataque querría cambiar: el paquete, las soluciones, las pruebas y .venv: {ruta: (tamaño, fecha)}."""
    archivos = {}
    for carpeta in (RAIZ / 'abandono' / 'calificador', SOLUCIONES, RAIZ / 'tests' / 'ejercicios', RAIZ / '.venv'):
        for raiz, carpetas, nombres in os.walk(carpeta):
            carpetas[:] = [c for c in carpetas if c != '__pycache__']
            for nombre in nombres:
                info = os.lstat(os.path.join(raiz, nombre))
                archivos[os.path.join(raiz, nombre)] = (info.st_size, info.st_mtime_ns)
    # Las marcas de make (.venv/.taller...) las toca cualquier "make" que reinstale: no son de un ataque.
    return {ruta: dato for ruta, dato in archivos.items() if Path(ruta).parent != RAIZ / '.venv'}


def cambios(antes, despues):
    return sorted(r for r in antes.keys() | despues.keys() if antes.get(r) != despues.get(r))


def rastros():
    """Archivos ATAQUE_* en el taller (git aparte) o en /tmp, y procesos que un ataque quiso dejar vivos."""
    archivos = []
    for raiz, carpetas, nombres in os.walk(RAIZ):
        carpetas[:] = [c for c in carpetas if c != '.git']
        archivos += [os.path.join(raiz, n) for n in nombres if n.startswith('ATAQUE_')]
    archivos += [str(p) for p in Path('/tmp').glob('ATAQUE_*')]
    # Lo que aún cuelga de un pytest o de una caja es de una calificación en marcha (esta sesión deja
    # abiertas las de tests/ejercicios, y con -n 2 otro worker tiene las suyas). Lo que sobrevive a su
    # calificación queda huérfano: ya no cuelga de ninguno de los dos.
    padres, ordenes = {}, {}
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            ordenes[pid] = Path(f'/proc/{pid}/cmdline').read_bytes()
            padres[pid] = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[1]
        except (OSError, IndexError):
            continue

    def de_una_calificacion_en_marcha(pid):
        while pid in padres and pid != '1':
            if ordenes.get(pid, b'').startswith(b'bwrap\0') or b'pytest' in ordenes.get(pid, b''):
                return True
            pid = padres[pid]
        return False

    procesos = [orden.replace(b'\0', b' ').decode(errors='replace') for pid, orden in ordenes.items()
                if (b'MARCA_ATAQUE' in orden or b'/calificador/pasarela.py' in orden
                    or b'/calificador/sonda.py' in orden) and not de_una_calificacion_en_marcha(pid)]
    return archivos, procesos


class Consumo:
    """Mientras califica la clase: los hilos del calificador (fuera de las cajas) y la memoria usada de la máquina."""

    def __init__(self):
        self.hilos, self.memoria, self._base = 0, 0, self._usada()
        self._parar = threading.Event()
        self._hilo = threading.Thread(target=self._medir, daemon=True)
        self._hilo.start()

    @staticmethod
    def _usada():
        campos = dict(l.split(':', 1) for l in Path('/proc/meminfo').read_text().splitlines())
        return (int(campos['MemTotal'].split()[0]) - int(campos['MemAvailable'].split()[0])) * 1024

    def _medir(self):
        while not self._parar.wait(0.2):
            self.memoria = max(self.memoria, self._usada() - self._base)
            self.hilos = max([self.hilos, *_hilos_del_calificador().values()])

    def cerrar(self):
        self._parar.set()
        self._hilo.join()


def _hilos_del_calificador():
    """{pid: hilos} de cada proceso que cuelga de esta prueba sin estar dentro de una caja (bwrap)."""
    propios, pendientes = {}, [os.getpid()]
    while pendientes:
        pid = pendientes.pop()
        try:
            if Path(f'/proc/{pid}/cmdline').read_bytes().startswith(b'bwrap\0'):
                continue   # una caja: lo de dentro lo paga ella
            estado = Path(f'/proc/{pid}/status').read_text()
            propios[pid] = int(estado.split('Threads:', 1)[1].split()[0])
            for tarea in os.listdir(f'/proc/{pid}/task'):
                pendientes += map(int, Path(f'/proc/{pid}/task/{tarea}/children').read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return propios


@dataclass
class Tanda:
    carpeta: Path
    calificaciones: dict
    salida: Path
    segundos: float
    recibido: list
    huella_antes: dict
    huella_despues: dict
    rastros: tuple
    pares: list
    hilos: int          # los de un proceso del calificador, como mucho
    memoria: int        # bytes de memoria usada de más en la máquina, como mucho


def calificar_tanda(base, muestras):
    escucha = Escucha()
    try:
        carpeta = base / 'entregas'
        construir(carpeta, muestras, escucha.puerto)
        shutil.copytree(SOLUCIONES, carpeta / 'solucion')
        shutil.copytree(CARPETA_EJERCICIOS, carpeta / 'esqueleto')
        antes = huella()
        consumo = Consumo()
        inicio = time.monotonic()
        try:
            calificaciones, pares = clase.calificar_clase(aula.abrir(carpeta, None).entregas, progreso=False)
        finally:
            consumo.cerrar()
        segundos = time.monotonic() - inicio
        time.sleep(0.5)  # lo que quedara vivo tendría tiempo de llamar a la escucha
        salida = base / 'notas'
        notas.escribir(salida, notas.Notas('carpeta', calificaciones, pares, segundos))
        return Tanda(carpeta, {c['entrega']: c for c in calificaciones}, salida, segundos, list(escucha.recibido),
                     antes, huella(), rastros(), pares, consumo.hilos, consumo.memoria)
    finally:
        escucha.cerrar()


@pytest.fixture(scope='module')
def rapida(tmp_path_factory):
    return calificar_tanda(tmp_path_factory.mktemp('rapida'), [m for m in MUESTRAS if m.nombre in RAPIDAS])


@pytest.fixture(scope='module')
def completa(tmp_path_factory):
    return calificar_tanda(tmp_path_factory.mktemp('completa'), MUESTRAS)


def tanda_de(request, muestra):
    return request.getfixturevalue('rapida' if muestra.nombre in RAPIDAS else 'completa')


def puntos(calificacion):
    return {n: obtenidos for n, (_, obtenidos, _) in por_ejercicio(calificacion['resultados']).items()}


def esperados(muestra):
    partida = MAXIMOS if muestra.base == 'solutions' else dict.fromkeys(MAXIMOS, 0)
    return {**partida, **muestra.esperado}


def _casos(muestras):
    return [pytest.param(m, id=m.nombre, marks=() if m.nombre in RAPIDAS else pytest.mark.lento) for m in muestras]


def test_la_solucion_saca_todo_y_el_esqueleto_nada(rapida):
    assert puntos(rapida.calificaciones['solucion']) == MAXIMOS
    assert puntos(rapida.calificaciones['esqueleto']) == dict.fromkeys(MAXIMOS, 0)
    # Se califican todos los ejercicios: uno por archivo de pruebas tests/ejercicios/test_ejercicio<n>.py.
    archivos = RAIZ.glob('tests/ejercicios/test_ejercicio*.py')
    assert set(MAXIMOS) == {int(r.stem.removeprefix('test_ejercicio')) for r in archivos}


def test_hay_muestras_de_cada_tipo_y_ataques_de_cada_categoria():
    tipos = [m.tipo for m in MUESTRAS]
    assert tipos.count(ERROR) >= 15 and tipos.count(CORRECTA) >= 6 and tipos.count(HOSTIL) >= 6
    categorias = {parte.strip() for m in ATAQUES for parte in m.categoria.split('/')}
    assert categorias >= {'puntos sin trabajo', 'fugas', 'cambios duraderos', 'compañeros', 'toda la clase',
                          'restos', 'red'}


@pytest.mark.parametrize('muestra', _casos(MUESTRAS))
def test_cada_muestra_saca_lo_esperado(request, muestra):
    tanda = tanda_de(request, muestra)
    calificacion = tanda.calificaciones[muestra.nombre]
    assert calificacion['error'] is None, calificacion['error'] + calificacion['salida']
    assert puntos(calificacion) == esperados(muestra), muestra.descripcion
    if muestra.pista:
        mensajes = '\n'.join(r['mensaje'] for r in calificacion['resultados'])
        assert muestra.pista in mensajes, mensajes


@pytest.mark.parametrize('nombre', ['rapida', pytest.param('completa', marks=pytest.mark.lento)])
def test_los_ataques_no_dejan_rastro(request, nombre):
    tanda = request.getfixturevalue(nombre)
    assert tanda.recibido == [], 'la escucha de fuera de las cajas recibió algo'
    assert cambios(tanda.huella_antes, tanda.huella_despues) == [], 'cambió el taller o .venv'
    assert tanda.rastros == ([], []), tanda.rastros
    assert all(c['error'] is None for c in tanda.calificaciones.values())


@pytest.mark.parametrize('nombre', ['rapida', pytest.param('completa', marks=pytest.mark.lento)])
def test_ninguna_retroalimentacion_copia_la_solucion(request, nombre):
    tanda = request.getfixturevalue(nombre)
    solucion = (SOLUCIONES / 'servicio1.py').read_text(encoding='utf-8')
    lineas_propias = [l.strip() for l in solucion.splitlines()
                      if l.strip().startswith(('y_pred =', 'X = dv.transform', 'abandono = probabilidad'))]
    assert lineas_propias
    for archivo in (tanda.salida / 'retroalimentacion').iterdir():
        texto = archivo.read_text(encoding='utf-8')
        assert 'BEGIN SOLUCION' not in texto, archivo
        assert not [l for l in lineas_propias if l in texto], archivo


def test_cada_fallo_explica_que_se_esperaba(rapida):
    fallos = [r for c in rapida.calificaciones.values() for r in c['resultados'] if r['obtenidos'] < r['puntos']]
    assert fallos
    for fallo in fallos:
        if fallo['mensaje'].startswith(POR_EL_ERROR_DE_ARRIBA):
            # Lo que solo falló por una causa ya explicada dice cuál, sin repetir su bloque ni su pista.
            assert fallo['mensaje'].endswith(')'), fallo
            continue
        for parte in ('Se esperaba:', 'Se obtuvo:', 'Pista:'):
            assert parte in fallo['mensaje'], fallo
        assert 'Traceback' not in fallo['mensaje'] and 'During handling' not in fallo['mensaje'], fallo


def test_notas_de_la_clase(rapida):
    with open(rapida.salida / 'calificaciones.csv', encoding='utf-8') as archivo:
        filas = list(csv.DictReader(archivo))
    assert list(filas[0]) == ['entrega', *(f'ejercicio_{n}' for n in MAXIMOS), 'total', 'maximo', 'ajuste']
    assert [f['entrega'] for f in filas] == sorted(rapida.calificaciones)
    solucion = next(f for f in filas if f['entrega'] == 'solucion')
    assert int(solucion['total']) == int(solucion['maximo']) == sum(MAXIMOS.values())
    assert (rapida.salida / 'grafico.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    informe = (rapida.salida / 'informe.md').read_text(encoding='utf-8')
    assert 'grafico.png' in informe and 'Fallos más comunes' in informe
    assert sorted(p.stem for p in (rapida.salida / 'retroalimentacion').iterdir()) == sorted(rapida.calificaciones)


@pytest.mark.lento
def test_nada_de_lo_que_eligen_las_entregas_llega_vivo_a_los_informes(completa):
    """Ni escapes de terminal, ni HTML, ni filas falsas en Markdown, ni fórmulas en el CSV."""
    archivos = [completa.salida / n for n in ('informe.md', 'similitud.md', 'calificaciones.csv', 'similitud.csv')]
    archivos += list((completa.salida / 'retroalimentacion').iterdir())
    for archivo in archivos:
        texto = archivo.read_text(encoding='utf-8')
        assert '\x1b' not in texto, archivo
        assert archivo.suffix != '.md' or '<!--' not in texto, archivo   # en un CSV, <!-- no es nada
    assert '\\x1b[2J' in (completa.salida / 'retroalimentacion' / 'escapes_de_terminal.md').read_text(encoding='utf-8')
    informe = (completa.salida / 'informe.md').read_text(encoding='utf-8')
    filas = [l for l in informe.splitlines() if l.startswith('| [')]
    assert len(filas) == len(completa.calificaciones)   # ni una fila de más ni una escondida
    for nombre in ('calificaciones.csv', 'similitud.csv'):
        with open(completa.salida / nombre, encoding='utf-8') as archivo:
            celdas = [c for f in csv.reader(archivo) for c in f]
        assert not [c for c in celdas if c[:1] in ('=', '+', '-', '@')], nombre
    with open(completa.salida / 'calificaciones.csv', encoding='utf-8') as archivo:
        entregas = [f['entrega'] for f in csv.DictReader(archivo)]
    assert "'" + FORMULA in entregas and informes.en_csv(TABLA_FALSA) in entregas


@pytest.mark.lento
def test_lo_que_hace_una_entrega_lo_paga_su_caja(completa):
    """1 500 conexiones mudas no crean hilos en el calificador; tres procesos de 1,4 GB no llegan a 2,5 GB."""
    assert completa.hilos < 300, completa.hilos
    assert completa.memoria < 2.5 * 1024 ** 3, completa.memoria


@pytest.mark.lento
def test_la_copia_renombrada_es_su_par_mas_parecido_y_el_esqueleto_no_se_parece_a_nadie(completa):
    pares = completa.pares
    de_la_copia = [p for p in pares if 'copia_renombrada' in (p.a, p.b)]
    assert {de_la_copia[0].a, de_la_copia[0].b} == {'copia_renombrada', 'escrita_a_su_manera'}
    assert de_la_copia[0].parecido >= UMBRAL
    assert not [p for p in pares if 'esqueleto' in (p.a, p.b) and p.parecido >= UMBRAL]
    # Sin las muestras que son cambios pequeños sobre la solución (copias de ella por construcción),
    # la copia renombrada es el par más parecido de la clase.
    propias = {m.nombre for m in MUESTRAS if m.base == 'exercises' or set(ARCHIVOS) <= set(m.extra)} | {'esqueleto'}
    primero = next(p for p in pares if p.a in propias and p.b in propias)
    assert {primero.a, primero.b} == {'copia_renombrada', 'escrita_a_su_manera'}
    informe = (completa.salida / 'informe.md').read_text(encoding='utf-8')
    assert '## Entregas que se parecen' in informe and 'no un veredicto' in informe


def test_la_tanda_rapida_va_a_buen_ritmo(rapida):
    # Medido: unos 5 s por entrega con dos a la vez con 2 CPU ocupadas; 15 s ya sería una regresión.
    assert rapida.segundos / len(rapida.calificaciones) < 15, rapida.segundos


def test_calificar_una_sola_entrega_lo_dice_y_no_escribe_nada(tmp_path, capsys):
    entrega = tmp_path / 'mi_entrega'
    shutil.copytree(SOLUCIONES, entrega)
    with pytest.raises(SystemExit) as salida:
        clase.main([str(entrega)])
    assert salida.value.code == 2
    assert 'parece UNA entrega' in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ['mi_entrega']


@pytest.mark.lento
def test_los_nombres_que_imitan_al_de_otro_no_le_quitan_nada(completa):
    """honesto\\n y honesto con un espacio de ancho cero no escriben en el archivo de honesto; nada deja sin notas."""
    retro = completa.salida / 'retroalimentacion'
    total = sum(MAXIMOS.values())
    assert f'{total}/{total}' in (retro / archivo_de(HONESTO)).read_text(encoding='utf-8')
    for nombre in NOMBRES_HOSTILES:
        assert f': 0/{total}' in (retro / archivo_de(nombre)).read_text(encoding='utf-8'), ascii(nombre)
    with open(completa.salida / 'calificaciones.csv', encoding='utf-8') as archivo:
        filas = [f for f in csv.DictReader(archivo)]
    assert len({f['entrega'] for f in filas}) == len(filas) == len(completa.calificaciones)
    assert [f['total'] for f in filas if f['entrega'] == HONESTO] == [str(total)]
    informe = (completa.salida / 'informe.md').read_text(encoding='utf-8')
    confundidos = informe.split('## Nombres que se confunden')[1].split('\n## ')[0]
    assert 'honesto&#92;x0a' in confundidos and 'honesto&#92;u200b' in confundidos


@pytest.mark.lento
def test_de_una_entrega_no_quedan_restos_en_la_carpeta_temporal(tmp_path):
    """60 000 archivos vacíos: ni ellos ni la copia del modelo quedan en la carpeta temporal de pytest."""
    marca = f'resto{os.getpid()}x{time.time_ns()}'
    entrega = tmp_path / 'clase' / 'muchos'
    shutil.copytree(SOLUCIONES, entrega)
    for numero in range(60_000):
        (entrega / f'{marca}_{numero}').touch()
    (calificacion,), _ = clase.calificar_clase(aula.abrir(tmp_path / 'clase', None).entregas, progreso=False)
    assert calificacion['error'] is None
    restos = [p for p in Path(tempfile.gettempdir()).glob(f'pytest-of-*/pytest-*/*/*/{marca}_0')]
    restos += [p for p in Path(tempfile.gettempdir()).glob(f'entrega-*/**/{marca}_0')]
    assert restos == []


# --- Del aula virtual a su hoja (issue 26): la descarga tal como llega, la hoja rellena ---------------

@pytest.fixture(scope='module')
def tres(tmp_path_factory):
    """{nombre de la muestra: (carpeta, total esperado)} de la solución y dos errores típicos."""
    base, por_nombre = tmp_path_factory.mktemp('tres'), {m.nombre: m for m in MUESTRAS}
    tres = {'solucion': (SOLUCIONES, sum(MAXIMOS.values()))}
    for nombre in ('hola_sin_c8280', 'sin_app_run'):
        tres[nombre] = (por_nombre[nombre].construir(base), sum(esperados(por_nombre[nombre]).values()))
    return tres


def _rellena(ruta):
    return Hoja(ruta.read_bytes().decode('utf-8'))


def _sobre(puntos, maximo_aula, decimal='.'):
    """``puntos`` de la calificación en la escala del aula, con dos decimales y la mitad hacia arriba."""
    nota = Decimal(puntos) * Decimal(maximo_aula) / Decimal(sum(MAXIMOS.values()))
    return str(nota.quantize(Decimal('0.01'), ROUND_HALF_UP)).replace('.', decimal)


# Las filas de la hoja de Moodle: tres que entregaron y una que no.
HOJA_DE_TRES = [(1234, 'Ana García', 'ana@ejemplo.org', True), (1235, 'Luis Pérez', 'luis@ejemplo.org', True),
                (1237, 'Sin Entrega', 'nadie@ejemplo.org', False), (1236, 'Marta Ruiz', 'marta@ejemplo.org', True)]


def _moodle(base, tres, idioma, maxima, carpetas=True, extra=(), mas_filas=()):
    """(el zip de Moodle de la clase de tres, más las entradas ``extra``; su hoja, más ``mas_filas``)."""
    (solucion, _), (hola, _), (sin_run, _) = tres.values()
    origen = aulas.zip_moodle(base / 'CURSO-Despliegue-77.zip', {
        ('Ana García', 1234): solucion, ('Luis Pérez', 1235): hola, ('Marta Ruiz', 1236): sin_run}, carpetas, extra=extra)
    hoja = base / 'Calificaciones-CURSO-Despliegue-77.csv'
    hoja.write_text(aulas.hoja_moodle([*HOJA_DE_TRES, *mas_filas], idioma, maxima), encoding='utf-8')
    return origen, hoja


@pytest.mark.lento
def test_de_moodle_a_moodle_con_entradas_hostiles_y_una_bomba_de_700_mb(tmp_path, tres, capsys):
    """El zip con carpetas y la hoja en inglés: zip slip, un enlace y 700 MB se quedan fuera, la clase se califica."""
    extra = [('Eva Mala_1240_assignsubmission_file/../../ATAQUE_zip_slip', b'x'),
             (aulas.enlace('Eva Mala_1240_assignsubmission_file/servicio1.py'), b'/etc/passwd'),
             ('Eva Mala_1240_assignsubmission_file/flask_test.py', (CARPETA_EJERCICIOS / 'flask_test.py').read_bytes()),
             ('Pepe Bomba_1241_assignsubmission_file/entrega.zip', aulas.bomba(tmp_path / 'bomba.zip').read_bytes())]
    origen, hoja = _moodle(tmp_path, tres, 'en', '100.00', extra=extra, mas_filas=[
        (1240, 'Eva Mala', 'eva@ejemplo.org', True), (1241, 'Pepe Bomba', 'pepe@ejemplo.org', True)])
    assert clase.main([str(origen), '--hoja', str(hoja)]) == 0
    salida = tmp_path / 'notas_CURSO-Despliegue-77'
    err = capsys.readouterr().err
    assert 'Pepe Bomba_1241: La entrega no se desempaquetó ni se calificó: con lo que trae entrega.zip' in err
    original, rellena = _rellena(hoja), _rellena(salida / 'moodle_calificaciones.csv')
    assert rellena.texto().splitlines()[3] == original.texto().splitlines()[3]   # sin entrega: igual
    total, (_, hola), (_, sin_run) = sum(MAXIMOS.values()), *list(tres.values())[1:]
    assert {rellena.celdas(f)[0]: rellena.celdas(f)[4] for f in range(1, len(rellena))} == {
        'Participant 1234': '100.00', 'Participant 1235': _sobre(hola, 100), 'Participant 1237': '',
        'Participant 1236': _sobre(sin_run, 100), 'Participant 1240': '0.00', 'Participant 1241': '0.00'}
    assert 'no se desempaquetó' in rellena.celdas(6)[9] and rellena.celdas(1)[9].startswith(f'{total}/{total} ')
    for fila in range(len(original)):   # fuera de la calificación y los comentarios, nada cambia
        assert rellena.celdas(fila)[:4] + rellena.celdas(fila)[5:9] == original.celdas(fila)[:4] + original.celdas(fila)[5:9]
    with zipfile.ZipFile(salida / 'moodle_retroalimentacion.zip') as archivo:
        assert len(archivo.namelist()) == 5
    informe = (salida / 'informe.md').read_text(encoding='utf-8')
    assert '2 avisos al desempaquetar' in informe and rastros()[0] == []


@pytest.mark.lento
def test_de_moodle_a_moodle_en_espanol_sin_carpetas(tmp_path, tres):
    origen, hoja = _moodle(tmp_path, tres, 'es', '10,00', carpetas=False)
    assert clase.main([str(origen), '--hoja', str(hoja)]) == 0
    rellena = _rellena(tmp_path / 'notas_CURSO-Despliegue-77' / 'moodle_calificaciones.csv')
    (_, hola), (_, sin_run) = list(tres.values())[1:]
    assert [rellena.celdas(f)[4] for f in range(1, 5)] == ['10,00', _sobre(hola, 10, ','), '', _sobre(sin_run, 10, ',')]
    assert rellena.celdas(0) == _rellena(hoja).celdas(0)


@pytest.mark.lento
def test_de_canvas_a_canvas_una_recalificada_y_los_ajustes_sobreviven(tmp_path, tres):
    (solucion, _), (hola, hola_total), (sin_run, sin_run_total) = tres.values()
    origen = aulas.zip_canvas(tmp_path / 'submissions.zip', {
        ('garciaana', 501): solucion, ('perezluis', 502): hola, ('ruizmarta', 503): sin_run},
        tarde={('perezluis', 502)}, repetidos={('ruizmarta', 503)})
    libro = tmp_path / 'libro.csv'
    libro.write_text(aulas.libro_canvas([('García, Ana', 501, 'ana'), ('Pérez, Luis', 502, 'luis'),
                                         ('Test Student', 599, ''), ('Ruiz, Marta', 503, 'marta')], puntos='10.00'))
    assert clase.main([str(origen), '--hoja', str(libro)]) == 0
    salida = tmp_path / 'notas_submissions'

    def columna():
        rellena = _rellena(salida / 'canvas_calificaciones.csv')
        return {rellena.celdas(f)[1]: rellena.celdas(f)[5] for f in range(1, len(rellena))}
    assert columna() == {'': '10.00', '501': '10.00', '502': _sobre(hola_total, 10), '599': '',
                         '503': _sobre(sin_run_total, 10)}   # la última subida de Marta, no la anterior
    assert 'tarde (según Canvas)' in (salida / 'informe.md').read_text(encoding='utf-8')

    (salida / 'ajustes.csv').write_text('entrega,ejercicio,puntos,motivo\nperezluis_502,2,+1,otra forma del saludo\n')
    ajustes = (salida / 'ajustes.csv').read_bytes()
    retro = salida / 'retroalimentacion'
    antes = {p.name: p.stat().st_mtime_ns for p in retro.iterdir()}
    assert clase.main([str(origen), '--solo', '502']) == 0
    despues = {p.name: p.stat().st_mtime_ns for p in retro.iterdir()}
    assert {n for n in antes if antes[n] != despues[n]} == {'perezluis_502.md'}
    assert 'otra forma del saludo' in (retro / 'perezluis_502.md').read_text(encoding='utf-8')
    assert columna()['502'] == _sobre(hola_total + 1, 10)

    assert clase.main([str(origen), '--hoja', str(libro)]) == 0   # la clase entera otra vez
    assert (salida / 'ajustes.csv').read_bytes() == ajustes
    assert columna()['502'] == _sobre(hola_total + 1, 10)
    with open(salida / 'calificaciones.csv', encoding='utf-8') as archivo:
        filas = {f['entrega']: f for f in csv.DictReader(archivo)}
    assert (filas['perezluis_502']['total'], filas['perezluis_502']['ajuste']) == (str(hola_total + 1), '1')


# Sin root: las honradas junto a los ataques, el que agota los procesos del usuario incluido. Sin cgroups
# delegados, el tope de memoria de cada caja lo pone el vigilante (vigilante.py): tres_de_14_gb y memfd_de_2_gb.
SIN_ROOT = ('solucion', 'falsifica_el_informe', 'reescribe_el_repositorio', 'deja_procesos', 'sale_a_la_red',
            'pistas_al_pie_de_la_letra', 'escrita_a_su_manera', 'bomba_de_procesos', 'servidor_tardio',
            'depurador_escondido', 'post_solo_claves', 'conexiones_mudas', 'escapes_de_terminal', TABLA_FALSA, FORMULA,
            'tres_de_14_gb', 'memfd_de_2_gb', 'servidor_en_red_anidada', 'depurador_en_otro_puerto')


@pytest.fixture
def usuario():
    """Un usuario del sistema nuevo, solo para esta prueba (se borra al terminar): su uid."""
    nombre = f'calif{os.getpid()}'
    subprocess.run(['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', nombre], check=True)
    try:
        yield int(subprocess.run(['id', '-u', nombre], capture_output=True, text=True, check=True).stdout)
    finally:
        subprocess.run(['userdel', nombre], check=False)


@contextlib.contextmanager
def cgroups_delegados(uid):
    """Un cgroup v1 «pids» y uno «memory» de ``uid`` bajo los de esta prueba, como los daría un administrador.

    Devuelve sus carpetas: el usuario puede entrar en ellos y crear dentro los de cada caja.
    """
    if caja._montajes().keys() < {'pids', 'memory'}:
        pytest.skip('la delegación probada es la de cgroups v1 (con v2, ver docs/profesorado.md)')
    rutas = [padre / f'abandono-delegado-{os.getpid()}' for padre, _ in caja._jerarquias()]
    try:
        for ruta in rutas:
            ruta.mkdir()
            for archivo in (ruta, ruta / 'cgroup.procs', ruta / 'tasks'):
                os.chown(archivo, uid, uid)
        yield rutas
    finally:
        for ruta in rutas:
            for grupo in [*ruta.glob('abandono-caja-*'), ruta]:
                with contextlib.suppress(OSError):
                    grupo.rmdir()


def _carpetas_cerradas(rutas):
    """{carpeta que otro usuario no puede atravesar (sin o+x): {las de dentro por las que pasa cada ruta}}."""
    cerradas = {}
    for ruta in map(Path, rutas):
        for padre in ruta.parents:
            if padre != Path('/') and not padre.stat().st_mode & 0o001:
                cerradas.setdefault(padre, set()).add(padre / ruta.relative_to(padre).parts[0])
    return cerradas


def abrir_caminos(rutas, puentes):
    """Los comandos de mount (en un espacio de montaje propio) que dejan a otro usuario llegar a ``rutas``.

    Cada carpeta cerrada del camino (como /root, 0700, o la de un ``mktemp -d`` donde se
    clonó el taller) se tapa con un tmpfs abierto, y dentro se vuelven a montar solo las
    carpetas por las que pasan las rutas; de fuera hacia dentro, así también sirve si hay
    varias cerradas en el mismo camino.
    """
    ordenes = []
    for numero, (cerrada, hijos) in enumerate(sorted(_carpetas_cerradas(rutas).items(), key=lambda c: len(c[0].parts))):
        pares = [(hijo, puentes / f'{numero}-{i}') for i, hijo in enumerate(sorted(hijos))]
        for hijo, puente in pares:
            puente.mkdir(parents=True)
            ordenes.append(f'mount --bind {shlex.quote(str(hijo))} {puente}')
        ordenes.append(f'mount -t tmpfs -o mode=755 tmpfs {shlex.quote(str(cerrada))}')
        for hijo, puente in pares:
            ordenes += [f'mkdir -p {shlex.quote(str(hijo))}', f'mount --bind {puente} {shlex.quote(str(hijo))}']
    return ['mount --make-rprivate /', *ordenes] if ordenes else []


@pytest.mark.lento
@pytest.mark.skipif(os.geteuid() != 0, reason='solo root puede calificar como otro usuario; '
                                              'sin root, toda la batería ya corre sin privilegios')
@pytest.mark.parametrize('delegados', [False, True], ids=['sin_cgroups', 'cgroups_delegados'])
def test_como_usuario_sin_privilegios_da_lo_mismo(usuario, delegados):
    """La clase calificada por un usuario sin privilegios (setpriv) saca lo mismo y no deja rastro.

    Sin cgroups delegados, las entregas van de una en una (y lo dice): la que agota los procesos
    del usuario no quita nada a las honradas. Con ellos, van a la vez como con root, cada caja con
    sus topes de procesos y de memoria.

    El usuario tiene que llegar al intérprete (aquí en /root/.pyenv, y /root es 0700) y al
    taller, clonado donde sea (en una carpeta de ``mktemp -d``, 0700, o en un home 0750):
    ``abrir_caminos`` los abre en un espacio de montaje propio.
    """
    base = Path(tempfile.mkdtemp(prefix='clase-sin-root-'))
    try:
        os.chmod(base, 0o755)
        escucha = Escucha()
        muestras = [m for m in MUESTRAS if m.nombre in SIN_ROOT]
        construir(base / 'entregas', muestras, escucha.puerto)
        shutil.copytree(SOLUCIONES, base / 'entregas' / 'solucion')
        for raiz, carpetas, archivos in os.walk(base):
            for nombre in carpetas:
                os.chmod(os.path.join(raiz, nombre), 0o755)
        (base / 'notas').mkdir()
        os.chown(base / 'notas', usuario, usuario)
        orden = ['setpriv', f'--reuid={usuario}', f'--regid={usuario}', '--clear-groups', 'env', 'HOME=/tmp',
                 str(RAIZ / '.venv' / 'bin' / 'python'), '-m', 'abandono.calificador.clase',
                 str(base / 'entregas'), '--salida', str(base / 'notas')]
        montajes = ''.join(f'{m} && ' for m in abrir_caminos([sys.base_prefix, RAIZ, base], base / 'puentes'))
        antes = huella()
        with cgroups_delegados(usuario) if delegados else contextlib.nullcontext([]) as rutas:
            entrar = ''.join(f'echo $$ > {ruta}/cgroup.procs && ' for ruta in rutas)
            resultado = subprocess.run(['unshare', '--mount', 'sh', '-c', entrar + montajes + 'exec ' + shlex.join(orden)],
                                       cwd=RAIZ, capture_output=True, text=True, timeout=600)
            quedan = [g for ruta in rutas for g in ruta.iterdir() if g.is_dir()]
        assert quedan == [], 'cada caja borra sus cgroups al cerrarse'
        time.sleep(0.5)
        escucha.cerrar()
        assert resultado.returncode == 0, resultado.stderr[-2000:]
        informe = (base / 'notas' / 'informe.md').read_text(encoding='utf-8')
        assert (clase.SIN_CGROUPS in resultado.stderr) == (clase.SIN_CGROUPS in informe) == (not delegados)
        with open(base / 'notas' / 'calificaciones.csv', encoding='utf-8') as archivo:
            filas = {f['entrega']: f for f in csv.DictReader(archivo)}
        for muestra in [*muestras, Muestra('solucion', CORRECTA, '')]:
            obtenidos = {n: int(filas[informes.en_csv(muestra.nombre)][f'ejercicio_{n}']) for n in MAXIMOS}
            assert obtenidos == esperados(muestra), muestra.nombre
        assert escucha.recibido == [] and cambios(antes, huella()) == [] and rastros() == ([], [])
    finally:
        shutil.rmtree(base, ignore_errors=True)
