"""Lo que gunicorn lee solo al arrancar desde esta carpeta (no cambia ninguna opción).

Sin ``--preload`` cada worker carga el modelo por su cuenta: si el modelo no
vale, todos salen a la vez con el código 3 y gunicorn 27 a veces se tropieza
al recoger el segundo (su propia traza en inglés, y el código 1). Comprobar el
modelo en el proceso maestro, antes de crear ningún worker, da con cualquier
orden el mismo final que con ``--preload``: el mensaje en español y el código 3.
"""
import sys


def on_starting(server):
    if server.app.app_uri != 'servicio1:app':
        return  # otra app (flask_test:app, la de un estudiante...): no es asunto de este modelo
    from abandono.integridad import RUTA_MODELO, ModeloNoConfiable, cargar_modelo
    try:
        cargar_modelo(RUTA_MODELO)
    except ModeloNoConfiable as error:
        print(f'servicio1.py: {error}', file=sys.stderr, flush=True)
        sys.exit(3)  # el mismo código que servicio1.NO_ARRANCA
