"""La caja: cada orden del estudiante corre en una caja nueva de bubblewrap.

Qué ve el código del estudiante dentro de su caja:

- ``/usr``, el intérprete (``sys.base_prefix``) y las bibliotecas del entorno
  virtual (solo ``site-packages``, no sus programas), todo de solo lectura;
- ``/zona``: un tmpfs con tope de tamaño con SU copia de la entrega y el modelo
  de la calificación; es lo único donde puede escribir (``HOME`` y ``TMPDIR``
  están dentro) y desaparece con la caja;
- ``/entrada`` y ``/calificador``: copias (nunca enlaces al repositorio) de la
  entrega y de los dos módulos del calificador que corren dentro (pasarela.py,
  sonda.py), de solo lectura;
- su propia red (solo loopback), sus propios procesos (``/proc`` solo muestra
  los de la caja) y ningún privilegio.

Al matar el proceso ``bwrap`` muere el espacio de procesos entero, demonios
con doble fork incluidos (``--die-with-parent`` y el PID 1 de la caja). Los
límites de ``limites`` (memoria, CPU, tamaño de archivo, procesos) se fijan
antes del ``exec`` de bwrap y los hereda todo lo de dentro.

El calificador llega a la aplicación de la caja por un socket TCP que él mismo
escucha en SU 127.0.0.1 y le pasa abierto (la pasarela de dentro acepta y
reenvía); y el estudiante llega al servicio de prueba del calificador por un
socket Unix montado en ``/canal`` (dentro, 127.0.0.1:9696 lleva a él).

Sin bubblewrap (macOS, núcleos sin espacios de usuarios) ``motivo_sin_caja``
explica por qué; entonces solo se ejecuta código con ``aislada=False``: el mismo
proceso sin caja, con ``abandono.redireccion`` para el puerto 9696.
"""
import contextlib
import functools
import itertools
import json
import os
import resource
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

from abandono.calificador import limites
from abandono.lanzador import PUERTO_LECCION, RAIZ, puerto_libre

_AQUI = Path(__file__).resolve().parent
DENTRO = ('pasarela.py', 'sonda.py')   # los módulos del calificador que se copian a la caja
PREFIJO = Path(sys.base_prefix)
SITIO = Path(sysconfig.get_paths()['purelib'])
VERSION = f'python{sys.version_info.major}.{sys.version_info.minor}'
PYTHON = '/venv/bin/python'            # el intérprete, visto desde dentro de la caja
_MAX_ENTREGA = 4 * 1024 ** 2           # bytes que se copian de una entrega
_MAX_SALIDA = 20_000                   # caracteres de salida que se leen de cada proceso


# --- ¿Se puede aislar aquí? --------------------------------------------------

@functools.cache
def motivo_sin_caja():
    """None si bubblewrap funciona en esta computadora; si no, por qué (en español)."""
    if sys.platform != 'linux':
        return f'el aislamiento usa bubblewrap, que solo existe en Linux (esto es {sys.platform})'
    if not shutil.which('bwrap'):
        return 'falta bubblewrap (bwrap): instálalo con "sudo apt-get install bubblewrap" o "make sistema"'
    prueba = subprocess.run(['bwrap', '--unshare-all', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin',
                             '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', 'true'],
                            capture_output=True, text=True, timeout=30)
    if prueba.returncode:
        return ('bubblewrap no puede crear espacios de usuarios y de red en este sistema '
                f'({prueba.stderr.strip()[:200]}); califica dentro de la imagen de contenedor del taller')
    return None


# --- La entrada: lo que recibe cada caja de una entrega -------------------------

def copiar_entrega(origen, destino, tope=_MAX_ENTREGA):
    """Copia los archivos normales de la entrega (ni enlaces, ni FIFO, ni cachés) hasta ``tope`` bytes."""
    destino.mkdir(parents=True, exist_ok=True)
    restante = tope
    pendientes = [(Path(origen), destino, 0)]
    while pendientes:
        carpeta, copia, nivel = pendientes.pop()
        try:
            entradas = sorted(os.scandir(carpeta), key=lambda e: e.name)
        except OSError:
            continue
        for entrada in entradas:
            if entrada.name.startswith('.') or entrada.name in ('__pycache__',) or entrada.name.endswith('.bin'):
                continue
            info = entrada.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode) and nivel < 2:
                (copia / entrada.name).mkdir()
                pendientes.append((Path(entrada.path), copia / entrada.name, nivel + 1))
            elif stat.S_ISREG(info.st_mode) and info.st_size <= restante:
                # O_NOFOLLOW y O_NONBLOCK: si la cambian por un enlace o una FIFO entre stat y open, no se cuelga.
                with contextlib.suppress(OSError):
                    fd = os.open(entrada.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                    with os.fdopen(fd, 'rb') as archivo:
                        datos = archivo.read(restante + 1)
                    if len(datos) <= restante:
                        (copia / entrada.name).write_bytes(datos)
                        restante -= len(datos)


class Entrada:
    """La carpeta privada (del calificador) de la que salen todas las cajas de una entrega."""

    def __init__(self, entrega, modelo, base):
        self.base = Path(base)
        self.entrega = self.base / 'entrada'
        copiar_entrega(entrega, self.entrega)
        # El modelo de la calificación, no el que traiga la entrega: se califica su código.
        for ruta in (Path(modelo), Path(f'{modelo}.sha256')):
            shutil.copyfile(ruta, self.entrega / ('modelo_trabajo.bin' + ruta.name.partition('.bin')[2]))
        self.calificador = self.base / 'calificador'
        self.calificador.mkdir()
        for nombre in DENTRO:
            shutil.copyfile(_AQUI / nombre, self.calificador / nombre)
        etc = self.base / 'etc'
        etc.mkdir()
        (etc / 'hosts').write_text('127.0.0.1 localhost\n::1 localhost ip6-localhost\n')
        (etc / 'passwd').write_text('estudiante:x:65534:65534:estudiante:/zona/.casa:/usr/sbin/nologin\n')
        (etc / 'group').write_text('estudiante:x:65534:\n')

    def existe(self, archivo):
        return (self.entrega / archivo).is_file()

    def texto(self, archivo):
        return (self.entrega / archivo).read_text(encoding='utf-8', errors='replace')


# --- Una caja ---------------------------------------------------------------------

def _limitar(grupo=None):
    """En el hijo, antes del exec: los límites que heredará todo lo de la caja."""
    # RLIMIT_NPROC cuenta los procesos del usuario de fuera en toda la máquina y no frena a root:
    # como root, el tope por caja lo pone su cgroup «pids» (GrupoDeProcesos); con otro usuario
    # también cuentan todos sus procesos (el calificador y las demás cajas), y hace falta margen.
    if grupo is not None:
        grupo.entrar()
    procesos = limites.PROCESOS if os.geteuid() == 0 else 16 * limites.PROCESOS
    for recurso, valor in ((resource.RLIMIT_AS, limites.MEMORIA), (resource.RLIMIT_CPU, limites.CPU),
                           (resource.RLIMIT_FSIZE, limites.ARCHIVO), (resource.RLIMIT_CORE, 0),
                           (resource.RLIMIT_NPROC, procesos)):
        resource.setrlimit(recurso, (valor, valor))


class GrupoDeProcesos:
    """Un cgroup «pids» para una caja: su tope de procesos cuando el calificador es root.

    Se crea bajo la jerarquía «pids» (v1) o la raíz unificada (v2) si admite el
    controlador; si no hay ninguna escribible (sin root, o sin cgroups), no hace nada
    y queda RLIMIT_NPROC.
    """
    RAICES = (Path('/sys/fs/cgroup/pids'), Path('/sys/fs/cgroup'))

    def __init__(self, tope=limites.PROCESOS):
        self.ruta = None
        if os.geteuid() != 0:
            return
        for raiz in self.RAICES:
            ruta = raiz / f'abandono-caja-{os.getpid()}-{next(_NUMERO)}'
            try:
                ruta.mkdir()
            except OSError:
                continue
            if (ruta / 'pids.max').exists():
                (ruta / 'pids.max').write_text(str(tope))
                self.ruta = ruta
                return
            ruta.rmdir()

    def entrar(self):
        """En el hijo (antes del exec): él y todo lo que cree quedan dentro del tope."""
        if self.ruta is not None:
            (self.ruta / 'cgroup.procs').write_text(str(os.getpid()))

    def vaciar(self, limite=5.0):
        """Mata lo que quede en el grupo (nada debería: la caja ya murió) y lo borra."""
        if self.ruta is None:
            return
        fin = time.monotonic() + limite
        while time.monotonic() < fin:
            try:
                pids = (self.ruta / 'cgroup.procs').read_text().split()
            except OSError:
                break
            if not pids:
                with contextlib.suppress(OSError):
                    self.ruta.rmdir()
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            time.sleep(0.02)


_NUMERO = itertools.count()


def _entorno(zona):
    return {'HOME': f'{zona}/.casa', 'TMPDIR': f'{zona}/.tmp', 'LANG': 'C.UTF-8', 'PYTHONUNBUFFERED': '1',
            'PYTHONDONTWRITEBYTECODE': '1', 'PYTHONIOENCODING': 'utf-8', 'OPENBLAS_NUM_THREADS': '1',
            'OMP_NUM_THREADS': '1', 'PATH': '/venv/bin:/usr/bin:/bin'}


def orden_bwrap(entrada, enchufe=None):
    """La orden de bubblewrap, sin el programa: qué se monta y cómo, en un solo sitio."""
    orden = [
        'bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--uid', '65534', '--gid', '65534',
        '--hostname', 'caja',
        '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
        '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin',
        '--ro-bind', str(PREFIJO), str(PREFIJO),
        '--ro-bind', str(SITIO), f'/venv/lib/{VERSION}/site-packages',
        '--ro-bind', str(Path(sys.prefix) / 'pyvenv.cfg'), '/venv/pyvenv.cfg',
        '--symlink', str(PREFIJO / 'bin' / VERSION), PYTHON,
        '--ro-bind', str(entrada.base / 'etc' / 'hosts'), '/etc/hosts',
        '--ro-bind', str(entrada.base / 'etc' / 'passwd'), '/etc/passwd',
        '--ro-bind', str(entrada.base / 'etc' / 'group'), '/etc/group',
        '--proc', '/proc', '--dev', '/dev',
        '--size', str(limites.SHM), '--tmpfs', '/dev/shm',
        '--size', str(limites.ZONA), '--tmpfs', '/zona',
        '--ro-bind', str(entrada.entrega), '/entrada',
        '--ro-bind', str(entrada.calificador), '/calificador',
    ]
    if enchufe:
        orden += ['--ro-bind', str(enchufe), '/canal/prueba.sock']
    # La raíz y /dev de la caja son tmpfs sin tope: de solo lectura, para que /zona sea lo único escribible.
    orden += ['--remount-ro', '/dev', '--remount-ro', '/', '--chdir', '/zona', '--clearenv']
    for clave, valor in _entorno('/zona').items():
        orden += ['--setenv', clave, valor]
    return orden


class Caja:
    """Una orden del estudiante en marcha: su salida, sus puertos y, al salir, su final."""

    def __init__(self, entrada, programa, *, aislada=True, servir=False, preferido=None, enchufe=None,
                 puerto_prueba=None, pedido=None):
        """``programa``: lo que ejecuta Python (``['servicio1.py']`` o la sonda).

        ``servir``: el calificador quiere hablar con una aplicación que escuche dentro.
        ``enchufe`` (con caja) o ``puerto_prueba`` (sin caja): el servicio de prueba al
        que debe llevar el 9696 de la lección. ``pedido``: JSON para la sonda.
        """
        self.aislada = aislada
        self.url = None
        self._pila = contextlib.ExitStack()
        self._salida = self._pila.enter_context(tempfile.TemporaryFile())
        self._errores = self._pila.enter_context(tempfile.TemporaryFile())
        informe_lectura, informe_escritura = os.pipe()
        self._informe = os.fdopen(informe_lectura, 'rb')
        self._pila.callback(self._informe.close)
        pasar = [informe_escritura]
        escucha = None
        if aislada:
            orden = orden_bwrap(entrada, enchufe)
            pasarela = [PYTHON, '-P', '/calificador/pasarela.py']
            if servir:
                escucha = socket.create_server(('127.0.0.1', 0))
                self.url = f'http://127.0.0.1:{escucha.getsockname()[1]}'
                pasar.append(escucha.fileno())
                pasarela += ['--aceptar-fd', str(escucha.fileno()), '--preferido', str(preferido or 0)]
            if enchufe:
                pasarela += ['--puerto-local', str(PUERTO_LECCION), '--enchufe', '/canal/prueba.sock']
            info_lectura, info_escritura = os.pipe()
            pasar.append(info_escritura)
            orden[1:1] = ['--info-fd', str(info_escritura)]
            orden += [*pasarela, '--', PYTHON, '-P', *self._dentro(programa, '/calificador', informe_escritura)]
            cwd, entorno = '/', None
        else:
            self.zona = Path(self._pila.enter_context(tempfile.TemporaryDirectory(prefix='zona-')))
            shutil.copytree(entrada.entrega, self.zona, dirs_exist_ok=True)
            for nombre in ('.casa', '.tmp'):
                (self.zona / nombre).mkdir()
            # Sin red propia, el 9696 del estudiante se desvía a un puerto libre de verdad (o al
            # del servicio de prueba); la sonda sirve en su propio puerto libre.
            real = puerto_prueba or puerto_libre()
            if servir:
                self.url = f'http://127.0.0.1:{preferido or real}'
            # redireccion.py por su ruta y sin PYTHONPATH: el taller no tapa los módulos de la entrega.
            orden = [sys.executable, '-P', str(RAIZ / 'abandono' / 'redireccion.py'),
                     '--puerto', f'{PUERTO_LECCION}={real}', '--', *self._dentro(programa, str(entrada.calificador), informe_escritura, str(self.zona))]
            cwd = self.zona
            entorno = {**_entorno(self.zona), 'PATH': os.environ.get('PATH', '')}
        self._grupo = GrupoDeProcesos()
        self._proceso = subprocess.Popen(
            orden, cwd=cwd, env=entorno if entorno is not None else {'PATH': '/usr/bin:/bin'}, stdin=subprocess.PIPE,
            stdout=self._salida, stderr=self._errores, pass_fds=pasar, close_fds=True,
            preexec_fn=functools.partial(_limitar, self._grupo), start_new_session=True)
        for fd in pasar:
            if not escucha or fd != escucha.fileno():
                os.close(fd)
        if escucha:
            escucha.close()  # solo la pasarela acepta: si la caja muere, las conexiones se rechazan
        self.pid_dentro = self._proceso.pid
        if aislada:
            with os.fdopen(info_lectura, 'rb') as info:
                with contextlib.suppress(ValueError, KeyError):
                    self.pid_dentro = json.loads(info.read(4096) or b'{}')['child-pid']
        with contextlib.suppress(OSError):
            self._proceso.stdin.write((json.dumps(pedido) + '\n').encode() if pedido else b'')
            self._proceso.stdin.close()
        self._inicio = time.monotonic()
        # Pase lo que pase (un calificador que se olvida de cerrarla), la caja no vive más de VIDA.
        self._reloj = threading.Timer(limites.VIDA, self._matar)
        self._reloj.daemon = True
        self._reloj.start()

    @staticmethod
    def _dentro(programa, calificador, informe_fd, zona='/zona'):
        if programa[0] == 'sonda':
            return [f'{calificador}/sonda.py', '--informe-fd', str(informe_fd), '--zona', zona, *programa[1:]]
        return list(programa)

    # --- Lo que observa el calificador ---------------------------------------------

    def vivo(self):
        return self._proceso.poll() is None

    def esperar_fin(self, limite=limites.FASE):
        """El código de salida, o None si no terminó a tiempo."""
        try:
            return self._proceso.wait(limite)
        except subprocess.TimeoutExpired:
            return None

    def puertos(self):
        """Los puertos TCP que escuchan dentro de la caja, leídos por el núcleo (no por la caja)."""
        if not self.aislada:
            return []
        puertos = set()
        for tabla in ('tcp', 'tcp6'):
            with contextlib.suppress(OSError, ValueError, IndexError):
                for linea in Path(f'/proc/{self.pid_dentro}/net/{tabla}').read_text().splitlines()[1:]:
                    campos = linea.split()
                    if campos[3] == '0A':
                        puertos.add(int(campos[1].rsplit(':', 1)[1], 16))
        return sorted(puertos)

    def esperar_puerto(self, preferido=None, limite=limites.ARRANQUE):
        """Espera a que algo escuche (``preferido`` si se da); devuelve los puertos o [] si no."""
        fin = self._inicio + limite
        while time.monotonic() < fin and self.vivo():
            if self.aislada:
                puertos = self.puertos()
                if puertos and (preferido is None or preferido in puertos):
                    return puertos
            else:
                with contextlib.suppress(OSError), socket.create_connection(
                        ('127.0.0.1', int(self.url.rsplit(':', 1)[1])), timeout=0.2):
                    return [int(self.url.rsplit(':', 1)[1])]
            time.sleep(0.05)
        return self.puertos() if self.vivo() else []

    def informe(self, limite=limites.ARRANQUE):
        """La línea JSON de la sonda, o None si no llegó (o no es JSON)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._informe, selectors.EVENT_READ)
            if not selector.select(max(0.0, self._inicio + limite - time.monotonic())):
                return None
        with contextlib.suppress(ValueError, OSError):
            datos = json.loads(self._informe.readline(1_000_000))
            return datos if isinstance(datos, dict) else None
        return None

    def _leer(self, archivo):
        archivo.seek(0)
        return archivo.read(_MAX_SALIDA * 4).decode('utf-8', errors='replace')[:_MAX_SALIDA]

    @property
    def salida(self):
        return self._leer(self._salida)

    @property
    def errores(self):
        return self._leer(self._errores)

    def _matar(self):
        """Con bwrap, matar su grupo mata el espacio de procesos de la caja, con todo lo que quede dentro."""
        if self.vivo():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proceso.pid, signal.SIGKILL)
        if not self.aislada:
            # Sin caja no hay espacio de procesos: se matan los que sigan en la zona (cwd dentro).
            _matar_en(self.zona)

    def cerrar(self):
        self._reloj.cancel()
        self._matar()
        self._proceso.wait()
        self._grupo.vaciar()
        self._pila.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cerrar()


def _matar_en(zona):
    for pid in filter(str.isdigit, os.listdir('/proc')):
        with contextlib.suppress(OSError):
            if os.readlink(f'/proc/{pid}/cwd').startswith(str(zona)):
                os.kill(int(pid), signal.SIGKILL)
