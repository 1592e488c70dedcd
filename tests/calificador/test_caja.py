"""La caja por dentro: qué ve, qué puede escribir, a quién llega y qué queda al cerrarla.

Cada prueba ejecuta un script corto (solo biblioteca estándar) en una caja de verdad.
"""
import contextlib
import json
import os
import socket
import time
from pathlib import Path

import pytest

from abandono.calificador import caja, limites, pasarela
from abandono.lanzador import RAIZ

pytestmark = pytest.mark.skipif(caja.motivo_sin_caja() is not None, reason=str(caja.motivo_sin_caja()))

ESPIA = '''
import json, os, socket
def puede(funcion):
    try:
        funcion()
        return True
    except Exception:
        return False
def escribir(ruta, tamano=1):
    with open(ruta, 'wb') as f:
        f.write(b'x' * tamano)
def conectar(destino):
    socket.create_connection(destino, timeout=1).close()
print(json.dumps({
    'procesos': len([p for p in os.listdir('/proc') if p.isdigit()]),
    'uid': os.getuid(),
    've_el_taller': os.path.exists(RAIZ) or os.path.exists('/work'),
    've_venv_bin': os.path.exists('/venv/bin/pip'),
    'escribe_zona': puede(lambda: escribir('/zona/a')),
    'escribe_fuera': [r for r in ('/a', '/usr/a', '/venv/lib/a', '/entrada/a', '/calificador/a', '/dev/a', '/home/a')
                      if puede(lambda r=r: escribir(r))],
    'zona_sin_tope': puede(lambda: escribir('/zona/grande', ZONA + 1)),
    'casa_y_tmp': [puede(lambda r=r: escribir(r)) for r in (os.path.expanduser('~/a'), '/tmp/a')],
    'casa_sin_tope': puede(lambda: escribir(os.path.expanduser('~/grande'), CASA + 1)),
    'red': [d for d in (('127.0.0.1', PUERTO), ('1.1.1.1', 53)) if puede(lambda d=d: conectar(d))],
    'dns': puede(lambda: socket.getaddrinfo('pypi.org', 443)),
}))
'''


@pytest.fixture
def entrada(tmp_path, monkeypatch):
    def preparar(codigo):
        entrega = tmp_path / 'entrega'
        entrega.mkdir(exist_ok=True)
        (entrega / 'espia.py').write_text(codigo, encoding='utf-8')
        return caja.Entrada(entrega, RAIZ / 'modelo_trabajo.bin', tmp_path / f'entrada{len(list(tmp_path.iterdir()))}')
    return preparar


@contextlib.contextmanager
def script(entrada):
    """``python espia.py`` en una caja: su ejecución."""
    with caja.Caja(entrada, [caja.Orden(('espia.py',))]) as abierta:
        yield abierta.ejecuciones[0]


def test_solo_ve_lo_suyo_solo_escribe_en_su_zona_y_no_sale_a_la_red(entrada):
    escucha = socket.create_server(('127.0.0.1', 0))
    codigo = (ESPIA.replace('RAIZ', repr(str(RAIZ))).replace('ZONA', str(limites.ZONA)).replace('CASA', str(limites.CASA))
              .replace('PUERTO', str(escucha.getsockname()[1])))
    with script(entrada(codigo)) as ejecucion:
        assert ejecucion.esperar_fin() == 0, ejecucion.errores
        visto = json.loads(ejecucion.salida)
    escucha.settimeout(0.1)
    with pytest.raises(TimeoutError):
        escucha.accept()  # nadie de la caja llegó a la escucha de fuera
    escucha.close()
    assert visto == {'procesos': visto['procesos'], 'uid': visto['uid'], 've_el_taller': False, 've_venv_bin': False,
                     'escribe_zona': True, 'escribe_fuera': [], 'zona_sin_tope': False, 'casa_y_tmp': [True, True],
                     'casa_sin_tope': False, 'red': [], 'dns': False}
    assert visto['uid'] >= 1000   # un usuario cualquiera, no root ni nobody
    assert visto['procesos'] <= 4  # el init de bwrap, la pasarela y el script: ningún proceso de fuera


DEMONIO = '''
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)  # MARCA_DEMONIO_CAJA'])
    os._exit(0)
time.sleep(600)
'''


def marcados():
    vivos = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            if b'MARCA_DEMONIO_CAJA' in Path(f'/proc/{pid}/cmdline').read_bytes():
                vivos.append(pid)
        except OSError:
            pass
    return vivos


def test_al_cerrar_la_caja_muere_todo_lo_de_dentro(entrada):
    with script(entrada(DEMONIO)) as ejecucion:
        fin = time.monotonic() + 20
        while not marcados() and time.monotonic() < fin:
            time.sleep(0.05)
        assert marcados(), ejecucion.errores
        assert ejecucion.esperar_fin(0.2) is None  # sigue en marcha
    fin = time.monotonic() + 5
    while marcados() and time.monotonic() < fin:
        time.sleep(0.05)
    assert marcados() == []


BOMBA = '''
import os, time
hijos = 0
for _ in range(TOPE * 4):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    hijos += 1
print(hijos)
'''


def test_una_bomba_de_procesos_choca_con_el_tope(entrada):
    """Como root RLIMIT_NPROC no frena a nadie: el tope de cada caja lo pone su cgroup «pids»."""
    with script(entrada(BOMBA.replace('TOPE', str(limites.PROCESOS)))) as ejecucion:
        assert ejecucion.esperar_fin(20) == 0, ejecucion.errores
        hijos = int(ejecucion.salida)
    # bwrap, su init, la pasarela y el propio script también cuentan.
    assert 0 < hijos < limites.PROCESOS


RED_PROPIA = '''
import os, socket, sys, time
print('sklearn' in sys.modules, flush=True)
escucha = socket.create_server(('127.0.0.1', 9696))  # con una red compartida, el segundo fallaría
abiertos = []
for fd in range(3, 64):
    try:
        abiertos.append(os.open(f'/proc/{os.getppid()}/fd/{fd}', os.O_WRONLY))
    except OSError:
        pass
print('abre descriptores de la pasarela' if abiertos else 'no abre descriptores de la pasarela', flush=True)
time.sleep(600)
'''


@pytest.mark.lento  # precarga scikit-learn en la caja
def test_cada_ejecucion_de_una_caja_tiene_su_red_y_comparten_lo_precargado(entrada):
    """Dos ``python espia.py`` en una caja: los dos escuchan en el 9696, cada uno en su red, sin verse.

    Lo precargado (el modelo, con scikit-learn) ya está importado al empezar, y el estudiante no
    puede abrir los descriptores del primer proceso de la caja, que lo precargó (como el canal por el
    que cuenta los códigos de salida): está en otro espacio de usuarios y no es volcable.
    """
    orden = caja.Orden(('espia.py',), servir=True)
    with caja.Caja(entrada(RED_PROPIA), [orden, orden], precargar=('modelo',)) as abierta:
        for ejecucion in abierta.ejecuciones:
            assert ejecucion.esperar_puerto(limite=20) == [9696], ejecucion.errores
            fin = time.monotonic() + 10
            while ejecucion.salida.count('\n') < 2 and time.monotonic() < fin:
                time.sleep(0.05)
            assert ejecucion.salida.splitlines() == ['True', 'no abre descriptores de la pasarela'], ejecucion.errores
        pids = {ejecucion.pid for ejecucion in abierta.ejecuciones}
        assert len(pids) == 2 and None not in pids


CANAL = '''
import os
print(sorted(os.listdir('/canal')), sorted(p for p in os.listdir('/canal') if os.listdir(f'/canal/{p}')), flush=True)
'''


def test_cada_ejecucion_ve_solo_el_canal_de_su_servicio_de_prueba(entrada, tmp_path):
    """Ninguna ejecución puede hacerle al servicio de prueba de otra las peticiones que califican el ejercicio 4."""
    servidores = []
    for nombre in ('a.sock', 'b.sock'):
        servidor = socket.socket(socket.AF_UNIX)
        servidor.bind(str(tmp_path / nombre))
        servidor.listen()
        servidores.append(servidor)
    ordenes = [caja.Orden(('espia.py',), servicio=tmp_path / 'a.sock'), caja.Orden(('espia.py',)),
               caja.Orden(('espia.py',), servicio=tmp_path / 'b.sock')]
    with caja.Caja(entrada(CANAL), ordenes) as abierta:
        vistos = [(e.esperar_fin(20), e.salida.strip()) for e in abierta.ejecuciones]
    for servidor in servidores:
        servidor.close()
    assert vistos == [(0, "['0', '2'] ['0']"), (0, "['0', '2'] []"), (0, "['0', '2'] ['2']")]


MEMORIA = '''
import os, sys, time
hijos = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        try:
            datos = b'x' * 1400 * 1024 ** 2   # 1,4 GB escritos de verdad: cabe en RLIMIT_AS, no en la caja
        except MemoryError:
            os._exit(3)
        print('reservado', flush=True)
        time.sleep(5)
        os._exit(0)
    hijos.append(pid)
print(sorted(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in hijos), flush=True)
abiertos = []
try:
    while len(abiertos) < 5000:
        abiertos.append(os.open('/dev/null', os.O_RDONLY))
except OSError:
    pass
print(len(abiertos))
'''


@pytest.mark.skipif(not caja.cajas_con_cgroups(), reason='sin cgroups escribibles (sin root) no hay tope de memoria por caja')
def test_la_caja_entera_tiene_tope_de_memoria_y_cada_proceso_de_descriptores(entrada):
    """Tres procesos de 1,4 GB: RLIMIT_AS es por proceso y los deja; el cgroup «memory» de la caja, no."""
    with caja.Caja(entrada(MEMORIA), [caja.Orden(('espia.py',))]) as abierta:
        ejecucion = abierta.ejecuciones[0]
        assert ejecucion.esperar_fin(60) == 0, ejecucion.errores
        # El pico de la caja según su cgroup (v1: max_usage_in_bytes; v2: peak).
        pico = max((int((r / nombre).read_text()) for g in abierta._grupos for r in g.rutas
                    for nombre in ('memory.max_usage_in_bytes', 'memory.peak') if (r / nombre).exists()), default=0)
        lineas = ejecucion.salida.split()
    assert 'reservado' not in lineas, ejecucion.salida
    assert pico <= limites.MEMORIA_CAJA
    assert 0 < int(lineas[-1]) < limites.DESCRIPTORES


NUCLEO = """
import ctypes, errno, json, os, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
def llamar(numero, *argumentos):
    return 'permitida' if libc.syscall(numero, *argumentos) >= 0 else errno.errorcode[ctypes.get_errno()]
hilo = threading.Thread(target=lambda: None)
hilo.start()
hilo.join()
hijo = os.fork()
if hijo == 0:
    os._exit(7)
print(json.dumps({
    # Números de x86_64: keyctl(KEYCTL_GET_KEYRING_ID, @s), add_key, request_key, unshare(CLONE_NEWNET),
    # clone(CLONE_NEWUSER), setns, mount, ptrace(PTRACE_ATTACH, 1), bpf, perf_event_open, userfaultfd, shmget.
    'negadas': {nombre: llamar(numero, *argumentos) for nombre, numero, argumentos in (
        ('keyctl', 250, (0, -3, 0)), ('add_key', 248, (b'user', b'ATAQUE', b'x', 1, -3)),
        ('request_key', 249, (b'user', b'secreto', None, -3)), ('unshare', 272, (0x40000000,)),
        ('clone', 56, (0x10000000 | 17, 0, 0, 0, 0)), ('setns', 308, (0, 0)),
        ('mount', 165, (b'none', b'/zona', b'tmpfs', 0, None)), ('ptrace', 101, (16, 1, 0, 0)),
        ('bpf', 321, (0, None, 0)), ('perf_event_open', 298, (None, 0, -1, -1, 0)),
        ('userfaultfd', 323, (0,)), ('shmget', 29, (0, 4096, 0o1000)))},
    'fork': os.waitstatus_to_exitcode(os.waitpid(hijo, 0)[1]),
    'subproceso': subprocess.run([sys.executable, '-c', 'print(1)'], capture_output=True, text=True).stdout,
    'llaves': open('/proc/keys').read(),
    'tcp': [open(f'/proc/sys/net/ipv4/{n}').read().split()[-1] for n in ('tcp_rmem', 'tcp_wmem')],
}))
"""


def test_el_nucleo_niega_el_llavero_los_espacios_nuevos_y_depurar(entrada):
    """El filtro seccomp (filtro.py): lo que Docker niega y una entrega no necesita; hilos, fork y subprocesos, sí."""
    with script(entrada(NUCLEO)) as ejecucion:
        assert ejecucion.esperar_fin() == 0, ejecucion.errores
        visto = json.loads(ejecucion.salida)
    assert visto['negadas'] == dict.fromkeys(visto['negadas'], 'EPERM')
    assert visto['fork'] == 7 and visto['subproceso'] == '1\n' and visto['llaves'] == ''
    assert [int(b) for b in visto['tcp']] == [int(v.split()[-1]) for v in pasarela.BUFERES_TCP.values()]


IDENTIDAD = """
import getpass, json, os, socket
print(json.dumps([socket.gethostname(), getpass.getuser(), os.path.expanduser('~'), sorted(os.environ)]))
"""


def test_cada_caja_parece_una_computadora_distinta(entrada):
    vistas = []
    for _ in range(3):
        with script(entrada(IDENTIDAD)) as ejecucion:
            assert ejecucion.esperar_fin() == 0, ejecucion.errores
            vistas.append(json.loads(ejecucion.salida))
    assert len({(equipo, usuario) for equipo, usuario, _, _ in vistas}) > 1
    for equipo, usuario, casa, variables in vistas:
        assert casa == f'/home/{usuario}' and 'caja' not in equipo.lower()
        assert not set(variables) & set(caja.DEL_CALIFICADOR), variables


def test_sin_libseccomp_no_hay_caja_y_se_dice_por_que(monkeypatch):
    """Sin el filtro, el código de una entrega no corre en una caja a medias: el comando explica qué instalar."""
    def sin_libseccomp():
        raise RuntimeError('Unable to find libseccomp')
    monkeypatch.setattr(caja.filtro, 'programa', sin_libseccomp)
    assert 'libseccomp2' in caja.motivo_sin_caja.__wrapped__()
