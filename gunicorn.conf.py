"""Lo que gunicorn lee solo al arrancar desde esta carpeta (no cambia ninguna opción).

Dos ganchos: el modelo se comprueba antes de crear workers y un worker que aún
arranca se para en el acto en vez de agotar el --graceful-timeout.

Sin ``--preload`` cada worker carga el modelo por su cuenta: si el modelo no
vale, todos salen a la vez con el código 3 y gunicorn 27 a veces se tropieza
al recoger el segundo (su propia traza en inglés, y el código 1). Comprobar el
modelo en el proceso maestro, antes de crear ningún worker, da con cualquier
orden el mismo final que con ``--preload``: el mensaje en español y el código 3.
"""
import signal
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


def post_fork(server, worker):
    # El worker recién creado hereda los manejadores del maestro, que solo anotan la
    # señal en una cola que el worker nunca lee, hasta que instala los suyos al final
    # de su arranque (con gevent, después de parchear la biblioteca estándar: cientos
    # de ms). Una parada en esa ventana se perdía y el maestro esperaba el
    # --graceful-timeout entero para matarlo. Un worker que arranca no tiene peticiones
    # a medias: que estas señales lo terminen en el acto.
    for senal in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(senal, signal.SIG_DFL)
