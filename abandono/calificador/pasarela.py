"""El primer proceso de cada caja: prepara la zona, precarga bibliotecas y lanza cada ejecución.

Corre DENTRO de la caja (caja.py copia este archivo; solo usa la biblioteca
estándar). Lee por la entrada estándar el plan de la caja (una línea JSON) y:

1. copia ``/entrada`` (la entrega y el modelo, de solo lectura) en ``/zona``,
   el tmpfs con tope de tamaño donde el estudiante puede escribir;
2. importa lo que el plan pide ``precargar`` (``modelo``: abre el modelo de la
   calificación, que trae scikit-learn). Un mismo archivo se ejecuta dos veces
   (importado por la sonda y como script) y scikit-learn tarda unos 2 s de CPU
   en importarse: así se paga una vez por caja y no una por ejecución;
3. por cada ejecución del plan, un proceso hijo (``fork``, con lo precargado)
   que se aísla en su propia red (un espacio de usuarios y de red anidado:
   solo su loopback, como si tuviera su caja), abre sus pasarelas en un nieto:

   - ``aceptar``: un socket que el calificador escucha en SU red (127.0.0.1 de
     la máquina); cada conexión se reenvía a la aplicación que escuche en la
     red de la ejecución (``preferido`` si escucha, si no cualquiera);
   - ``dirigir``: otro como ese, pero cada conexión dice primero (dos bytes)
     a qué puerto de la ejecución va: así se revisa cada puerto en que escucha;
   - ``enchufe``: dentro, 127.0.0.1:9696 (y los ``puertos_locales`` que pida el
     plan) lleva a ese socket Unix, donde escucha el servicio de prueba del
     calificador (el ejercicio 4 escribe ``http://localhost:9696/predict``);

   instala el filtro seccomp de ``filtro.py`` (ni llavero del kernel, ni
   espacios nuevos, ni montajes...) y ejecuta el programa del estudiante
   (como ``python archivo``, en ``__main__``) o la sonda;
4. espera a sus hijos y escribe en ``codigos`` (una tubería del calificador)
   el pid de cada ejecución y, al terminar, su código de salida.

Nada de lo que pase aquí da puntos: el calificador solo mira lo que recibe por
la pasarela, por las tuberías de salida, por su servicio de prueba y lo que
lee del kernel (los puertos de cada ejecución). Este proceso no es volcable
(``PR_SET_DUMPABLE``): el código del estudiante no puede leer ni escribir sus
descriptores ni depurarlo.
"""
import builtins
import collections
import ctypes
import fcntl
import gc
import importlib.util
import json
import os
import pickle
import shutil
import socket
import struct
import sys
import threading
import time
import traceback
import types

_TROZO = 65536


def copiar(origen='/entrada', destino='/zona'):
    shutil.copytree(origen, destino, dirs_exist_ok=True)


class Escucha(collections.namedtuple('Escucha', 'tipo donde direccion')):
    """Un socket que espera conexiones o datagramas: ``tipo`` 'tcp', 'udp' o 'unix'; ``donde``, su puerto o su ruta."""

    def __str__(self):
        if self.tipo == 'tcp':
            return str(self.donde)
        return f'{self.donde} (UDP)' if self.tipo == 'udp' else f'{self.donde} (socket Unix)'


def _direccion(hexa):
    """La dirección IP de una tabla de /proc/net (IPv4 o IPv6, en palabras de 32 bits al revés)."""
    crudo = bytes.fromhex(hexa)
    if len(crudo) == 4:
        return socket.inet_ntop(socket.AF_INET, crudo[::-1])
    return socket.inet_ntop(socket.AF_INET6, b''.join(crudo[i:i + 4][::-1] for i in range(0, 16, 4)))


def escuchando(red='/proc/net'):
    """Los sockets de una red que esperan a alguien: TCP en LISTEN, UDP con puerto y Unix que aceptan conexiones.

    Cualquier familia cuenta: un servidor no se esconde en IPv6, en UDP ni en un socket
    Unix. Por defecto, la red de este proceso; el calificador, desde fuera de la caja,
    pasa ``/proc/PID/net`` para leer la de una ejecución.
    """
    vistas = set()
    for tabla, tipo, estado in (('tcp', 'tcp', '0A'), ('tcp6', 'tcp', '0A'), ('udp', 'udp', '07'), ('udp6', 'udp', '07')):
        try:
            with open(f'{red}/{tabla}') as archivo:
                next(archivo)
                for linea in archivo:
                    campos = linea.split()
                    direccion, _, puerto = campos[1].rpartition(':')
                    if campos[3] == estado and int(puerto, 16):  # TCP_LISTEN; UDP sin conectar y con puerto
                        vistas.add(Escucha(tipo, int(puerto, 16), _direccion(direccion)))
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    try:
        with open(f'{red}/unix') as archivo:
            next(archivo)
            for linea in archivo:
                campos = linea.split(maxsplit=7)
                if int(campos[3], 16) & 0x10000:   # __SO_ACCEPTCON: acepta conexiones
                    vistas.add(Escucha('unix', campos[7].strip() if len(campos) > 7 else '(sin nombre)', ''))
    except (OSError, ValueError, IndexError, StopIteration):
        pass
    return sorted(vistas)


def puertos_tcp(escuchas):
    """Los puertos TCP (sin repetir) de una lista de :class:`Escucha`."""
    return sorted({e.donde for e in escuchas if e.tipo == 'tcp'})


def recuento(red='/proc/net'):
    """Cuántos sockets tiene la red de cada protocolo, de ``red``/protocols; None si no se sabe."""
    try:
        with open(f'{red}/protocols') as archivo:
            next(archivo)
            return tuple(linea.split()[2] for linea in archivo)
    except (OSError, IndexError, StopIteration):
        return None


class Escuchas:
    """``escuchando(red)`` sin releer las tablas mientras la red no cambie.

    Leer tcp y tcp6 cuesta unos 10 ms de CPU aunque la red tenga un solo socket (el
    kernel recorre las conexiones de toda la máquina), y se pregunta a menudo: el
    calificador vigila cada ejecución diez veces por segundo. El recuento de sockets
    de la red por protocolo (protocols, 0,1 ms) cambia cuando uno se abre, se conecta o
    se cierra; mientras no cambie, y como mucho ``vigencia`` segundos (un socket que
    se cierra justo cuando otro empieza a escuchar deja el recuento igual), vale la
    última lectura. Se puede llamar desde varios hilos.
    """

    def __init__(self, red='/proc/net', vigencia=0.5):
        self.red, self.vigencia = red, vigencia
        self._candado = threading.Lock()
        self._recuento, self._escuchas, self._hasta = None, [], 0.0

    def __call__(self):
        with self._candado:
            # El recuento, antes que las tablas: un cambio entre las dos lecturas se ve en la siguiente.
            ahora, cuantos = time.monotonic(), recuento(self.red)
            if cuantos is None or cuantos != self._recuento or ahora >= self._hasta:
                self._escuchas = escuchando(self.red)
                self._recuento, self._hasta = cuantos, ahora + self.vigencia
            return self._escuchas


def bombear(origen, destino):
    try:
        while datos := origen.recv(_TROZO):
            destino.sendall(datos)
    except OSError:
        pass
    finally:
        for s, como in ((destino, socket.SHUT_WR), (origen, socket.SHUT_RD)):
            try:
                s.shutdown(como)
            except OSError:
                pass


def unir(a, conectar):
    """Conecta ``a`` con lo que devuelva ``conectar(a)``; si no hay destino, cierra ``a``."""
    try:
        b = conectar(a)
    except OSError:
        a.close()
        return
    hilos = [threading.Thread(target=bombear, args=par, daemon=True) for par in ((a, b), (b, a))]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    a.close()
    b.close()


def al_puerto(puerto, escuchas):
    """Una conexión al puerto TCP ``puerto`` de esta red, por la dirección en que escucha."""
    direcciones = [e.direccion for e in escuchas if e.tipo == 'tcp' and e.donde == puerto]
    # Quien escucha en todas (0.0.0.0, ::) atiende también en loopback.
    for host in [{'0.0.0.0': '127.0.0.1', '::': '::1'}.get(d, d) for d in direcciones] + ['127.0.0.1', '::1']:
        try:
            return socket.create_connection((host, puerto), timeout=5)
        except OSError:
            continue
    raise OSError(f'no se pudo conectar con el puerto {puerto}')


def hacia_la_aplicacion(escuchas, preferido, evitar):
    vistas = escuchas()
    puertos = [p for p in puertos_tcp(vistas) if p not in evitar]
    if not puertos:
        raise OSError('nadie escucha todavía')
    return al_puerto(preferido if preferido in puertos else min(puertos), vistas)


def hacia_el_puerto_pedido(conexion, escuchas, evitar):
    """Para las conexiones dirigidas: sus dos primeros bytes dicen a qué puerto llevarlas.

    Así el calificador llega a cada puerto en que escucha la ejecución (el depurador
    puede estar en otro que la aplicación), no solo al que elige la pasarela.
    """
    conexion.settimeout(5)
    pedido = b''
    while len(pedido) < 2:
        trozo = conexion.recv(2 - len(pedido))
        if not trozo:
            raise OSError('la conexión se cerró sin decir el puerto')
        pedido += trozo
    conexion.settimeout(None)
    puerto = struct.unpack('!H', pedido)[0]
    vistas = escuchas()
    if puerto in evitar or puerto not in puertos_tcp(vistas):
        raise OSError(f'nadie escucha en el puerto {puerto}')
    return al_puerto(puerto, vistas)


def hacia_el_enchufe(ruta):
    s = socket.socket(socket.AF_UNIX)
    s.connect(ruta)
    return s


def servir(escucha, conectar):
    while True:
        conexion, _ = escucha.accept()
        threading.Thread(target=unir, args=(conexion, conectar), daemon=True).start()


# --- Una red propia para cada ejecución -----------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWUSER, _CLONE_NEWNET, _CLONE_NEWNS = 0x10000000, 0x40000000, 0x00020000
_MS_RDONLY_NOSUID_NODEV_NOEXEC = 0x1 | 0x2 | 0x4 | 0x8
_PR_SET_DUMPABLE, _PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 4, 38, 22, 2
# Los búferes de TCP de la red de cada ejecución (mínimo, inicial y máximo, en bytes; son de cada red).
# Con los de la máquina (hasta 32 MB por socket) unas miles de conexiones de loopback llenas retienen
# gigas de memoria del kernel que no cuenta ningún cgroup v1; una aplicación de la lección no pasa de unos KB.
BUFERES_TCP = {'tcp_rmem': '4096 32768 65536', 'tcp_wmem': '4096 16384 65536'}
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_INTERFAZ = '16sH14x'   # struct ifreq: el nombre y las banderas


def _llamar(funcion, *args):
    if funcion(*args) != 0:
        numero = ctypes.get_errno()
        raise OSError(numero, os.strerror(numero))


def volcable(si):
    _llamar(_libc.prctl, _PR_SET_DUMPABLE, int(si), 0, 0, 0)


def red_propia(ocultar=None):
    """Este proceso pasa a una red nueva con solo su loopback, y sin privilegios en ella.

    ``ocultar``: carpetas de la caja que esta ejecución no debe ver (los canales a los
    servicios de prueba de las demás): se tapan con un tmpfs vacío en un espacio de
    montaje propio; sin privilegios, el estudiante no puede destaparlas.
    """
    uid, gid = os.getuid(), os.getgid()
    _llamar(_libc.unshare, _CLONE_NEWUSER | _CLONE_NEWNET | (_CLONE_NEWNS if ocultar else 0))
    for archivo, texto in (('setgroups', 'deny'), ('uid_map', f'{uid} {uid} 1'), ('gid_map', f'{gid} {gid} 1')):
        with open(f'/proc/self/{archivo}', 'w') as mapa:
            mapa.write(texto)
    for nombre, valor in BUFERES_TCP.items():
        with open(f'/proc/sys/net/ipv4/{nombre}', 'w') as sysctl:
            sysctl.write(valor)
    with socket.socket() as s:
        banderas = struct.unpack(_INTERFAZ, fcntl.ioctl(s, _SIOCGIFFLAGS, struct.pack(_INTERFAZ, b'lo', 0)))[1]
        fcntl.ioctl(s, _SIOCSIFFLAGS, struct.pack(_INTERFAZ, b'lo', banderas | _IFF_UP))
    for carpeta in ocultar or ():
        _llamar(_libc.mount, b'tmpfs', carpeta.encode(), b'tmpfs', ctypes.c_ulong(_MS_RDONLY_NOSUID_NODEV_NOEXEC), None)
    # El espacio de usuarios nuevo trae todas las capacidades (solo sobre esta red): fuera.
    cabecera = (ctypes.c_uint32 * 2)(0x20080522, 0)    # _LINUX_CAPABILITY_VERSION_3, este proceso
    _llamar(_libc.capset, cabecera, (ctypes.c_uint32 * 6)())


class _Programa(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]   # struct sock_fprog


def filtrar(programa):
    """Instala el filtro seccomp ``programa`` (ya compilado por filtro.py, fuera) en este proceso y sus hijos.

    Sin privilegios nuevos (``PR_SET_NO_NEW_PRIVS``): ningún programa con setuid los recupera.
    """
    instrucciones = ctypes.create_string_buffer(programa, len(programa))
    fprog = _Programa(len(programa) // 8, ctypes.cast(instrucciones, ctypes.c_void_p))
    _llamar(_libc.prctl, _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _llamar(_libc.prctl, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)


# --- Una ejecución ------------------------------------------------------------------

def pasarelas(ejecucion):
    """Abre las pasarelas de ``ejecucion`` en un proceso nieto, antes de dar paso al estudiante."""
    servidores = []
    evitar = set()
    if ejecucion.get('enchufe'):
        # Abierto antes de dar paso al estudiante: su primera petición ya encuentra el puerto.
        for puerto in ejecucion['puertos_locales']:
            for familia, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
                s = socket.socket(familia)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((host, puerto))
                s.listen(16)
                servidores.append((s, lambda _: hacia_el_enchufe(ejecucion['enchufe'])))
            evitar.add(puerto)
    escuchas = Escuchas()   # una lectura de las tablas por cambio de la red, no por conexión
    if ejecucion.get('aceptar') is not None:
        servidores.append((socket.socket(fileno=ejecucion['aceptar']),
                           lambda _: hacia_la_aplicacion(escuchas, ejecucion.get('preferido'), evitar)))
    if ejecucion.get('dirigir') is not None:
        servidores.append((socket.socket(fileno=ejecucion['dirigir']),
                           lambda conexion: hacia_el_puerto_pedido(conexion, escuchas, evitar)))
    if servidores and os.fork() == 0:
        volcable(False)
        solo_estos({s.fileno() for s, _ in servidores})
        hilos = [threading.Thread(target=servir, args=s, daemon=True) for s in servidores]
        for hilo in hilos:
            hilo.start()
        for hilo in hilos:
            hilo.join()
        os._exit(0)
    for s, _ in servidores:
        s.close()


def solo_estos(conservar):
    """Cierra todo descriptor por encima de 2 que no esté en ``conservar``."""
    for fd in map(int, os.listdir('/proc/self/fd')):
        if fd > 2 and fd not in conservar:
            try:
                os.close(fd)
            except OSError:
                pass


def como_script(archivo):
    """``python archivo``: el archivo como ``__main__``, con su carpeta delante en sys.path.

    Como Python: ``__file__`` es la ruta absoluta y el script puede importar los otros
    archivos de la entrega. La pasarela ya está importada (con ``-P``): la carpeta
    del estudiante no tapa nada suyo.
    """
    archivo = os.path.abspath(archivo)
    principal = types.ModuleType('__main__')
    principal.__file__, principal.__builtins__ = archivo, builtins
    sys.modules['__main__'] = principal
    sys.argv = [archivo]
    sys.path.insert(0, os.path.dirname(archivo))
    # El recargador de Werkzeug (debug=True) vuelve a lanzar sys.orig_argv: que sea el comando del script.
    sys.orig_argv = [sys.executable, archivo]
    try:
        with open(archivo, 'rb') as fuente:
            codigo = compile(fuente.read(), archivo, 'exec')
        exec(codigo, vars(principal))
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001 — lo mismo que haría Python: la traza y el código 1
        traza = error.__traceback__
        # La traza empieza en el archivo del estudiante, no en este.
        while traza is not None and traza.tb_frame.f_code.co_filename != archivo:
            traza = traza.tb_next
        traceback.print_exception(type(error), error, traza)
        sys.exit(1)


def ejecutar(ejecucion, filtro):
    """En el hijo: red propia, sus descriptores, sus pasarelas, el filtro y el programa. Nunca vuelve."""
    programa = ejecucion['programa']
    try:
        # Volcable antes de nada: si no, /proc/self/uid_map es de root y no se puede escribir.
        # Depurar procesos (ptrace) lo niega después el filtro: ni los suyos, ni el primero, ni las pasarelas.
        volcable(True)
        red_propia(ejecucion.get('ocultar'))
        nulo = os.open(os.devnull, os.O_RDONLY)
        for origen, destino in ((nulo, 0), (ejecucion['salida'], 1), (ejecucion['errores'], 2)):
            os.dup2(origen, destino)
        informe = ejecucion['informe'] if programa[0] == 'sonda' else None
        solo_estos({informe, ejecucion.get('aceptar'), ejecucion.get('dirigir')})
        pasarelas(ejecucion)
        filtrar(bytes.fromhex(filtro))   # lo último: desde aquí, todo es del estudiante
    except BaseException as error:  # noqa: BLE001 — sin caja preparada no se ejecuta nada del estudiante
        os.write(2, f'La caja no pudo prepararse: {error}\n'.encode())
        os._exit(125)
    if programa[0] == 'sonda':
        especificacion = importlib.util.spec_from_file_location('sonda', '/calificador/sonda.py')
        sonda = importlib.util.module_from_spec(especificacion)
        especificacion.loader.exec_module(sonda)
        sonda.ejecutar(ejecucion['pedido'], informe, '/zona')
    else:
        como_script(programa[0])
    sys.exit(0)


def precargar(modulos):
    # Sin recolector mientras se importa (un 10 % menos de CPU: solo se crean objetos que se
    # quedan) y lo importado, congelado: los hijos no lo recorren en cada recolección.
    gc.disable()
    for nombre in modulos:
        if nombre == 'modelo':
            with open('/entrada/modelo_trabajo.bin', 'rb') as archivo:
                pickle.load(archivo)   # importa lo que el modelo necesita (scikit-learn)
        else:
            importlib.import_module(nombre)
    gc.freeze()
    gc.enable()


def main():
    plan = json.loads(sys.stdin.readline())
    copiar()
    precargar(plan.get('precargar', []))
    for clave in plan.get('quitar', []):   # lo del calificador no queda en el entorno del estudiante
        os.environ.pop(clave, None)
    volcable(False)
    codigos = os.fdopen(plan['codigos'], 'w', buffering=1)
    hijos = {}
    for numero, ejecucion in enumerate(plan['ejecuciones']):
        pid = os.fork()
        if pid == 0:
            codigos.close()   # ejecutar() cierra además los descriptores de las demás ejecuciones
            ejecutar(ejecucion, plan['filtro'])
        hijos[pid] = numero
        codigos.write(json.dumps({'ejecucion': numero, 'pid': pid}) + '\n')
    solo_estos({codigos.fileno()})
    while hijos:
        try:
            pid, estado = os.wait()
        except ChildProcessError:
            break
        if pid in hijos:
            codigos.write(json.dumps({'ejecucion': hijos.pop(pid), 'codigo': os.waitstatus_to_exitcode(estado)}) + '\n')


if __name__ == '__main__':
    sys.exit(main())
