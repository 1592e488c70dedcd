"""Los ganchos de gunicorn del servicio; ``gunicorn.conf.py`` los nombra y gunicorn los llama.

- ``on_starting``: sube el límite de archivos abiertos hasta el máximo que
  permite el sistema, antes de crear workers.
- ``post_fork``: un worker que aún arranca se para en el acto en vez de agotar
  el --graceful-timeout.
- ``post_worker_init``: con workers gevent, aceptar varias conexiones por
  vuelta del bucle y no una sola.
- ``pre_request``: con workers gevent, un plazo total para leer el cuerpo
  (``plazo_del_cuerpo`` da el mismo gancho con otro plazo).

Ninguno cambia gunicorn ni gevent para nadie más: actúan sobre el proceso, el
worker o la petición que gunicorn les pasa, por las puertas que gunicorn abre
para eso (sus ganchos y el ``server_class`` de su worker gevent).
"""
import functools
import resource
import signal
import sys
import time

# Un cuerpo de petición se lee entero en este plazo o el servicio responde 408 y
# cierra. El cuerpo más grande que se admite (servicio.MAX_CUERPO) cabe en él con
# algo más de 1 Mbit/s de subida; un cliente que manda un byte por segundo deja de
# ocupar su conexión al minuto. Las cabeceras ya tienen su plazo en el worker
# gevent: --keep-alive (2 s por defecto).
PLAZO_CUERPO = 60.0
# El valor por defecto de gevent: lo que gunicorn deja con un solo worker.
ACEPTAR_POR_VUELTA = 100
# Los descriptores que no son conexiones: el socket de escucha, registros, módulos...
RESERVA_DESCRIPTORES = 64


def on_starting(server):
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


def post_fork(server, worker):
    # El worker recién creado hereda los manejadores del maestro, que solo anotan la
    # señal en una cola que el worker nunca lee, hasta que instala los suyos al final
    # de su arranque (con gevent, después de parchear la biblioteca estándar: cientos
    # de ms). Una parada en esa ventana se perdía y el maestro esperaba el
    # --graceful-timeout entero para matarlo. Un worker que arranca no tiene peticiones
    # a medias: que estas señales lo terminen en el acto.
    for senal in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(senal, signal.SIG_DFL)


def _es_gevent(worker):
    # Sin importar gevent: un worker gevent ya cargó el módulo de gunicorn que lo define.
    ggevent = sys.modules.get('gunicorn.workers.ggevent')
    return ggevent is not None and isinstance(worker, ggevent.GeventWorker)


def post_worker_init(worker):
    """Con gevent, cada worker acepta hasta ACEPTAR_POR_VUELTA conexiones por vuelta de su bucle.

    gunicorn le pone ``max_accept = 1`` al servidor de gevent cuando hay varios
    workers, para repartir las conexiones entre ellos. Pero entonces un worker
    acepta una conexión por vuelta de su bucle de eventos, y con miles de
    clientes lentos cada vuelta atiende miles de bytes sueltos: se aceptan
    unas 200 conexiones por segundo y las de los clientes normales esperan en
    la cola del kernel detrás de las del atacante (medido: 2300 en cola, 5 s
    de espera). Cada worker sigue dejando de aceptar al llenar sus
    --worker-connections.

    El worker crea sus servidores justo después de este gancho, y con
    ``server_class`` (lo que cambia su subclase de pywsgi) los crea con la
    función que se le dé: aquí, la de este worker y no la de su clase.
    """
    if _es_gevent(worker) and worker.server_class is None:
        worker.server_class = functools.partial(_servidor_que_acepta_varias, worker)


def _servidor_que_acepta_varias(worker, escucha, *, spawn, application, log, handler_class, environ, **ssl):
    """El servidor que gunicorn crea sin ``server_class`` (cada conexión, a ``worker.handle``), sin su ``max_accept = 1``.

    ``application``, ``log``, ``handler_class`` y ``environ`` son para un servidor
    pywsgi; este, como el de gunicorn, lee HTTP con el analizador de gunicorn.
    Se nombran para que un cambio en cómo los pasa gunicorn pare el worker al
    arrancar en vez de pasar en silencio.
    """
    from gevent.server import StreamServer

    servidor = StreamServer(escucha, handle=functools.partial(worker.handle, escucha), spawn=spawn, **ssl)
    servidor.max_accept = ACEPTAR_POR_VUELTA
    return servidor


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


def plazo_del_cuerpo(segundos):
    """El gancho ``pre_request`` que da ``segundos`` para leer el cuerpo de cada petición."""

    def pre_request(worker, req):
        # Solo con gevent: un worker síncrono ya tiene su --timeout, que lo mata entero.
        if req.body is not None and _es_gevent(worker):
            req.body = CuerpoConPlazo(req, time.monotonic() + segundos)

    return pre_request


pre_request = plazo_del_cuerpo(PLAZO_CUERPO)
