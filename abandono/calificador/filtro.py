"""Las llamadas al sistema que el código de una entrega no puede hacer: el filtro seccomp de cada ejecución.

Lo construye libseccomp (con pyseccomp) aquí, fuera de la caja, y lo instala
la pasarela de la caja en cada ejecución justo antes de darle paso al
estudiante (``pasarela.filtrar``), cuando la red propia de la ejecución ya
existe: lo que el calificador necesita crear (espacios de usuarios, de red y
de montaje) está hecho, y desde ahí nadie crea otro. El filtro pasa a todo lo
que la ejecución arranque y no se puede quitar.

Niega lo mismo que el perfil por defecto de Docker en lo que una entrega no
necesita para nada:

- el llavero del kernel (``keyctl``, ``add_key``, ``request_key``): la caja
  hereda el llavero de sesión del calificador (bubblewrap no lo cambia), y ahí
  guardan pam_keyinit, systemd o Kerberos sus secretos;
- espacios nuevos (``unshare``, ``setns`` y ``clone`` con banderas de espacio)
  y montajes: una red anidada escondería un servidor de la vigilancia de los
  puertos, y un montaje, archivos;
- depurar otros procesos (``ptrace`` y sus parientes), ``bpf``,
  ``perf_event_open``, ``userfaultfd`` e ``io_uring``;
- la memoria compartida de System V (``shmget``): sus segmentos siguen vivos
  sin que ningún proceso los tenga, y sin cgroups el vigilante de memoria no
  los vería.

Cada llamada negada devuelve EPERM, como si faltara un permiso; ``clone3``
devuelve ENOSYS, porque sus banderas viajan en memoria, donde seccomp no mira,
y así la biblioteca de C vuelve a ``clone``, que sí se filtra.
"""
import errno
import functools
import tempfile

NEGADAS = (
    'keyctl', 'add_key', 'request_key',
    'unshare', 'setns', 'mount', 'umount2', 'pivot_root', 'chroot', 'mount_setattr',
    'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree',
    'name_to_handle_at', 'open_by_handle_at',
    'ptrace', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd', 'kcmp',
    'bpf', 'perf_event_open', 'userfaultfd', 'io_uring_setup', 'io_uring_enter', 'io_uring_register',
    'shmget', 'shmat',
)
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID y NEWNET.
ESPACIOS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


@functools.cache
def programa():
    """El filtro compilado (BPF, como lo espera ``prctl(PR_SET_SECCOMP)``), en bytes."""
    import pyseccomp as seccomp

    filtro = seccomp.SyscallFilter(seccomp.ALLOW)
    negar = seccomp.ERRNO(errno.EPERM)
    for llamada in NEGADAS:
        filtro.add_rule(negar, llamada)
    for bandera in ESPACIOS:
        filtro.add_rule(negar, 'clone', seccomp.Arg(0, seccomp.MASKED_EQ, bandera, bandera))
    filtro.add_rule(seccomp.ERRNO(errno.ENOSYS), 'clone3')
    with tempfile.TemporaryFile() as archivo:
        filtro.export_bpf(archivo)
        archivo.seek(0)
        return archivo.read()
