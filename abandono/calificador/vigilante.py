"""Sin cgroup «memory» (sin root ni cgroups delegados): la memoria de una caja, sumada desde fuera.

Con cgroups, el kernel para la caja entera en ``limites.MEMORIA_CAJA``. Sin
ellos, cada proceso tiene su RLIMIT_AS, pero la caja no: tres procesos de
1,4 GB, o 240 memfd de 8 MB (que no cuentan en RLIMIT_AS), pasaban. El
:class:`Vigilante` suma, cada ``cada`` segundos, lo que tienen los procesos de
la caja y la para (``matar``) al pasar del tope:

- primero una cota barata (``/proc/PID/status``: la memoria anónima y la
  compartida de cada proceso, más lo que ocupa cada memfd abierto): cuenta dos
  veces lo que los hijos comparten con el primer proceso (scikit-learn
  precargado), así que se queda por encima de la cuenta real;
- solo si la cota pasa del tope, la cuenta exacta: el PSS anónimo y compartido
  de cada proceso (``smaps_rollup``: lo compartido, repartido entre quienes lo
  comparten, memoria compartida y memfd mapeados incluidos) más los memfd
  abiertos que nadie mapea.

Lo que no ve (``docs/profesorado.md`` lo dice): la memoria del kernel (búferes
de sockets y tuberías, memfd en tránsito por un socket Unix sin que ningún
proceso los tenga) y la del primer proceso de la caja, que no es volcable (el
calificador la controla: es suya). Entre dos vueltas una caja puede pasar del
tope lo que asigne en ``cada`` segundos.
"""
import contextlib
import os
import threading
import time

from abandono.calificador import limites


def procesos(raiz):
    """``raiz`` y todos sus descendientes (pids vistos desde fuera)."""
    todos, pendientes = [], [raiz]
    while pendientes:
        pid = pendientes.pop()
        todos.append(pid)
        with contextlib.suppress(OSError, ValueError):
            for tarea in os.listdir(f'/proc/{pid}/task'):
                with open(f'/proc/{pid}/task/{tarea}/children') as hijos:
                    pendientes += [int(h) for h in hijos.read().split()]
    return todos


def _campos(ruta, nombres):
    """{nombre: bytes} de las líneas 'Nombre: N kB' de un archivo de /proc que estén en ``nombres``."""
    valores = {}
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(ruta) as archivo:
            for linea in archivo:
                nombre, _, resto = linea.partition(':')
                if nombre in nombres:
                    valores[nombre] = int(resto.split()[0]) * 1024
    return valores


def _memfd(pid):
    """{(dispositivo, inodo): bytes ocupados} de los memfd que ``pid`` tiene abiertos."""
    abiertos = {}
    with contextlib.suppress(OSError):
        for fd in os.listdir(f'/proc/{pid}/fd'):
            with contextlib.suppress(OSError):
                if os.readlink(f'/proc/{pid}/fd/{fd}').startswith('/memfd:'):
                    info = os.stat(f'/proc/{pid}/fd/{fd}')
                    abiertos[info.st_dev, info.st_ino] = info.st_blocks * 512
    return abiertos


def _mapeados(pid):
    """Los inodos de los memfd que ``pid`` tiene mapeados (ya cuentan en su PSS)."""
    inodos = set()
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(f'/proc/{pid}/maps') as mapas:
            for linea in mapas:
                if '/memfd:' in linea:
                    inodos.add(int(linea.split()[4]))
    return inodos


def cota(pids):
    """Una cota por encima de la memoria de ``pids``: anónima y compartida de cada uno, y sus memfd."""
    memfd = {}
    total = 0
    for pid in pids:
        total += sum(_campos(f'/proc/{pid}/status', ('RssAnon', 'RssShmem')).values())
        memfd.update(_memfd(pid))
    return total + sum(memfd.values())


def exacta(pids):
    """La memoria de ``pids``: su PSS anónimo y compartido (repartido entre quienes lo comparten) y los memfd
    abiertos que nadie mapea. Nunca pasa de ``cota``: cada PSS es como mucho el RSS del mismo tipo."""
    memfd, mapeados, total = {}, set(), 0
    for pid in pids:
        total += sum(_campos(f'/proc/{pid}/smaps_rollup', ('Pss_Anon', 'Pss_Shmem')).values())
        memfd.update(_memfd(pid))
        mapeados |= _mapeados(pid)
    return total + sum(ocupa for (_, inodo), ocupa in memfd.items() if inodo not in mapeados)


class Vigilante:
    """Un hilo que mira la memoria de la caja cuyo proceso de fuera es ``raiz`` y llama a ``matar`` al pasar ``tope``.

    ``pico``: la mayor cuenta exacta que vio (0 si la cota nunca pasó del tope);
    ``excedida``: la cuenta con que paró la caja, o None.
    """

    def __init__(self, raiz, matar, tope=limites.MEMORIA_CAJA, cada=0.05):
        self.raiz, self._matar, self.tope, self.cada = raiz, matar, tope, cada
        self.pico, self.excedida = 0, None
        self._parar = threading.Event()
        threading.Thread(target=self._vigilar, daemon=True).start()

    def _vigilar(self):
        # La cuenta exacta cuesta (unos 80 ms con scikit-learn precargado): tras una que quedó por debajo del
        # tope, la siguiente espera medio segundo, salvo que la cota suba más de lo que faltaba para el tope.
        siguiente, base, holgura = 0.0, 0, 0
        while not self._parar.wait(self.cada):
            pids = procesos(self.raiz)
            if len(pids) == 1 and not os.path.exists(f'/proc/{self.raiz}'):
                return   # la caja ya terminó
            ahora, arriba = time.monotonic(), cota(pids)
            if arriba <= self.tope or (ahora < siguiente and arriba - base <= holgura):
                continue
            memoria = exacta(pids)
            self.pico = max(self.pico, memoria)
            if memoria > self.tope:
                self.excedida = memoria
                self._matar()
                return
            siguiente, base, holgura = ahora + 0.5, arriba, self.tope - memoria

    def parar(self):
        self._parar.set()
