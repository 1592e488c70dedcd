"""Ejecuta un script de Python con el puerto 9696 de esta computadora desviado a otro.

La lección escribe el puerto a mano: ``app.run(host='0.0.0.0', port=9696)`` en el
servicio y ``url = 'http://localhost:9696/predict'`` en el cliente. Para ejecutar ese
código tal cual sin ocupar el 9696 de verdad (puede estar en uso, o haber varios
servicios a la vez), este módulo cambia ``bind``, ``connect`` y ``connect_ex`` de los
sockets dentro del proceso del script: una dirección local con un puerto desviado pasa a
``127.0.0.1`` y al puerto real. Las demás direcciones no se tocan.

    python -m abandono.redireccion --puerto 9696=50123 -- mi_trabajo/servicio1.py [argumentos]

El script se ejecuta como ``__main__`` igual que con ``python script.py``: ``sys.argv``
empieza por el script, su carpeta va primera en ``sys.path`` y la carpeta de trabajo no
cambia (``open('modelo_trabajo.bin')`` la busca donde se lanzó el comando).
"""
import argparse
import runpy
import socket
import sys
import traceback
from pathlib import Path

# Lo que significa «esta computadora» al escuchar o al conectar, en IPv4 y en IPv6.
LOCALES = {'', 'localhost', '0.0.0.0', '127.0.0.1', '::', '::1'}
# Una conexión IPv6 al puerto real llega al servicio, que escucha en 127.0.0.1, por su
# dirección IPv4 «mapeada» (si el sistema no lo permite, requests prueba la siguiente
# dirección de localhost, la IPv4).
DESTINO = {socket.AF_INET: '127.0.0.1', socket.AF_INET6: '::ffff:127.0.0.1'}


def desviar(familia, direccion, puertos):
    """La dirección a la que de verdad se escucha o conecta (la misma si no se desvía)."""
    if familia not in DESTINO or not isinstance(direccion, tuple) or len(direccion) < 2:
        return direccion
    host, puerto, *resto = direccion
    if puerto not in puertos or str(host).lower() not in LOCALES:
        return direccion
    return (DESTINO[familia], puertos[puerto], *resto)


def instalar(puertos):
    """Cambia los métodos de ``socket.socket`` para todo el proceso."""
    originales = {nombre: getattr(socket.socket, nombre) for nombre in ('bind', 'connect', 'connect_ex')}

    def envolver(nombre):
        original = originales[nombre]

        def metodo(self, direccion):
            return original(self, desviar(self.family, direccion, puertos))
        metodo.__name__ = nombre
        return metodo

    for nombre in originales:
        setattr(socket.socket, nombre, envolver(nombre))


def _par(texto):
    try:
        leccion, real = (int(p) for p in texto.split('='))
    except ValueError:
        raise argparse.ArgumentTypeError(f'«{texto}» no es PUERTO=PUERTO_REAL (por ejemplo 9696=50123)') from None
    if not all(0 < p < 65536 for p in (leccion, real)):
        raise argparse.ArgumentTypeError(f'«{texto}»: los puertos van de 1 a 65535')
    return leccion, real


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(
        prog='python -m abandono.redireccion',
        usage='%(prog)s --puerto 9696=PUERTO_REAL [--puerto A=B ...] -- script.py [argumentos]',
        description='Ejecuta script.py con las conexiones locales a un puerto desviadas a otro.')
    parser.add_argument('--puerto', type=_par, action='append', default=[], metavar='A=B',
                        help='escuchar o conectar en localhost:A pasa a 127.0.0.1:B')
    if '--' not in argv:
        parser.error('falta «--» y, detrás, el script que se ejecuta')
    corte = argv.index('--')
    args = parser.parse_args(argv[:corte])
    if not args.puerto:
        parser.error('falta al menos un --puerto A=B')
    if corte + 1 == len(argv):
        parser.error('falta el script detrás de «--»')
    script, *resto = argv[corte + 1:]
    if not Path(script).is_file():
        parser.error(f'no existe el script {script}')

    instalar(dict(args.puerto))
    sys.argv = [script, *resto]
    # Como con «python script.py»: la carpeta del script primera en sys.path (así su «import»
    # encuentra sus propios módulos), en lugar de la de trabajo que «python -m» había puesto
    # ahí; con «python -P» no había puesto nada.
    carpeta = str(Path(script).resolve().parent)
    if sys.flags.safe_path:
        sys.path.insert(0, carpeta)
    else:
        sys.path[0] = carpeta
    como_script(script)


def como_script(script):
    """``runpy.run_path`` con la traza de un error como la de «python script.py»: desde el script.

    Sin esto, la traza empieza con los marcos de este módulo y de runpy, que no son del estudiante.
    """
    try:
        runpy.run_path(script, run_name='__main__')
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as error:  # noqa: BLE001 — se informa como lo haría python y se sale igual
        traza = error.__traceback__
        # runpy compila el script con la ruta tal como llegó: así se reconocen sus marcos.
        while traza is not None and traza.tb_frame.f_code.co_filename != script:
            traza = traza.tb_next
        traceback.print_exception(type(error), error, traza)
        sys.exit(1)


if __name__ == '__main__':
    main()
