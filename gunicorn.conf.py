"""Lo que gunicorn lee solo al arrancar desde esta carpeta (ninguna opción: esas van en la orden).

Cuatro ganchos:

- ``on_starting``: sube el límite de archivos abiertos hasta el máximo que
  permite el sistema, comprueba el modelo y reclama la carpeta de métricas
  (abandono.metricas) antes de crear workers.
- ``post_fork``: un worker que aún arranca se para en el acto en vez de agotar
  el --graceful-timeout.
- ``post_worker_init``: con workers gevent, aceptar varias conexiones por
  vuelta del bucle y no una sola.
- ``pre_request``: con workers gevent, un plazo total para leer el cuerpo.

Sin ``--preload`` cada worker carga el modelo por su cuenta: si el modelo no
vale, todos salen a la vez con el código 3 y gunicorn 27 a veces se tropieza
al recoger el segundo (su propia traza en inglés, y el código 1). Comprobar el
modelo en el proceso maestro, antes de crear ningún worker, da con cualquier
orden el mismo final que con ``--preload``: el mensaje en español y el código 3.
"""
import resource
import signal
import sys
import time

# Un cuerpo de petición se lee entero en este plazo o el servicio responde 408 y
# cierra. Un lote lleno (8 MiB) cabe en él con 1,1 Mbit/s de subida; un cliente
# que manda un byte por segundo deja de ocupar su conexión al minuto. Las
# cabeceras ya tienen su plazo en el worker gevent: --keep-alive (2 s por defecto).
PLAZO_CUERPO = 60.0
# El valor por defecto de gevent: lo que gunicorn deja con un solo worker.
ACEPTAR_POR_VUELTA = 100
# Los descriptores que no son conexiones: el socket de escucha, registros, módulos...
RESERVA_DESCRIPTORES = 64


def subir_limite_de_archivos(server):
    """El límite blando de archivos abiertos, hasta el duro: cada conexión es un descriptor.

    El límite blando suele ser 1024 y --worker-connections pide miles; subirlo
    hasta el duro no necesita privilegios. Si ni el duro alcanza, se avisa.
    """
    blando, duro = resource.getrlimit(resource.RLIMIT_NOFILE)
    objetivo = duro if duro != resource.RLIM_INFINITY else 1 << 20
    if blando < objetivo:
        resource.setrlimit(resource.RLIMIT_NOFILE, (objetivo, duro))
    necesita = server.cfg.worker_connections + RESERVA_DESCRIPTORES
    if objetivo < necesita:
        server.log.warning(f'El límite de archivos abiertos es {objetivo} y --worker-connections '
                           f'{server.cfg.worker_connections} necesita {necesita}: con más conexiones, '
                           'el worker rechazará las nuevas. Súbelo (ulimit -n, o --ulimit nofile= en docker).')


def on_starting(server):
    subir_limite_de_archivos(server)
    if server.app.app_uri != 'servicio1:app':
        return  # otra app (flask_test:app, la de un estudiante...): no es asunto de este modelo
    from abandono.integridad import RUTA_MODELO, ModeloNoConfiable, cargar_modelo
    try:
        cargar_modelo(RUTA_MODELO)
    except ModeloNoConfiable as error:
        print(f'servicio1.py: {error}', file=sys.stderr, flush=True)
        sys.exit(3)  # el mismo código que servicio1.NO_ARRANCA
    # Importarlo crea o vacía la carpeta de métricas en el maestro; los workers la heredan
    # ya reclamada y no borran las cuentas de sus hermanos (con --preload ya pasó al cargar la app).
    import abandono.metricas  # noqa: F401


def post_fork(server, worker):
    # El worker recién creado hereda los manejadores del maestro, que solo anotan la
    # señal en una cola que el worker nunca lee, hasta que instala los suyos al final
    # de su arranque (con gevent, después de parchear la biblioteca estándar: cientos
    # de ms). Una parada en esa ventana se perdía y el maestro esperaba el
    # --graceful-timeout entero para matarlo. Un worker que arranca no tiene peticiones
    # a medias: que estas señales lo terminen en el acto.
    for senal in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(senal, signal.SIG_DFL)


def post_worker_init(worker):
    """Con gevent, cada worker acepta hasta ACEPTAR_POR_VUELTA conexiones por vuelta de su bucle.

    gunicorn le pone ``max_accept = 1`` al servidor de gevent cuando hay varios
    workers, para repartir las conexiones entre ellos. Pero entonces un worker
    acepta una conexión por vuelta de su bucle de eventos, y con miles de
    clientes lentos cada vuelta atiende miles de bytes sueltos: se aceptan
    unas 200 conexiones por segundo y las de los clientes normales esperan en
    la cola del núcleo detrás de las del atacante (medido: 2300 en cola, 5 s
    de espera). Cada worker sigue dejando de aceptar al llenar sus
    --worker-connections.
    """
    if type(worker).__module__ != 'gunicorn.workers.ggevent':
        return
    from gunicorn.workers import ggevent

    class ServidorQueAceptaVarias(ggevent.StreamServer):
        max_accept = property(lambda self: ACEPTAR_POR_VUELTA, lambda self, valor: None)

    ggevent.StreamServer = ServidorQueAceptaVarias


class CuerpoConPlazo:
    """El ``wsgi.input`` de una petición, que hay que terminar de leer antes de ``limite``.

    Con gevent una conexión lenta no bloquea a nadie, pero sí ocupa uno de los
    --worker-connections mientras la app espera su cuerpo: sin plazo, quien
    manda un byte por segundo la ocupa para siempre. Vencido el plazo la lectura
    lanza RequestTimeout (Flask responde 408) y la conexión se cierra, porque lo
    que quede del cuerpo no es la petición siguiente.
    """

    def __init__(self, peticion, limite):
        self._peticion, self._cuerpo, self._limite = peticion, peticion.body, limite

    def _con_plazo(self, leer, *args):
        import gevent
        from werkzeug.exceptions import RequestTimeout
        try:
            with gevent.Timeout(max(self._limite - time.monotonic(), 0.0)):
                return leer(*args)
        except gevent.Timeout:
            self._peticion.must_close = True
            raise RequestTimeout() from None

    def read(self, size=None):
        return self._con_plazo(self._cuerpo.read, size)

    def readline(self, size=None):
        return self._con_plazo(self._cuerpo.readline, size)

    def readlines(self, size=None):
        return self._con_plazo(self._cuerpo.readlines, size)

    def __iter__(self):
        return iter(self.readline, b'')


def pre_request(worker, req):
    # Solo con gevent: un worker síncrono ya tiene su --timeout, que lo mata entero.
    if req.body is not None and type(worker).__module__ == 'gunicorn.workers.ggevent':
        req.body = CuerpoConPlazo(req, time.monotonic() + PLAZO_CUERPO)
