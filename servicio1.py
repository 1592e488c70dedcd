"""servicio1.py: el servicio de abandono con el que termina la lección.

Carga ``modelo_trabajo.bin`` una sola vez (comprobando antes su integridad y su
forma) y expone la aplicación Flask ``Abandono`` con ``POST /predict``.

    python servicio1.py                 # servidor de desarrollo en el puerto 9696
    python servicio1.py --debug         # con el depurador de Werkzeug, solo en 127.0.0.1

Para producción, los comandos del README (gunicorn con workers gevent en Linux
y macOS, waitress en Windows, o el Dockerfile).

La respuesta de los ejercicios, escrita como la escribiría un estudiante, está
en ``solutions/servicio1.py``; este archivo añade lo que pide la producción
(validación, errores claros, lotes, salud) desde el paquete ``abandono``.
"""
import sys

from abandono.ayuda import analizador
from abandono.integridad import RUTA_MODELO, ModeloNoConfiable, cargar_modelo
from abandono.taller import PUERTO_LECCION

# El código con el que gunicorn reconoce que un worker no puede arrancar: en vez
# de lanzar otro sin fin, se para (con cualquier otro código reintentaría).
NO_ARRANCA = 3

try:
    dv, modelo = cargar_modelo(RUTA_MODELO)
except ModeloNoConfiable as error:
    # Un mensaje claro en vez de una traza: el servicio no arranca con un modelo dudoso.
    print(f'servicio1.py: {error}', file=sys.stderr, flush=True)
    sys.exit(NO_ARRANCA)

# Flask y el resto, después: con un modelo rechazado el servicio termina sin esperar a cargarlos.
from werkzeug.serving import WSGIRequestHandler  # noqa: E402

from abandono.servicio import crear_app  # noqa: E402

app = crear_app(dv, modelo)

# El depurador de Werkzeug ejecuta el código que escriba quien vea su página de
# error; con --debug el servidor solo escucha en esta computadora.
LOCALES = ('127.0.0.1', 'localhost', '::1')


class _SinVersion(WSGIRequestHandler):
    """El servidor de desarrollo sin «Server: Werkzeug/3.1 Python/3.11»: la versión solo le sirve a quien ataca."""

    def version_string(self):
        return 'Abandono'


def main(argv=None):
    parser = analizador(description='Servicio de abandono (servidor de desarrollo de Flask).')
    parser.add_argument('--host', help='dirección de escucha (por defecto 0.0.0.0; con --debug, 127.0.0.1)')
    parser.add_argument('--port', type=int, default=PUERTO_LECCION, help='puerto (por defecto %(default)s)')
    parser.add_argument('--debug', action='store_true',
                        help='activa el depurador de Werkzeug; solo en tu computadora, nunca en producción')
    args = parser.parse_args(argv)
    if args.debug and args.host not in (None, *LOCALES):
        sys.exit(f'servicio1.py: --debug no se puede usar con --host {args.host}: el depurador de Werkzeug '
                 'deja ejecutar código a quien vea la página de error, así que solo escucha en 127.0.0.1. '
                 'Quita --host, o quita --debug para escuchar en otra dirección.')
    host = args.host or ('127.0.0.1' if args.debug else '0.0.0.0')
    app.run(host=host, port=args.port, debug=args.debug, request_handler=_SinVersion)


if __name__ == '__main__':
    main()
