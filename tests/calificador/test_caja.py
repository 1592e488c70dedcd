"""La caja por dentro: qué ve, qué puede escribir, a quién llega y qué queda al cerrarla.

Cada prueba ejecuta un script corto (solo biblioteca estándar) en una caja de verdad.
"""
import json
import os
import socket
import time
from pathlib import Path

import pytest

from abandono.calificador import caja, limites
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
    'escribe_fuera': [r for r in ('/a', '/tmp/a', '/usr/a', '/venv/lib/a', '/entrada/a', '/calificador/a', '/dev/a')
                      if puede(lambda r=r: escribir(r))],
    'zona_sin_tope': puede(lambda: escribir('/zona/grande', ZONA + 1)),
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


def test_solo_ve_lo_suyo_solo_escribe_en_su_zona_y_no_sale_a_la_red(entrada):
    escucha = socket.create_server(('127.0.0.1', 0))
    codigo = (ESPIA.replace('RAIZ', repr(str(RAIZ))).replace('ZONA', str(limites.ZONA))
              .replace('PUERTO', str(escucha.getsockname()[1])))
    with caja.Caja(entrada(codigo), ['espia.py']) as ejecucion:
        assert ejecucion.esperar_fin() == 0, ejecucion.errores
        visto = json.loads(ejecucion.salida)
    escucha.settimeout(0.1)
    with pytest.raises(TimeoutError):
        escucha.accept()  # nadie de la caja llegó a la escucha de fuera
    escucha.close()
    assert visto == {'procesos': visto['procesos'], 'uid': 65534, 've_el_taller': False, 've_venv_bin': False,
                     'escribe_zona': True, 'escribe_fuera': [], 'zona_sin_tope': False, 'red': [], 'dns': False}
    assert visto['procesos'] <= 4  # bwrap, la pasarela y el script: ningún proceso de fuera


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
    with caja.Caja(entrada(DEMONIO), ['espia.py']) as ejecucion:
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
    with caja.Caja(entrada(BOMBA.replace('TOPE', str(limites.PROCESOS))), ['espia.py']) as ejecucion:
        assert ejecucion.esperar_fin(20) == 0, ejecucion.errores
        hijos = int(ejecucion.salida)
    # bwrap, su init, la pasarela y el propio script también cuentan.
    assert 0 < hijos < limites.PROCESOS
