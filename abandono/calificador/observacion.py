"""Lo que el calificador observa de una entrega, desde fuera de su caja.

``Observador`` abre, en cuanto se crea, la caja de la entrega, con una
ejecución por cada forma de ejecutar cada archivo de ``ejercicios.ARCHIVOS``
(importado por la sonda, como script; todas a la vez), y un servicio de prueba
por cada script que lo usa (el ejercicio 4). Las pruebas piden después lo
que necesitan (``importado``, ``script``) y esperan solo a eso.

Todo lo que sale de aquí lo ve el calificador por sí mismo: respuestas HTTP
que recibe él, salidas por tuberías suyas, puertos que lee del kernel y
peticiones que llegan a su servicio de prueba. El informe de la sonda solo se
usa donde hay que hacer el trabajo para acertar (probabilidades de clientes
nuevos con un modelo nuevo) o para dar pistas.

El servicio de prueba del ejercicio 4 responde con el formato de la app del
propio estudiante (el ejercicio 3), que el calificador pregunta a esa app con el
cliente de la lección: un cliente que lee las claves de su propio servicio
(``churn_probability``) funciona igual que en su computadora. Responde también
en los puertos que escribe el cliente, para que un par coherente (los dos en el
5000) se califique por lo que hace; la prueba mira después si ese puerto es el de
su servicio.
"""
import ast
import functools
import json
import random
import re
import socket
import struct
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass

import requests

from abandono.calificador import limites
from abandono.calificador.caja import Caja, Orden
from abandono.calificador.ejercicios import ARCHIVOS, pedido_de_sondas
from abandono.calificador.referencia import Escrito, coincide
from abandono.lanzador import PUERTO_LECCION, puerto_libre


@dataclass
class Importado:
    """El archivo importado por la sonda y su aplicación servida por el calificador."""
    informe: dict | None     # None: la sonda no llegó a informar (se colgó o murió al importar)
    url: str | None          # la pasarela a la aplicación, si algo escucha
    puerto_propio: int       # donde sirve la sonda la aplicación importada
    puertos: list            # los que escuchan en la caja (del kernel)
    salida: str
    errores: str
    recibido: float          # cuándo llegó el informe de la sonda (time.monotonic)


@dataclass
class Script:
    """``python archivo`` como lo ejecuta el estudiante."""
    codigo: int | None       # código de salida; None si sigue en marcha (sirviendo) o no terminó
    url: str | None          # la pasarela a lo que escucha, si escucha algo
    puertos: list
    salida: str
    errores: str


_MAX_CUERPO = 64 * 1024
_MAX_PETICIONES = 20      # peticiones que se anotan (el ejercicio pide una)
_MAX_CONEXIONES = 100     # conexiones que se atienden en total; las demás se cierran al llegar
_A_LA_VEZ = 4             # conexiones atendidas a la vez, cada una en un hilo del calificador
_PLAZO = 2.0              # segundos sin que llegue nada de una conexión abierta: se cierra
_ESPERA_DEL_FORMATO = 5.0  # segundos que una petición espera el formato de la app del estudiante (menos que
                           # el timeout=10 de un cliente; después, responde con el de la lección)
_MAX_PUERTOS = 8          # puertos escritos en el cliente que llevan también al servicio de prueba
REFERENCIA = {'probabilidad_abandono': 0.0, 'abandono': False}   # el formato de la lección (solutions/)


class ServicioDePrueba:
    """El /predict del calificador para el ejercicio 4: valida el cliente, responde ``probabilidad`` y lo anota.

    Uno por script que lo usa, con su propia lista de peticiones. Corre en el
    calificador, así que todo tiene tope: cuerpos (413), peticiones anotadas
    (429), conexiones a la vez (``_A_LA_VEZ`` hilos como mucho: 1 500 conexiones
    mudas no crean 1 500 hilos), conexiones en total y espera de lectura.
    Valida como el servicio del taller (``abandono.esquema``, con las variables
    del modelo de la calificación): un cliente con valores que el modelo no
    conoce recibe un 422 con el campo que falla, no una probabilidad.
    """

    def __init__(self, probabilidad, variables):
        from types import SimpleNamespace

        from abandono.esquema import Validador

        self.probabilidad = probabilidad
        self.peticiones = []
        self.plantilla = None             # (clave o None, el JSON de la app del estudiante), si se sabe
        self.formato_listo = threading.Event()
        self._fin_de_la_espera = None     # la espera del formato es una para todas las peticiones, no una por cada una
        # El validador solo lee los nombres de las variables del DictVectorizer: no hace falta cargar el modelo.
        self._validador = Validador(SimpleNamespace(feature_names_=list(variables), separator='='))

    def aplicacion(self):
        from werkzeug.wrappers import Request

        from abandono.esquema import ErrorDeEntrada

        @Request.application
        def aplicacion(peticion):
            if len(self.peticiones) >= _MAX_PETICIONES:
                return _json({'error': f'Demasiadas peticiones: el ejercicio pide una (se anotan {_MAX_PETICIONES})'}, 429)
            peticion.max_content_length = _MAX_CUERPO   # más grande: 413, sin leerlo
            cuerpo = peticion.get_json(silent=True)
            datos = peticion.get_data(cache=True)
            anotada = {'metodo': peticion.method, 'ruta': peticion.path, 'tipo': peticion.mimetype, 'json': cuerpo,
                       'bytes': len(datos), 'formulario': bool(peticion.form), 'aceptada': False, 'error': None,
                       # data=json.dumps(cliente): JSON sin la cabecera que lo dice
                       'json_sin_tipo': cuerpo is None and _es_json(datos), 'puerto': _puerto_de(peticion.host)}
            self.peticiones.append(anotada)
            if peticion.path != '/predict':
                return _json({'error': f'No existe la ruta {peticion.path}; el servicio responde en /predict'}, 404)
            if peticion.method != 'POST':
                return _json({'error': f'Método {peticion.method} no permitido: usa POST'}, 405)
            if not isinstance(cuerpo, dict):
                return _json({'error': 'El cliente debe llegar en JSON (requests.post(url, json=cliente))'}, 400)
            try:
                self._validador.cliente(json.dumps(cuerpo))
            except ErrorDeEntrada as error:
                anotada['error'] = error.mensaje
                return _json(error.como_json(), error.estado)
            anotada['aceptada'] = True
            return _json(self.respuesta())

        return aplicacion

    def respuesta(self):
        """La probabilidad de la prueba con el formato de la app del estudiante (si llegó a tiempo) o el de la lección."""
        if self._fin_de_la_espera is None:
            self._fin_de_la_espera = time.monotonic() + _ESPERA_DEL_FORMATO
        self.formato_listo.wait(max(0.0, self._fin_de_la_espera - time.monotonic()))
        clave, plantilla = self.plantilla or ('probabilidad_abandono', REFERENCIA)
        if clave is None:
            return self.probabilidad
        # Las demás claves quedan como las respondió su app; un sí/no, el de esta probabilidad.
        return {k: self.probabilidad if k == clave else self.probabilidad >= 0.5 if isinstance(v, bool) else v
                for k, v in plantilla.items()}

    def aprender_formato(self, respuesta, esperado):
        """Aprende el formato de la app del estudiante de su ``respuesta`` (JSON) con la probabilidad ``esperado``."""
        if isinstance(respuesta, (int, float)) and not isinstance(respuesta, bool):
            if coincide([respuesta], esperado)[0] is not None:
                self.plantilla = (None, respuesta)
        elif isinstance(respuesta, dict) and len(respuesta) <= 20:
            for clave, valor in respuesta.items():
                if isinstance(valor, (int, float)) and not isinstance(valor, bool) \
                        and coincide([valor], esperado)[0] is not None:
                    self.plantilla = (clave, respuesta)
                    break
        self.formato_listo.set()

    def iniciar(self, direccion):
        """Sirve en ``direccion`` (``unix:///ruta`` o un puerto de 127.0.0.1) en un hilo; devuelve el servidor."""
        servidor = _servidor_con_tope()(*(('127.0.0.1', direccion) if isinstance(direccion, int) else (direccion, 0)),
                                         self.aplicacion())
        threading.Thread(target=servidor.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        return servidor


@functools.cache
def _servidor_con_tope():
    """El servidor WSGI de Werkzeug con hilos, pero con tope de hilos, de conexiones y de espera."""
    from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

    class Atencion(WSGIRequestHandler):
        timeout = _PLAZO   # cada lectura de la conexión espera como mucho _PLAZO

        def log_request(self, *args):
            pass   # el registro de cada petición no sirve al calificador

    class ServidorConTope(ThreadedWSGIServer):
        def __init__(self, host, puerto, app):
            super().__init__(host, puerto, app, handler=Atencion)
            self._plazas = threading.BoundedSemaphore(_A_LA_VEZ)
            self._atendidas = 0

        def process_request(self, request, client_address):
            if self._atendidas >= _MAX_CONEXIONES or not self._plazas.acquire(blocking=False):
                self.shutdown_request(request)   # sin plaza: se cierra, sin hilo
                return
            self._atendidas += 1
            super().process_request(request, client_address)

        def process_request_thread(self, request, client_address):
            try:
                super().process_request_thread(request, client_address)
            finally:
                self._plazas.release()

    return ServidorConTope


# --- Lo que responde la app del estudiante, leído con tope ------------------------------------
MAX_RESPUESTA = 256 * 1024  # bytes que se leen de una respuesta del estudiante (un JSON corto o un saludo)


def pedir(metodo, url, **opciones):
    """``requests.request`` con tope: como mucho MAX_RESPUESTA bytes y limites.PETICION segundos de lectura.

    La app del estudiante puede responder un cuerpo sin fin: el calificador no se lo
    guarda entero en memoria. El resto de la respuesta se descarta al cerrarla.
    """
    with requests.Session() as sesion:
        # Sin el entorno: solo se habla con 127.0.0.1, y un HTTP_PROXY del profesor (sin NO_PROXY) mandaría
        # allí cada petición al proxy. Además, leer el entorno y ~/.netrc en cada petición costaba CPU.
        sesion.trust_env = False
        respuesta = sesion.request(metodo, url, stream=True, timeout=limites.PETICION, **opciones)
    trozos, leidos, fin = [], 0, time.monotonic() + limites.PETICION
    with respuesta:
        for trozo in respuesta.iter_content(64 * 1024):
            trozos.append(trozo)
            leidos += len(trozo)
            if leidos > MAX_RESPUESTA or time.monotonic() > fin:
                break
    # .text y .json() leen de aquí: la respuesta ya se leyó (hasta el tope) y se cerró.
    respuesta._content = b''.join(trozos)[:MAX_RESPUESTA]
    return respuesta


def leer_json(texto):
    """El JSON de ``texto`` con cada número como :class:`Escrito` (con sus decimales), o ValueError."""
    return json.loads(texto, parse_float=Escrito, parse_int=Escrito)


# (ruta, textos que la delatan): los archivos del depurador en una ruta que no existe, y su consola.
URL_DEL_DEPURADOR = (
    ('/?__debugger__=yes&cmd=resource&f=debugger.js', ('debugger',)),
    ('/no-existe-C8280?__debugger__=yes&cmd=resource&f=style.css', ('debugger',)),
    ('/console', ('console', 'werkzeug')),
)
_MAX_PUERTOS_DEPURADOR = 16   # puertos de un script que se revisan (una app de la lección escucha en uno)
_PLAZO_DEPURADOR = 10.0       # segundos para revisarlos todos
_MAX_DEPURADOR = 64 * 1024    # bytes que se leen de cada respuesta


def _pedir_en(dirigida, puerto, ruta, plazo):
    """(estado, texto) de un GET a ``ruta`` en el ``puerto`` de la ejecución, por su conexión dirigida.

    (None, '') si no responde HTTP a tiempo. HTTP/1.0 a mano: la conexión lleva delante el
    puerto, y requests no sabe mandarlo.
    """
    fin, datos = time.monotonic() + plazo, b''
    try:
        with socket.create_connection(dirigida, timeout=plazo) as conexion:
            peticion = f'GET {ruta} HTTP/1.0\r\nHost: 127.0.0.1:{puerto}\r\n\r\n'
            conexion.sendall(struct.pack('!H', puerto) + peticion.encode())
            while len(datos) < _MAX_DEPURADOR and time.monotonic() < fin:
                conexion.settimeout(max(0.01, fin - time.monotonic()))
                trozo = conexion.recv(65536)
                if not trozo:
                    break
                datos += trozo
    except OSError:
        pass
    cabecera, _, cuerpo = datos.partition(b'\r\n\r\n')
    estado = re.match(rb'HTTP/1\.[01] (\d{3})', cabecera)
    return (int(estado[1]), cuerpo.decode('utf-8', errors='replace')) if estado else (None, '')


def _puerto_de(host):
    """El número de la cabecera Host, tras sus dos puntos (sin ellos, el 80 de HTTP)."""
    encaje = re.search(r':(\d+)$', host or '')
    return int(encaje[1]) if encaje else 80


def puertos_escritos(texto):
    """Los puertos (≥ 1024, sin el de la lección) que escribe el código de un cliente: en sus URL o como números."""
    try:
        arbol = ast.parse(texto)
    except (SyntaxError, ValueError):
        return ()
    puertos = []
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Constant) and isinstance(nodo.value, str):
            puertos += [int(p) for p in re.findall(r':(\d{4,5})\b', nodo.value)]
        elif isinstance(nodo, ast.Constant) and type(nodo.value) is int:
            puertos.append(nodo.value)
    validos = [p for p in dict.fromkeys(puertos) if 1024 <= p <= 65535 and p != PUERTO_LECCION]
    return tuple(validos[:_MAX_PUERTOS])


def _es_json(datos):
    try:
        return isinstance(json.loads(datos), dict)
    except ValueError:
        return False


def _json(datos, estado=200):
    from werkzeug.wrappers import Response

    return Response(json.dumps(datos, ensure_ascii=False), estado, mimetype='application/json')


class Observador:
    """La caja de una entrega y los servicios de prueba de sus scripts; se cierra todo con ``cerrar``."""

    def __init__(self, entrada, referencia, aislada=True):
        self.entrada, self.referencia, self.aislada = entrada, referencia, aislada
        self._pila = ExitStack()
        self._servicios = {}   # archivo -> su ServicioDePrueba: cada script anota solo sus peticiones
        self._cajas, self._hechos, self._cerrojos, self._cerrojo = {}, {}, {}, threading.Lock()
        self.dichas = set()   # las causas de fallo ya explicadas (juicio.una_vez): cada una, un bloque
        try:
            self._abrir()
        except BaseException:
            self._pila.close()
            raise

    def _servicio_para(self, nombre):
        """Abre el servicio de prueba del script ``nombre``; devuelve dónde escucha (socket Unix o puerto)."""
        servicio = self._servicios[nombre] = ServicioDePrueba(self.referencia.respuesta_prueba,
                                                              self.referencia.variables)
        direccion = self.entrada.base / f'prueba-{len(self._servicios)}.sock' if self.aislada else puerto_libre()
        servidor = servicio.iniciar(f'unix://{direccion}' if self.aislada else direccion)
        self._pila.callback(servidor.server_close)
        self._pila.callback(servidor.shutdown)
        return direccion

    def servicio(self, nombre):
        """El :class:`ServicioDePrueba` del script ``nombre`` (sus peticiones y solo las suyas), ya terminado el script.

        Sin esperar al script, la prueba que mira primero sus peticiones no vería ninguna.
        """
        self.script(nombre)
        return self._servicios.get(nombre)

    def _abrir(self):
        # Todas las formas de ejecutar todos los archivos, en una sola caja: lo precargado
        # (scikit-learn, Flask, requests) se importa una vez por entrega.
        ordenes, claves, precargar = [], [], []
        for archivo in ARCHIVOS.values():
            if not self.entrada.existe(archivo.nombre):
                continue
            precargar += [m for m in archivo.precargar if m not in precargar]
            if archivo.importar:
                # Un puerto al azar y no el 9696: así se distingue el servidor de la sonda del que
                # el estudiante arranque al importar.
                propio = random.randint(20000, 29999) if self.aislada else puerto_libre()
                pedido = {'archivo': archivo.nombre, 'sondas': pedido_de_sondas(archivo),
                          'clientes': self.referencia.clientes, 'puerto': propio,
                          'fase': limites.FASE, 'funcion': limites.FUNCION}
                ordenes.append(Orden(('sonda',), servir=True, preferido=propio, pedido=pedido))
                claves.append(((archivo.nombre, 'importar'), propio))
            if archivo.script:
                servicio, otros = None, ()
                if archivo.usa_el_servicio:
                    servicio = self._servicio_para(archivo.nombre)
                    otros = puertos_escritos(self.entrada.texto(archivo.nombre))
                ordenes.append(Orden((archivo.nombre,), servir=archivo.sirve, servicio=servicio, otros_puertos=otros))
                claves.append(((archivo.nombre, 'script'), None))
        if not ordenes:
            return
        # Cada ejecución llega solo a su servicio de prueba: ninguna otra puede hacerle las
        # peticiones que califican al ejercicio 4.
        caja = self._pila.enter_context(Caja(self.entrada, ordenes, aislada=self.aislada, precargar=precargar))
        for (clave, propio), ejecucion in zip(claves, caja.ejecuciones):
            self._cajas[clave] = (ejecucion, propio)
            if clave[1] == 'importar':
                ejecucion.vigilar_puertos()
        for nombre, servicio in self._servicios.items():
            threading.Thread(target=self._formato, args=(servicio, ARCHIVOS[nombre].usa_el_servicio),
                             daemon=True).start()

    def _formato(self, servicio, nombre):
        """Pregunta a la app de ``nombre`` (importada por la sonda) su respuesta al cliente de la lección."""
        try:
            importacion = self.importado(nombre)
            if importacion is not None and importacion.url:
                respuesta = pedir('POST', f'{importacion.url}/predict', json=self.referencia.cliente_leccion)
                if respuesta.status_code == 200:
                    servicio.aprender_formato(leer_json(respuesta.text), self.referencia.probabilidad_leccion)
        except Exception:  # noqa: BLE001 — su app puede responder cualquier cosa: entonces, el formato de la lección
            pass
        finally:
            servicio.formato_listo.set()

    def _una_vez(self, clave, calcular):
        # Un cerrojo por clave: el servicio de prueba pregunta por la app de servicio1.py mientras una prueba
        # espera a que termine el script que le hace la petición.
        with self._cerrojo:
            cerrojo = self._cerrojos.setdefault(clave, threading.Lock())
        with cerrojo:
            if clave not in self._hechos:
                self._hechos[clave] = calcular()
            return self._hechos[clave]

    def importado(self, nombre):
        """El :class:`Importado` de ``nombre``, o None si no está en la entrega."""
        if (nombre, 'importar') not in self._cajas:
            return None

        def calcular():
            caja, propio = self._cajas[nombre, 'importar']
            informe = caja.informe()
            # Si la importación volvió, la sonda sirve en su puerto; si no, quizá sirva lo que
            # arrancó el estudiante al importar (la pasarela lleva a lo que escuche).
            puertos = caja.esperar_puerto(propio if informe and informe.get('app') is not None else None,
                                          limite=limites.ARRANQUE)
            return Importado(informe, caja.url if puertos else None, propio, puertos, caja.salida, caja.errores,
                             time.monotonic())
        return self._una_vez((nombre, 'importar'), calcular)

    def puertos_al_importar(self, nombre):
        """Los sockets (menos el de la sonda) en los que llegó a escuchar ``nombre`` importado, hasta ahora.

        Cualquiera cuenta como un servidor: TCP o UDP en cualquier puerto y dirección, o un
        socket Unix (:class:`pasarela.Escucha`; ``str()`` da el puerto o la ruta). Se vigilan
        desde que empieza la importación, durante las pruebas que le hacen peticiones, y al
        menos ``limites.VIGILANCIA`` segundos después de que la importación volviera; al final,
        una lectura más.
        """
        importacion = self.importado(nombre)
        caja, propio = self._cajas[nombre, 'importar']
        time.sleep(max(0.0, importacion.recibido + limites.VIGILANCIA - time.monotonic()))
        return sorted(e for e in caja.vistos | set(caja.escuchas()) if (e.tipo, e.donde) != ('tcp', propio))

    def depurador_en_algun_puerto(self, nombre):
        """Dónde responde el depurador de Werkzeug a ``python nombre``, en cualquiera de sus puertos TCP; o ''.

        La pasarela de siempre lleva a un solo puerto (el de la aplicación): una app limpia
        en el 5000 y el depurador en el 9696 pasaban. Aquí se visita cada puerto por una
        conexión dirigida (``pasarela.hacia_el_puerto_pedido``), con un plazo para todos.
        """
        if (nombre, 'script') not in self._cajas:
            return ''
        ejecucion, _ = self._cajas[nombre, 'script']
        if ejecucion.dirigida is None:
            return ''   # sin caja, solo se llega a su puerto (y eso ya lo mira juicio)
        puertos, fin = ejecucion.puertos(), time.monotonic() + _PLAZO_DEPURADOR
        if len(puertos) > _MAX_PUERTOS_DEPURADOR:
            return f'escucha en {len(puertos)} puertos: se revisan como mucho {_MAX_PUERTOS_DEPURADOR}'
        for puerto in puertos:
            for ruta, delata in URL_DEL_DEPURADOR:
                estado, texto = _pedir_en(ejecucion.dirigida, puerto, ruta, max(0.1, fin - time.monotonic()))
                if estado is None:
                    break   # ese puerto no habla HTTP (o no a tiempo): el siguiente
                if estado == 200 and all(d in texto.lower() for d in delata):
                    return f'el depurador de Werkzeug responde en el puerto {puerto} ({ruta.split("?")[0]})'
        return ''

    def script(self, nombre):
        """El :class:`Script` de ``nombre``, o None si no está en la entrega."""
        if (nombre, 'script') not in self._cajas:
            return None

        def calcular():
            caja, _ = self._cajas[nombre, 'script']
            if ARCHIVOS[nombre].sirve:
                puertos = caja.esperar_puerto(limite=limites.ARRANQUE)
                codigo = None if caja.vivo() else caja.esperar_fin(0)
                return Script(codigo, caja.url if puertos else None, puertos, caja.salida, caja.errores)
            codigo = caja.esperar_fin(limites.FASE)
            return Script(codigo, None, [], caja.salida, caja.errores)
        return self._una_vez((nombre, 'script'), calcular)

    def cerrar(self):
        self._pila.close()
