"""Lo que el calificador observa de una entrega, desde fuera de su caja.

``Observador`` abre, en cuanto se crea, la caja de la entrega, con una
ejecución por cada forma de ejecutar cada archivo de ``ejercicios.ARCHIVOS``
(importado por la sonda, como script; todas a la vez), y el servicio de prueba
del ejercicio 4. Las pruebas piden después lo
que necesitan (``importado``, ``script``) y esperan solo a eso.

Todo lo que sale de aquí lo ve el calificador por sí mismo: respuestas HTTP
que recibe él, salidas por tuberías suyas, puertos que lee del núcleo y
peticiones que llegan a su servicio de prueba. El informe de la sonda solo se
usa donde hay que hacer el trabajo para acertar (probabilidades de clientes
nuevos con un modelo nuevo) o para dar pistas.
"""
import json
import random
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field

from abandono.calificador import limites
from abandono.calificador.caja import Caja, Orden
from abandono.calificador.ejercicios import ARCHIVOS
from abandono.lanzador import puerto_libre


@dataclass
class Importado:
    """El archivo importado por la sonda y su aplicación servida por el calificador."""
    informe: dict | None     # None: la sonda no llegó a informar (se colgó o murió al importar)
    url: str | None          # la pasarela a la aplicación, si algo escucha
    puerto_propio: int       # donde sirve la sonda la aplicación importada
    puertos: list            # los que escuchan en la caja (del núcleo)
    salida: str
    errores: str


@dataclass
class Script:
    """``python archivo`` como lo ejecuta el estudiante."""
    codigo: int | None       # código de salida; None si sigue en marcha (sirviendo) o no terminó
    url: str | None          # la pasarela a lo que escucha, si escucha algo
    puertos: list
    salida: str
    errores: str


_MAX_CUERPO = 64 * 1024
_MAX_PETICIONES = 20


@dataclass
class ServicioDePrueba:
    """El /predict del calificador para el ejercicio 4: responde ``probabilidad`` y anota cada petición."""
    probabilidad: float
    peticiones: list = field(default_factory=list)

    def aplicacion(self):
        from werkzeug.wrappers import Request

        @Request.application
        def aplicacion(peticion):
            # Con tope: un script que manda cuerpos enormes o miles de peticiones no llena la
            # memoria del calificador (un cliente son unos 700 bytes; el ejercicio pide una petición).
            if len(self.peticiones) >= _MAX_PETICIONES:
                return _json({'error': f'Demasiadas peticiones: el ejercicio pide una (se anotan {_MAX_PETICIONES})'}, 429)
            peticion.max_content_length = _MAX_CUERPO   # más grande: 413, sin leerlo
            cuerpo = peticion.get_json(silent=True)
            datos = peticion.get_data(cache=True)
            self.peticiones.append({'metodo': peticion.method, 'ruta': peticion.path,
                                    'tipo': peticion.mimetype, 'json': cuerpo, 'bytes': len(datos),
                                    'formulario': bool(peticion.form),
                                    # data=json.dumps(cliente): JSON sin la cabecera que lo dice
                                    'json_sin_tipo': cuerpo is None and _es_json(datos)})
            if peticion.path != '/predict':
                return _json({'error': f'No existe la ruta {peticion.path}; el servicio responde en /predict'}, 404)
            if peticion.method != 'POST':
                return _json({'error': f'Método {peticion.method} no permitido: usa POST'}, 405)
            if not isinstance(cuerpo, dict):
                return _json({'error': 'El cliente debe llegar en JSON (requests.post(url, json=cliente))'}, 400)
            return _json({'probabilidad_abandono': self.probabilidad, 'abandono': self.probabilidad >= 0.5})

        return aplicacion

    def iniciar(self, direccion):
        """Sirve en ``direccion`` (``unix:///ruta`` o un puerto de 127.0.0.1) en un hilo; devuelve el servidor."""
        from werkzeug.serving import make_server

        if isinstance(direccion, int):
            servidor = make_server('127.0.0.1', direccion, self.aplicacion(), threaded=True)
        else:
            servidor = make_server(direccion, 0, self.aplicacion(), threaded=True)
        threading.Thread(target=servidor.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        return servidor


def _es_json(datos):
    try:
        return isinstance(json.loads(datos), dict)
    except ValueError:
        return False


def _json(datos, estado=200):
    from werkzeug.wrappers import Response

    return Response(json.dumps(datos, ensure_ascii=False), estado, mimetype='application/json')


class Observador:
    """La caja de una entrega y su servicio de prueba; se cierra todo con ``cerrar``."""

    def __init__(self, entrada, referencia, aislada=True):
        self.entrada, self.referencia, self.aislada = entrada, referencia, aislada
        self._pila = ExitStack()
        self.servicio = ServicioDePrueba(referencia.respuesta_prueba)
        self._cajas, self._hechos, self._cerrojo = {}, {}, threading.Lock()
        self.dichas = set()   # las causas de fallo ya explicadas (juicio.una_vez): cada una, un bloque
        try:
            self._abrir()
        except BaseException:
            self._pila.close()
            raise

    def _abrir(self):
        enchufe = puerto_prueba = None
        if any(a.usa_el_servicio for a in ARCHIVOS.values()):
            if self.aislada:
                enchufe = self.entrada.base / 'prueba.sock'
                servidor = self.servicio.iniciar(f'unix://{enchufe}')
            else:
                puerto_prueba = puerto_libre()
                servidor = self.servicio.iniciar(puerto_prueba)
            self._pila.callback(servidor.shutdown)
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
                pedido = {'archivo': archivo.nombre, 'funciones': list(archivo.funciones),
                          'clientes': self.referencia.clientes, 'puerto': propio,
                          'fase': limites.FASE, 'funcion': limites.FUNCION}
                ordenes.append(Orden(('sonda',), servir=True, preferido=propio, pedido=pedido))
                claves.append(((archivo.nombre, 'importar'), propio))
            if archivo.script:
                ordenes.append(Orden((archivo.nombre,), servir=archivo.sirve,
                                     usa_el_servicio=archivo.usa_el_servicio))
                claves.append(((archivo.nombre, 'script'), None))
        if not ordenes:
            return
        # Solo las ejecuciones que usan el servicio de prueba llegan a él: ninguna otra puede
        # hacerle las peticiones que califican al ejercicio 4.
        caja = self._pila.enter_context(Caja(self.entrada, ordenes, aislada=self.aislada, enchufe=enchufe,
                                             puerto_prueba=puerto_prueba, precargar=precargar))
        for (clave, propio), ejecucion in zip(claves, caja.ejecuciones):
            self._cajas[clave] = (ejecucion, propio)

    def _una_vez(self, clave, calcular):
        with self._cerrojo:
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
            return Importado(informe, caja.url if puertos else None, propio, puertos, caja.salida, caja.errores)
        return self._una_vez((nombre, 'importar'), calcular)

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
