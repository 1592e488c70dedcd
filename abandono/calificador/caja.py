"""La caja: el código de cada entrega corre en una caja nueva de bubblewrap.

Qué ve el código del estudiante dentro de su caja:

- ``/usr``, el intérprete (``sys.base_prefix``) y las bibliotecas del entorno
  virtual (solo ``site-packages``, no sus programas), todo de solo lectura;
- ``/zona``: un tmpfs con tope de tamaño con el modelo de la calificación y,
  en ``/zona/mi_trabajo``, SU copia de la entrega: la carpeta de trabajo de cada
  ejecución es ``/zona`` y sus scripts corren como ``python mi_trabajo/archivo``,
  igual que en el taller (``ejercicios.CARPETA_DE_TRABAJO``); con su carpeta
  personal y ``/tmp`` (otros dos tmpfs con tope), es lo único donde puede
  escribir, y desaparece con la caja;
- una computadora cualquiera (``Identidad``): un nombre de equipo, un usuario
  y un entorno al azar, sin nada fijo que delate al calificador;
- ``/entrada`` y ``/calificador``: copias (nunca enlaces al repositorio) de la
  entrega y de los dos módulos del calificador que corren dentro (pasarela.py,
  sonda.py), de solo lectura;
- sus propios procesos (``/proc`` solo muestra los de la caja), ningún
  privilegio y un filtro seccomp (``filtro.py``): ni el llavero del kernel,
  ni espacios nuevos, ni montajes, ni depurar procesos;
- una red propia por ejecución (solo loopback): las formas de ejecutar los
  archivos de la entrega (importado por la sonda, como script) comparten la
  caja y lo que su primer proceso precargó (scikit-learn, Flask, requests: unos
  3 s de CPU menos por entrega), pero no la red; cada una escucha en su 9696
  sin chocar con las demás.

Al matar el proceso ``bwrap`` muere el espacio de procesos entero, demonios
con doble fork incluidos (``--die-with-parent`` y el PID 1 de la caja). Los
límites de ``limites`` (memoria, CPU, tamaño de archivo, procesos) se fijan
antes del ``exec`` de bwrap y los hereda todo lo de dentro; los de la caja
entera (procesos y memoria) los ponen sus cgroups, si el calificador puede
crearlos (``cajas_con_cgroups``).

El calificador llega a la aplicación de cada ejecución por un socket TCP que él
mismo escucha en SU 127.0.0.1 y le pasa abierto (la pasarela de dentro acepta y
reenvía); y cada script que lo usa llega a SU servicio de prueba del calificador por un
socket Unix montado en ``/canal/N`` (dentro, 127.0.0.1:9696 lleva a él), que las
demás ejecuciones no ven. Los puertos en los que escucha cada ejecución
los lee el calificador del kernel (``/proc/PID/net``), no de la caja.

Sin bubblewrap (macOS, kernels sin espacios de nombres de usuario) ``motivo_sin_caja``
explica por qué; entonces solo se ejecuta código con ``aislada=False``: un
proceso por ejecución sin caja, con ``abandono.redireccion`` para el puerto 9696.
"""
import contextlib
import functools
import itertools
import json
import os
import random
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
from dataclasses import dataclass
from pathlib import Path

from abandono import lanzador
from abandono.calificador import filtro, limites
from abandono.calificador.diagnostico import leer_fuente
from abandono.calificador.ejercicios import CARPETA_DE_TRABAJO
from abandono.calificador.pasarela import Escucha, Escuchas, puertos_tcp
from abandono.calificador.vigilante import Vigilante
from abandono.lanzador import PUERTO_LECCION, RAIZ, puerto_libre

_AQUI = Path(__file__).resolve().parent
DENTRO = ('pasarela.py', 'sonda.py')   # los módulos del calificador que se copian a la caja
PREFIJO = Path(sys.base_prefix)
SITIO = Path(sysconfig.get_paths()['purelib'])
VERSION = f'python{sys.version_info.major}.{sys.version_info.minor}'
PYTHON = '/venv/bin/python'            # el intérprete, visto desde dentro de la caja
CANAL = '/canal'                       # donde ve la caja el socket del servicio de prueba
_MAX_ENTREGA = 4 * 1024 ** 2           # bytes que se copian de una entrega
_MAX_SALIDA = 20_000                   # caracteres de salida que se leen de cada proceso
_MAX_INFORME = 1_000_000               # bytes del informe de la sonda


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
    try:
        filtro.programa()
    except (ImportError, RuntimeError, OSError) as error:
        return (f'no se puede construir el filtro seccomp de las cajas ({error}): instala libseccomp con '
                '"sudo apt-get install libseccomp2" o "make sistema", y pyseccomp con "make test"')
    return None


# --- La entrada: lo que recibe la caja de una entrega ---------------------------

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
    """La carpeta privada (del calificador) de la que sale la caja de una entrega."""

    def __init__(self, entrega, modelo, base):
        self.base = Path(base)
        # Como en el taller: el modelo en la carpeta de trabajo y la entrega en una carpeta debajo.
        self.raiz = self.base / 'entrada'
        self.entrega = self.raiz / CARPETA_DE_TRABAJO
        copiar_entrega(entrega, self.entrega)
        # El modelo de la calificación, no el que traiga la entrega: se califica su código.
        for ruta in (Path(modelo), Path(f'{modelo}.sha256')):
            shutil.copyfile(ruta, self.raiz / ('modelo_trabajo.bin' + ruta.name.partition('.bin')[2]))
        self.calificador = self.base / 'calificador'
        self.calificador.mkdir()
        for nombre in DENTRO:
            shutil.copyfile(_AQUI / nombre, self.calificador / nombre)
        self.identidad = Identidad.al_azar()
        self.identidad.escribir_etc(self.base / 'etc')

    def existe(self, archivo):
        return (self.entrega / archivo).is_file()

    def texto(self, archivo):
        """El código como lo lee Python (un BOM del Bloc de notas o CRLF no lo cambian)."""
        return leer_fuente((self.entrega / archivo).read_bytes())


# --- Una caja ---------------------------------------------------------------------

def _limitar(grupo=None, procesos=limites.PROCESOS):
    """En el hijo, antes del exec: los límites que heredará todo lo de la caja.

    ``procesos``: el RLIMIT_NPROC, o None para dejar el que hay.
    """
    if grupo is not None:
        grupo.entrar()
    for recurso, valor in ((resource.RLIMIT_AS, limites.MEMORIA), (resource.RLIMIT_CPU, limites.CPU),
                           (resource.RLIMIT_FSIZE, limites.ARCHIVO), (resource.RLIMIT_CORE, 0),
                           (resource.RLIMIT_NOFILE, limites.DESCRIPTORES), (resource.RLIMIT_NPROC, procesos)):
        if valor is not None:
            resource.setrlimit(recurso, (valor, valor))


def tope_de_procesos():
    """El RLIMIT_NPROC de una caja nueva: los procesos e hilos que ya tiene este usuario, y PROCESOS más.

    RLIMIT_NPROC cuenta todo lo del usuario real en la máquina (el calificador y las
    demás cajas incluidos), y no frena a root. Relativo a lo que ya hay, una caja no
    agota los procesos del usuario: deja a las demás y al calificador lo que tenían.
    El margen de otros PROCESOS es para los hilos que el calificador abre mientras
    tanto (el tope de la caja lo pone entonces su cgroup «pids», si lo tiene).
    """
    uid, tareas = os.getuid(), 0
    for pid in filter(str.isdigit, os.listdir('/proc')):
        with contextlib.suppress(OSError, ValueError, IndexError):
            campos = dict(linea.split(':', 1) for linea in Path(f'/proc/{pid}/status').read_text().splitlines()
                          if linea.startswith(('Uid:', 'Threads:')))
            if int(campos['Uid'].split()[0]) == uid:
                tareas += int(campos['Threads'])
    return tareas + 2 * limites.PROCESOS


def _montajes():
    """{controlador: punto de montaje} de los cgroups (v1 por controlador; 'unificado' para v2)."""
    montajes = {}
    with contextlib.suppress(OSError):
        for linea in Path('/proc/self/mountinfo').read_text().splitlines():
            antes, _, despues = linea.partition(' - ')
            tipo, _, opciones = (despues.split() + ['', '', ''])[:3]
            punto = antes.split()[4]
            if tipo == 'cgroup2':
                montajes.setdefault('unificado', punto)
            elif tipo == 'cgroup':
                for opcion in opciones.split(','):
                    if opcion in ('pids', 'memory'):
                        montajes.setdefault(opcion, punto)
    return montajes


@functools.cache
def _jerarquias():
    """[(carpeta padre, {archivo: valor})]: dónde crear los cgroups de cada caja y qué escribir en ellos.

    Bajo el cgroup en el que ya está el calificador (el tope de una caja queda dentro
    del suyo). cgroups v1: una jerarquía por controlador; v2: una sola carpeta.
    """
    montajes, rutas = _montajes(), {}
    with contextlib.suppress(OSError):
        for linea in Path('/proc/self/cgroup').read_text().splitlines():
            numero, controladores, ruta = linea.split(':', 2)
            for c in (controladores.split(',') if numero != '0' else ['unificado']):
                rutas[c] = ruta.lstrip('/')
    valores = {'pids': {'pids.max': limites.PROCESOS},
               'memory': {'memory.limit_in_bytes': limites.MEMORIA_CAJA,
                          'memory.memsw.limit_in_bytes': limites.MEMORIA_CAJA}}
    jerarquias = [(Path(montajes[c]) / rutas.get(c, ''), valores[c]) for c in valores if c in montajes]
    faltan = [c for c in valores if c not in montajes]
    if faltan and 'unificado' in montajes:
        unificado = {'pids': {'pids.max': limites.PROCESOS},
                     'memory': {'memory.max': limites.MEMORIA_CAJA, 'memory.swap.max': 0}}
        jerarquias.append((Path(montajes['unificado']) / rutas.get('unificado', ''),
                           {k: v for c in faltan for k, v in unificado[c].items()}))
    return jerarquias


class GrupoDeLaCaja:
    """Los cgroups de una caja: su tope de procesos (``pids``) y de memoria (``memory``), juntos.

    Hacen falta permisos de escritura en la jerarquía de cgroups (root, o un
    subárbol delegado al usuario). ``controles`` dice cuáles se pudieron poner;
    sin ``pids``, solo queda RLIMIT_NPROC (``tope_de_procesos``).
    """

    def __init__(self):
        self.rutas, self.controles = [], set()
        for padre, archivos in _jerarquias():
            ruta = padre / f'abandono-caja-{os.getpid()}-{next(_NUMERO)}'
            try:
                ruta.mkdir()
                puestos = []
                for archivo, valor in archivos.items():
                    if (ruta / archivo).exists():
                        (ruta / archivo).write_text(str(valor))
                        puestos.append(archivo.split('.')[0])
            except OSError:
                with contextlib.suppress(OSError):
                    ruta.rmdir()
                continue
            self.rutas.append(ruta)
            self.controles.update(puestos)

    def entrar(self):
        """En el hijo (antes del exec): él y todo lo que cree quedan dentro de los topes."""
        for ruta in self.rutas:
            (ruta / 'cgroup.procs').write_text(str(os.getpid()))

    def vaciar(self, limite=5.0):
        """Mata lo que quede en los grupos (nada debería: la caja ya murió) y los borra."""
        fin = time.monotonic() + limite
        for ruta in self.rutas:
            while time.monotonic() < fin:
                try:
                    pids = (ruta / 'cgroup.procs').read_text().split()
                except OSError:
                    break
                if not pids:
                    with contextlib.suppress(OSError):
                        ruta.rmdir()
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
                time.sleep(0.02)


@functools.cache
def cajas_con_cgroups():
    """True si cada caja tiene aquí su propio tope de procesos y de memoria (cgroups escribibles)."""
    grupo = GrupoDeLaCaja()
    grupo.vaciar()
    return {'pids', 'memory'} <= grupo.controles


_NUMERO = itertools.count()

# Lo que necesita el primer proceso de la caja para precargar y ejecutar; la pasarela lo quita del
# entorno antes de dar paso al estudiante (lo que ya se cargó con ello no cambia).
DEL_CALIFICADOR = {'PYTHONUNBUFFERED': '1', 'PYTHONDONTWRITEBYTECODE': '1', 'PYTHONIOENCODING': 'utf-8',
                   'OPENBLAS_NUM_THREADS': '1', 'OMP_NUM_THREADS': '1'}
_NOMBRES = ('ana', 'luis', 'sofia', 'diego', 'valeria', 'mateo', 'camila', 'jorge', 'lucia', 'andres',
            'paula', 'carlos', 'daniela', 'miguel', 'fernanda', 'jose', 'mariana', 'pablo', 'elena', 'tomas')
_EQUIPOS = ('{nombre}-laptop', 'portatil-{nombre}', '{nombre}-pc', 'DESKTOP-{serie}', 'LAPTOP-{serie}',
            '{nombre}-ThinkPad', '{nombre}-VivoBook', 'pc-{nombre}')


@dataclass(frozen=True)
class Identidad:
    """Quién es el estudiante dentro de su caja y cómo se llama su computadora: una cualquiera, al azar.

    Nada fijo que el código pueda preguntar para saberse calificado (``debug=socket.gethostname()
    != 'caja'`` encendía el depurador en todas partes menos aquí).
    """
    usuario: str
    uid: int
    equipo: str

    @classmethod
    def al_azar(cls):
        azar = random.SystemRandom()
        nombre = azar.choice(_NOMBRES)
        serie = ''.join(azar.choice('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789') for _ in range(7))
        return cls(nombre, 1000 + azar.randrange(3), azar.choice(_EQUIPOS).format(nombre=nombre, serie=serie))

    @property
    def casa(self):
        return f'/home/{self.usuario}'

    def escribir_etc(self, etc):
        """Los /etc/hosts, passwd y group de la caja (y un archivo vacío para tapar /proc/keys)."""
        etc.mkdir()
        (etc / 'hosts').write_text(f'127.0.0.1 localhost\n127.0.1.1 {self.equipo}\n::1 localhost ip6-localhost\n')
        (etc / 'passwd').write_text(f'root:x:0:0:root:/root:/bin/bash\n'
                                    f'{self.usuario}:x:{self.uid}:{self.uid}:{self.usuario.title()}:{self.casa}:/bin/bash\n')
        (etc / 'group').write_text(f'root:x:0:\n{self.usuario}:x:{self.uid}:\n')
        (etc / 'vacio').write_text('')

    def entorno(self):
        """El entorno que ve el estudiante: el de una terminal cualquiera con el entorno virtual activado."""
        return {'HOME': self.casa, 'USER': self.usuario, 'LOGNAME': self.usuario, 'SHELL': '/bin/bash',
                'LANG': 'C.UTF-8', 'VIRTUAL_ENV': '/venv', 'PATH': '/venv/bin:/usr/local/bin:/usr/bin:/bin'}


def orden_bwrap(entrada, enchufes=None):
    """La orden de bubblewrap, sin el programa: qué se monta y cómo, en un solo sitio."""
    orden = [
        'bwrap', '--unshare-all', '--die-with-parent', '--new-session',
        '--uid', str(entrada.identidad.uid), '--gid', str(entrada.identidad.uid), '--hostname', entrada.identidad.equipo,
        '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
        '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin',
        '--ro-bind', str(PREFIJO), str(PREFIJO),
        '--ro-bind', str(SITIO), f'/venv/lib/{VERSION}/site-packages',
        '--ro-bind', str(Path(sys.prefix) / 'pyvenv.cfg'), '/venv/pyvenv.cfg',
        '--symlink', str(PREFIJO / 'bin' / VERSION), PYTHON,
        '--ro-bind', str(entrada.base / 'etc' / 'hosts'), '/etc/hosts',
        '--ro-bind', str(entrada.base / 'etc' / 'passwd'), '/etc/passwd',
        '--ro-bind', str(entrada.base / 'etc' / 'group'), '/etc/group',
        # /proc/keys dice qué llaves del kernel hay (del calificador, con su descripción): vacío.
        '--proc', '/proc', '--ro-bind', str(entrada.base / 'etc' / 'vacio'), '/proc/keys',
        '--ro-bind', str(entrada.base / 'etc' / 'vacio'), '/proc/key-users',
        '--dev', '/dev',
        '--size', str(limites.SHM), '--tmpfs', '/dev/shm',
        '--size', str(limites.ZONA), '--tmpfs', '/zona',
        '--size', str(limites.CASA), '--tmpfs', entrada.identidad.casa, '--size', str(limites.CASA), '--tmpfs', '/tmp',
        '--ro-bind', str(entrada.raiz), '/entrada',
        '--ro-bind', str(entrada.calificador), '/calificador',
    ]
    for dentro, fuera in (enchufes or {}).items():
        orden += ['--ro-bind', str(fuera), dentro]
    # La raíz y /dev de la caja son tmpfs sin tope: de solo lectura, para que solo se escriba en los de tope
    # (/zona, la casa y /tmp).
    orden += ['--remount-ro', '/dev', '--remount-ro', '/', '--chdir', '/zona', '--clearenv']
    for clave, valor in {**entrada.identidad.entorno(), **DEL_CALIFICADOR}.items():
        orden += ['--setenv', clave, valor]
    return orden


@dataclass(frozen=True)
class Orden:
    """Una forma de ejecutar un archivo de la entrega: ``python archivo`` o la sonda."""
    programa: tuple                  # ('servicio1.py',) o ('sonda',)
    servir: bool = False             # el calificador quiere hablar con una aplicación que escuche dentro
    preferido: int | None = None     # el puerto al que llevar la pasarela si escucha
    pedido: dict | None = None       # lo que debe probar la sonda
    # Su 127.0.0.1:9696 lleva a este servicio de prueba del calificador: un socket Unix (con caja)
    # o un puerto de 127.0.0.1 (sin caja). Cada orden, el suyo.
    servicio: Path | int | None = None
    otros_puertos: tuple = ()        # más puertos de su 127.0.0.1 que llevan al servicio de prueba


class Ejecucion:
    """Una orden en marcha: su salida, su informe, sus puertos y su final, vistos desde fuera."""

    def __init__(self, orden, pila):
        self.orden = orden
        self.url = None
        self.dirigida = None         # (host, puerto) de las conexiones dirigidas a un puerto (pasarela.py)
        self.codigo = None
        self.pid = None              # visto desde fuera; con caja, lo encuentra la caja
        self.pid_dentro = None       # en la caja, según su primer proceso
        self.terminada = threading.Event()
        self.salida_fd = pila.enter_context(tempfile.TemporaryFile())
        self.errores_fd = pila.enter_context(tempfile.TemporaryFile())
        lectura, self.informe_fd = os.pipe()
        self._informe = os.fdopen(lectura, 'rb', buffering=0)
        pila.callback(self._informe.close)
        # Las esperas (ARRANQUE) cuentan desde aquí y, con caja, desde que su primer proceso la lanza
        # (lanzada): precargar scikit-learn con la máquina cargada llega a tardar 5 s, que no son suyos.
        self._inicio = time.monotonic()
        self.leer_escuchas = lambda: []  # lo pone la caja: con caja, del kernel
        self.vistos = set()              # cada Escucha (TCP, UDP, Unix) que llegó a tener mientras se vigilaba

    def lanzada(self, pid_dentro):
        """El primer proceso de la caja la lanzó, ya precargado, con ese pid dentro (cuenta la primera vez)."""
        if self.pid_dentro is None:
            self.pid_dentro = pid_dentro
            self._inicio = time.monotonic()

    def _restante(self, limite):
        # Se vuelve a leer en cada vuelta: la ejecución puede lanzarse mientras alguien ya espera.
        return self._inicio + limite - time.monotonic()

    def vivo(self):
        return not self.terminada.is_set()

    def esperar_fin(self, limite=limites.FASE):
        """El código de salida, o None si no terminó a tiempo."""
        return self.codigo if self.terminada.wait(limite) else None

    def escuchas(self):
        """Las :class:`pasarela.Escucha` de la red de esta ejecución (TCP, UDP, Unix), leídas del kernel."""
        return self.leer_escuchas()

    def puertos(self):
        """Los puertos TCP que escuchan en la red de esta ejecución, leídos del kernel (no de la caja)."""
        return puertos_tcp(self.escuchas())

    def vigilar_puertos(self, cada=0.1):
        """Desde ahora hasta que termine, anota en ``vistos`` cada socket que llegue a esperar a alguien.

        Una sola lectura se puede esquivar (un servidor que arranca 2 s después de importar):
        vigilando toda la ejecución, no.
        """
        def vigilar():
            while not self.terminada.wait(cada):
                self.vistos.update(self.escuchas())
        threading.Thread(target=vigilar, daemon=True).start()

    def esperar_puerto(self, preferido=None, limite=limites.ARRANQUE):
        """Espera a que algo escuche (``preferido`` si se da); devuelve los puertos o [] si no."""
        while self._restante(limite) > 0 and self.vivo():
            puertos = self.puertos()
            if puertos and (preferido is None or preferido in puertos):
                return puertos
            time.sleep(0.05)
        return self.puertos() if self.vivo() else []

    def informe(self, limite=limites.ARRANQUE):
        """La línea JSON de la sonda, o None si no llegó entera a tiempo (o no es JSON).

        Se lee a trozos, sin esperar a un final de línea que quizá nunca llegue: media
        línea y un proceso parado no retienen al calificador más allá de ``limite``.
        """
        datos = b''
        with selectors.DefaultSelector() as selector:
            selector.register(self._informe, selectors.EVENT_READ)
            while b'\n' not in datos and len(datos) <= _MAX_INFORME:
                if not selector.select(min(max(0.0, self._restante(limite)), 0.5)):
                    if self._restante(limite) <= 0:
                        return None
                    continue
                trozo = os.read(self._informe.fileno(), 65536)
                if not trozo:
                    break
                datos += trozo
        with contextlib.suppress(ValueError):
            informe = json.loads(datos.partition(b'\n')[0])
            return informe if isinstance(informe, dict) else None
        return None

    def _leer(self, archivo):
        archivo.seek(0)
        return archivo.read(_MAX_SALIDA * 4).decode('utf-8', errors='replace')[:_MAX_SALIDA]

    @property
    def salida(self):
        return self._leer(self.salida_fd)

    @property
    def errores(self):
        return self._leer(self.errores_fd)

    def terminar(self, codigo):
        if not self.terminada.is_set():
            self.codigo = codigo
            self.terminada.set()


class Caja:
    """Las ``ordenes`` de una entrega, a la vez, en una caja nueva; cada una en ``ejecuciones``.

    Con caja, un solo bubblewrap: su primer proceso (pasarela.py) precarga
    ``precargar`` y lanza cada orden en un hijo con su propia red. Sin caja
    (``aislada=False``, solo código de fiar), un proceso por orden.
    El 9696 de la lección lleva, en cada orden con ``servicio``, a ese servicio de prueba.
    """

    def __init__(self, entrada, ordenes, *, aislada=True, precargar=()):
        self._pila = contextlib.ExitStack()
        self.ejecuciones = [Ejecucion(orden, self._pila) for orden in ordenes]
        self._grupos, self._procesos, self._zonas, self._raiz = [], [], [], None
        self.vigilante = None        # el de memoria, si la caja no tiene cgroup «memory» (vigilante.py)
        self._escuchas = {}   # pid de fuera de cada ejecución -> sus Escuchas
        try:
            if aislada:
                self._en_caja(entrada, precargar)
            else:
                for ejecucion in self.ejecuciones:
                    self._sin_caja(entrada, ejecucion)
        except BaseException:
            self.cerrar()
            raise
        # Pase lo que pase (un calificador que se olvida de cerrarla), la caja no vive más de VIDA.
        self._reloj = threading.Timer(limites.VIDA, self._matar)
        self._reloj.daemon = True
        self._reloj.start()

    def _lanzar(self, orden, **opciones):
        grupo = GrupoDeLaCaja()
        self._grupos.append(grupo)
        # Root no pasa por RLIMIT_NPROC. Otro usuario, sí, y cuenta todo lo suyo en la máquina: con su
        # cgroup «pids» (delegado) la caja ya tiene su tope y no se toca; sin él, uno relativo a lo que hay.
        if os.geteuid() == 0:
            procesos = limites.PROCESOS
        else:
            procesos = None if 'pids' in grupo.controles else tope_de_procesos()
        proceso = subprocess.Popen(orden, close_fds=True, start_new_session=True,
                                   preexec_fn=functools.partial(_limitar, grupo, procesos), **opciones)
        self._procesos.append(proceso)
        return proceso

    def _en_caja(self, entrada, precargar):
        codigos_lectura, codigos_escritura = os.pipe()
        info_lectura, info_escritura = os.pipe()
        pasar, plan = [codigos_escritura, info_escritura], []
        escuchas = []
        # El canal de cada orden a su servicio de prueba: /canal/N/prueba.sock; las demás no lo ven.
        canales = {n: f'{CANAL}/{n}' for n, e in enumerate(self.ejecuciones) if e.orden.servicio is not None}
        for numero, ejecucion in enumerate(self.ejecuciones):
            orden = ejecucion.orden
            paso = {'programa': _programa(orden), 'salida': ejecucion.salida_fd.fileno(),
                    'errores': ejecucion.errores_fd.fileno(), 'informe': ejecucion.informe_fd,
                    'pedido': _pedido(orden), 'preferido': orden.preferido}
            pasar += [paso['salida'], paso['errores'], paso['informe']]
            if orden.servir:
                escucha, dirigida = socket.create_server(('127.0.0.1', 0)), socket.create_server(('127.0.0.1', 0))
                escuchas += [escucha, dirigida]
                ejecucion.url = f'http://127.0.0.1:{escucha.getsockname()[1]}'
                ejecucion.dirigida = dirigida.getsockname()
                paso['aceptar'], paso['dirigir'] = escucha.fileno(), dirigida.fileno()
                pasar += [escucha.fileno(), dirigida.fileno()]
            if numero in canales:
                paso.update(puertos_locales=[PUERTO_LECCION, *orden.otros_puertos],
                            enchufe=f'{canales[numero]}/prueba.sock')
            paso['ocultar'] = [c for n, c in canales.items() if n != numero]
            plan.append(paso)
        orden_caja = orden_bwrap(entrada, {f'{canales[n]}/prueba.sock': self.ejecuciones[n].orden.servicio
                                           for n in canales})
        orden_caja[1:1] = ['--info-fd', str(info_escritura)]
        orden_caja += [PYTHON, '-P', '/calificador/pasarela.py']
        proceso = self._lanzar(orden_caja, cwd='/', env={'PATH': '/usr/bin:/bin'}, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=pasar)
        if 'memory' not in self._grupos[-1].controles:   # sin cgroup «memory», el tope lo pone el vigilante
            self.vigilante = Vigilante(proceso.pid, self._por_memoria)
        for fd in (codigos_escritura, info_escritura, *(e.informe_fd for e in self.ejecuciones)):
            os.close(fd)
        for escucha in escuchas:
            escucha.close()  # solo la pasarela acepta: si la caja muere, las conexiones se rechazan
        with os.fdopen(info_lectura, 'rb') as info:
            with contextlib.suppress(ValueError, KeyError):
                self._raiz = json.loads(info.read(4096) or b'{}')['child-pid']
        with contextlib.suppress(OSError):
            proceso.stdin.write((json.dumps({'ejecuciones': plan, 'precargar': list(precargar),
                                             'codigos': codigos_escritura, 'filtro': filtro.programa().hex(),
                                             'quitar': list(DEL_CALIFICADOR)}) + '\n').encode())
            proceso.stdin.close()
        for ejecucion in self.ejecuciones:
            ejecucion.leer_escuchas = functools.partial(self._escuchas_de, ejecucion)
        threading.Thread(target=self._leer_codigos, args=(codigos_lectura, proceso), daemon=True).start()

    def _leer_codigos(self, fd, proceso):
        """Lo que cuenta el primer proceso de la caja: el pid de cada ejecución y su código al terminar."""
        with os.fdopen(fd, 'rb') as codigos:
            for linea in codigos:
                with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
                    datos = json.loads(linea)
                    ejecucion = self.ejecuciones[datos['ejecucion']]
                    if 'pid' in datos:
                        ejecucion.lanzada(int(datos['pid']))
                    else:
                        ejecucion.terminar(int(datos['codigo']))
        # Sin más noticias de la caja (terminó o la mataron): lo que siga pendiente terminó con ella.
        codigo = proceso.wait()
        for ejecucion in self.ejecuciones:
            ejecucion.terminar(codigo)

    def _escuchas_de(self, ejecucion):
        if ejecucion.pid is None and ejecucion.pid_dentro is not None:
            ejecucion.pid = _pid_de_fuera(self._raiz, ejecucion.pid_dentro)
        if not ejecucion.pid or not ejecucion.vivo():
            return []
        return self._escuchas.setdefault(ejecucion.pid, Escuchas(f'/proc/{ejecucion.pid}/net'))()

    def _sin_caja(self, entrada, ejecucion):
        orden = ejecucion.orden
        zona = Path(self._pila.enter_context(tempfile.TemporaryDirectory(prefix='zona-')))
        self._zonas.append(zona)
        shutil.copytree(entrada.raiz, zona, dirs_exist_ok=True)
        for nombre in ('.casa', '.tmp'):
            (zona / nombre).mkdir()
        # Sin red propia, el 9696 del estudiante se desvía a un puerto libre de verdad (o al
        # del servicio de prueba); la sonda sirve en su propio puerto libre.
        real = orden.servicio or puerto_libre()
        if orden.servir:
            ejecucion.url = f'http://127.0.0.1:{orden.preferido or real}'
            puerto = int(ejecucion.url.rsplit(':', 1)[1])
            ejecucion.leer_escuchas = lambda: [Escucha('tcp', puerto, '127.0.0.1')] if lanzador.escucha(puerto) else []
        if orden.programa[0] == 'sonda':
            programa = [str(entrada.calificador / 'sonda.py'), '--informe-fd', str(ejecucion.informe_fd),
                        '--zona', str(zona)]
        else:
            programa = _programa(orden)
        desvios = [arg for p in (PUERTO_LECCION, *orden.otros_puertos) for arg in ('--puerto', f'{p}={real}')]
        # redireccion.py por su ruta y sin PYTHONPATH: el taller no tapa los módulos de la entrega.
        proceso = self._lanzar(
            [sys.executable, '-P', str(RAIZ / 'abandono' / 'redireccion.py'), *desvios, '--', *programa], cwd=zona,
            env={**DEL_CALIFICADOR, 'HOME': str(zona / '.casa'), 'TMPDIR': str(zona / '.tmp'), 'LANG': 'C.UTF-8',
                 'PATH': os.environ.get('PATH', '')},
            stdin=subprocess.PIPE, stdout=ejecucion.salida_fd, stderr=ejecucion.errores_fd,
            pass_fds=[ejecucion.informe_fd])
        os.close(ejecucion.informe_fd)
        with contextlib.suppress(OSError):
            proceso.stdin.write((json.dumps(_pedido(orden)) + '\n').encode() if orden.pedido else b'')
            proceso.stdin.close()
        ejecucion.pid = proceso.pid

        def esperar():
            ejecucion.terminar(proceso.wait())
        threading.Thread(target=esperar, daemon=True).start()

    def _por_memoria(self):
        """El vigilante vio la caja por encima de su tope: se para entera, y cada ejecución lo dice en sus errores."""
        self._matar()
        aviso = (f'\nLa caja superó {limites.MEMORIA_CAJA // 1024 ** 2} MiB de memoria entre todos sus procesos '
                 'y se detuvo.\n').encode()
        for ejecucion in self.ejecuciones:
            with contextlib.suppress(OSError, ValueError):
                os.write(ejecucion.errores_fd.fileno(), aviso)

    def _matar(self):
        """Con bwrap, matar su grupo mata el espacio de procesos de la caja, con todo lo que quede dentro."""
        for proceso in self._procesos:
            if proceso.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proceso.pid, signal.SIGKILL)
        # Sin caja no hay espacio de procesos: se matan los que sigan en la zona (cwd dentro).
        for zona in self._zonas:
            _matar_en(zona)

    def cerrar(self):
        if hasattr(self, '_reloj'):
            self._reloj.cancel()
        if self.vigilante is not None:
            self.vigilante.parar()
        self._matar()
        for proceso in self._procesos:
            proceso.wait()
        for grupo in self._grupos:
            grupo.vaciar()
        self._pila.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cerrar()


def _programa(orden):
    """Lo que se ejecuta: la sonda, o el script desde la carpeta de trabajo (``python mi_trabajo/archivo``)."""
    if orden.programa[0] == 'sonda':
        return list(orden.programa)
    return [f'{CARPETA_DE_TRABAJO}/{orden.programa[0]}', *orden.programa[1:]]


def _pedido(orden):
    """El pedido de la sonda, con la carpeta (bajo la de trabajo) donde importar la entrega."""
    return orden.pedido and {**orden.pedido, 'carpeta': CARPETA_DE_TRABAJO}


def _hijos(pid):
    hijos = []
    with contextlib.suppress(OSError, ValueError):
        for tarea in os.listdir(f'/proc/{pid}/task'):
            hijos += [int(p) for p in Path(f'/proc/{pid}/task/{tarea}/children').read_text().split()]
    return hijos


def _pid_de_fuera(raiz, dentro):
    """El pid, visto desde fuera, de la ejecución ``dentro`` (nieta de ``raiz``, el init de bwrap)."""
    for primero in _hijos(raiz):
        for hijo in _hijos(primero):
            with contextlib.suppress(OSError, ValueError, IndexError):
                for linea in Path(f'/proc/{hijo}/status').read_text().splitlines():
                    if linea.startswith('NSpid:') and int(linea.split()[-1]) == dentro:
                        return hijo
    return None


def _matar_en(zona):
    for pid in filter(str.isdigit, os.listdir('/proc')):
        with contextlib.suppress(OSError):
            if os.readlink(f'/proc/{pid}/cwd').startswith(str(zona)):
                os.kill(int(pid), signal.SIGKILL)
