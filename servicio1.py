"""servicio1.py: el servicio de abandono con el que termina la lección.

Carga ``modelo_trabajo.bin`` una sola vez (comprobando antes su integridad) y
expone la aplicación Flask ``Abandono`` con ``POST /predict``.

    python servicio1.py                 # servidor de desarrollo en el puerto 9696
    gunicorn -b 0.0.0.0:9696 servicio1:app      # producción en Linux o macOS
    waitress-serve --port=9696 servicio1:app    # producción en Windows

La respuesta de los ejercicios, escrita como la escribiría un estudiante, está
en ``solutions/servicio1.py``; este archivo añade lo que pide la producción
(validación, errores claros, lotes, salud) desde el paquete ``abandono``.
"""
import argparse
import sys

from abandono.integridad import RUTA_MODELO, ModeloNoConfiable, cargar_modelo
from abandono.prediccion import predict_cliente  # noqa: F401  (la función de la lección, para quien importe servicio1)
from abandono.servicio import crear_app


try:
    dv, modelo = cargar_modelo(RUTA_MODELO)
except ModeloNoConfiable as error:
    # Un mensaje claro en vez de una traza: el servicio no arranca con un modelo dudoso.
    sys.exit(f'servicio1.py: {error}')
app = crear_app(dv, modelo)


def main(argv=None):
    parser = argparse.ArgumentParser(description='Servicio de abandono (servidor de desarrollo de Flask).')
    parser.add_argument('--host', default='0.0.0.0', help='dirección de escucha (por defecto %(default)s)')
    parser.add_argument('--port', type=int, default=9696, help='puerto (por defecto %(default)s)')
    parser.add_argument('--debug', action='store_true',
                        help='activa el depurador de Werkzeug; solo en tu máquina, nunca en producción')
    args = parser.parse_args(argv)
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == '__main__':
    main()
