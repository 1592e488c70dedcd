"""Los ejercicios de la lección, declarados en una sola tabla.

``ARCHIVOS`` dice cómo se ejecuta cada archivo de una entrega (una caja por
entrega; cada forma en su propio proceso y su propia red, todas a la vez):

- ``importar``: la sonda lo importa como módulo, hace sus ``sondas`` y sirve su
  aplicación Flask con un servidor WSGI (como ``gunicorn archivo:app``);
- ``script``: ``python mi_trabajo/archivo`` desde la carpeta del modelo, como
  el estudiante en el taller; si ``sirve``, el calificador espera a que escuche
  en algún puerto y le habla por la pasarela; si ``usa_el_servicio``,
  ``localhost:9696`` lleva al servicio de prueba del calificador, que responde
  con el formato de la aplicación de ese archivo (el ejercicio 3 para el 4).

Dónde corren: en el taller el estudiante ejecuta sus scripts desde la raíz,
``python mi_trabajo/servicio1.py``, y abre el modelo como la lección,
``open('modelo_trabajo.bin', 'rb')``: relativo a la carpeta de trabajo, la raíz,
donde está el modelo. La caja lo repite: el modelo en su carpeta de trabajo y
la entrega en ``CARPETA_DE_TRABAJO``, debajo. Lo que funciona en un sitio
funciona en el otro (y ``Path(__file__).parent / 'modelo_trabajo.bin'`` falla en los dos).

Las sondas dicen qué prueba la sonda de un archivo importado, sin tocar sonda.py:

- ``Cargados()``: las variables del módulo que son un ``DictVectorizer`` y un
  clasificador, aplicadas a los clientes de la calificación;
- ``Llamada(funcion, argumentos)``: llama a la función del estudiante; cada
  argumento es ``'cliente'`` (uno por cliente de la calificación: una llamada
  por cliente), ``'dv'`` o ``'modelo'`` (los de la calificación), o un valor
  JSON que se pasa tal cual.

``EJERCICIOS`` da, para cada ejercicio, su archivo y los puntos de cada
comprobación: la prueba ``test_<nombre>`` de ``tests/ejercicios/test_ejercicio<n>.py``.
El complemento de pytest pone los puntos a partir de esta tabla y se niega a
calificar si una prueba no está en ella o una entrada no tiene prueba.

Añadir un ejercicio: una entrada en ``EJERCICIOS`` (y en ``ARCHIVOS`` si es un
archivo nuevo, con su respuesta en ``solutions/``), el archivo de pruebas
``tests/ejercicios/test_ejercicio<n>.py`` y ``make ejercicios``. Nada más: las
muestras, los totales de las pruebas y el orden de ``exercises/LEEME.md`` salen
de esta tabla (``tests/calificador/test_quinto_ejercicio.py`` añade uno así).
"""
from dataclasses import asdict, dataclass


CARPETA_DE_TRABAJO = 'mi_trabajo'   # la del estudiante, debajo de la carpeta del modelo


@dataclass(frozen=True)
class Cargados:
    """El DictVectorizer y el modelo que el módulo deja cargados en sus variables."""
    clave = 'cargados'


@dataclass(frozen=True)
class Llamada:
    """Una función del estudiante que la sonda llama; el informe la guarda con su nombre."""
    funcion: str
    argumentos: tuple = ()

    @property
    def clave(self):
        return self.funcion


@dataclass(frozen=True)
class Archivo:
    nombre: str
    importar: bool = True
    script: bool = True
    sirve: bool = True               # su script acaba sirviendo una aplicación
    usa_el_servicio: str = ''        # su script llama a http://localhost:9696/predict: la app de ese archivo
    sondas: tuple = ()               # lo que prueba la sonda al importarlo (Cargados, Llamada)
    precargar: tuple = ()            # lo que la caja importa una vez para todas las ejecuciones


@dataclass(frozen=True)
class Ejercicio:
    numero: int
    titulo: str
    archivo: str
    puntos: dict                     # comprobación -> puntos


ARCHIVOS = {a.nombre: a for a in (
    # 'modelo': abrir el modelo de la calificación, que importa scikit-learn (unos 2 s de CPU).
    Archivo('servicio1.py', sondas=(Cargados(), Llamada('predict_cliente', ('cliente', 'dv', 'modelo'))),
            precargar=('modelo', 'flask')),
    Archivo('flask_test.py', sondas=(Llamada('hola'),), precargar=('flask',)),
    Archivo('probar_servicio.py', importar=False, sirve=False, usa_el_servicio='servicio1.py', precargar=('requests',)),
)}

EJERCICIOS = {e.numero: e for e in (
    Ejercicio(1, 'servicio1.py como script', 'servicio1.py',
              {'carga_dv_y_modelo': 1, 'predict_cliente': 2, 'imprime_la_probabilidad': 1}),
    Ejercicio(2, 'flask_test.py: hola en una ruta', 'flask_test.py',
              {'funcion_hola': 1, 'ruta_responde_hola': 1, 'script_sirve_sin_depurador': 1}),
    Ejercicio(3, 'servicio1.py: la aplicación Abandono', 'servicio1.py',
              {'app_se_llama_abandono': 1, 'importar_no_arranca_el_servidor': 1,
               'predict_del_cliente_de_la_leccion': 1, 'predict_muchos_clientes': 2,
               'script_sirve_sin_depurador': 1}),
    Ejercicio(4, 'probar el servicio con requests', 'probar_servicio.py',
              {'envia_el_cliente_por_post': 2, 'muestra_la_respuesta': 1}),
)}


def pedido_de_sondas(archivo):
    """Las sondas de ``archivo`` como las lee la sonda (JSON): [{'tipo', 'clave', ...}]."""
    return [{'tipo': type(s).__name__, 'clave': s.clave, **asdict(s)} for s in archivo.sondas]
