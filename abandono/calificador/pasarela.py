"""El primer proceso de cada caja: prepara la zona, abre las pasarelas y da paso al estudiante.

Corre DENTRO de la caja (caja.py copia este archivo; solo usa la biblioteca
estándar). Pasos:

1. copia ``/entrada`` (la entrega y el modelo, de solo lectura) en ``/zona``,
   el tmpfs con tope de tamaño donde el estudiante puede escribir;
2. abre las pasarelas en un proceso hijo:
   - ``--aceptar-fd N``: N es un socket que el calificador escucha en SU red
     (127.0.0.1 de la máquina); cada conexión se reenvía a la aplicación que
     escuche dentro de la caja (``--preferido P`` si escucha, si no cualquiera);
   - ``--puerto-local 9696 --enchufe RUTA``: dentro de la caja, 127.0.0.1:9696
     lleva al socket Unix RUTA, donde escucha el servicio de prueba del
     calificador (el ejercicio 4 escribe ``http://localhost:9696/predict``);
3. se sustituye (exec) por la orden del estudiante.

Nada de lo que pase aquí da puntos: el calificador solo mira lo que recibe por
la pasarela, por las tuberías de salida y por su servicio de prueba.
"""
import argparse
import os
import shutil
import socket
import sys
import threading

_TROZO = 65536


def copiar(origen='/entrada', destino='/zona'):
    shutil.copytree(origen, destino, dirs_exist_ok=True)
    for nombre in ('casa', 'tmp'):
        os.makedirs(os.path.join(destino, '.' + nombre), exist_ok=True)


def puertos_escuchando():
    """Los puertos TCP en LISTEN de esta red (la de la caja), de /proc/net/tcp y tcp6."""
    puertos = []
    for tabla in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(tabla) as archivo:
                next(archivo)
                for linea in archivo:
                    campos = linea.split()
                    if campos[3] == '0A':  # TCP_LISTEN
                        puertos.append(int(campos[1].rsplit(':', 1)[1], 16))
        except OSError:
            continue
    return puertos


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
    """Conecta ``a`` con lo que devuelva ``conectar()``; si no hay destino, cierra ``a``."""
    try:
        b = conectar()
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


def hacia_la_aplicacion(preferido, evitar):
    escuchando = [p for p in puertos_escuchando() if p not in evitar]
    if not escuchando:
        raise OSError('nadie escucha todavía')
    puerto = preferido if preferido in escuchando else min(escuchando)
    for familia, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
        try:
            return socket.create_connection((host, puerto), timeout=5)
        except OSError:
            continue
    raise OSError(f'no se pudo conectar con el puerto {puerto}')


def hacia_el_enchufe(ruta):
    s = socket.socket(socket.AF_UNIX)
    s.connect(ruta)
    return s


def servir(escucha, conectar):
    while True:
        conexion, _ = escucha.accept()
        threading.Thread(target=unir, args=(conexion, conectar), daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--aceptar-fd', type=int)
    parser.add_argument('--preferido', type=int)
    parser.add_argument('--puerto-local', type=int)
    parser.add_argument('--enchufe')
    parser.add_argument('orden', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    copiar()
    servidores = []
    evitar = set()
    if args.puerto_local:
        # Abierto antes de dar paso al estudiante: su primera petición ya encuentra el puerto.
        for familia, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
            s = socket.socket(familia)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, args.puerto_local))
            s.listen(16)
            servidores.append((s, lambda: hacia_el_enchufe(args.enchufe)))
        evitar.add(args.puerto_local)
    if args.aceptar_fd is not None:
        escucha = socket.socket(fileno=args.aceptar_fd)
        servidores.append((escucha, lambda: hacia_la_aplicacion(args.preferido, evitar)))
    if servidores and os.fork() == 0:
        # La pasarela no se queda con las tuberías del calificador: si no, nunca verían su final.
        propios = {s.fileno() for s, _ in servidores}
        for fd in map(int, os.listdir('/proc/self/fd')):
            if fd > 2 and fd not in propios:
                try:
                    os.close(fd)
                except OSError:
                    pass
        hilos = [threading.Thread(target=servir, args=s, daemon=True) for s in servidores]
        for hilo in hilos:
            hilo.start()
        for hilo in hilos:
            hilo.join()
        os._exit(0)
    for s, _ in servidores:
        s.close()
    orden = args.orden[1:] if args.orden[:1] == ['--'] else args.orden
    os.execv(orden[0], orden)


if __name__ == '__main__':
    sys.exit(main())
