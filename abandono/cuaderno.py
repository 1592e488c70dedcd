"""Ayudas de los cuadernos de notebooks/: el servicio, tu código, procesos con su salida y tiempos.

En los cuadernos:

    from abandono import cuaderno
    servicio = cuaderno.servicio(URL_SERVICIO)        # el servicio del taller: lo busca o lo arranca
    carpeta = cuaderno.carpeta(CARPETA)               # tu carpeta (o solutions/ con None)
    tuyo = cuaderno.ejecutar_script(carpeta / 'servicio1.py')   # con su 9696 desviado a un puerto libre
    ...
    servicio.parar()                                  # solo para lo que arrancó

Para volver a ejecutar los cuadernos y guardar sus salidas (instructores), o para
leerlos sin Jupyter:

    python -m abandono.cuaderno --ejecutar            # todos
    python -m abandono.cuaderno --ejecutar 06 07      # los que empiezan así
    python -m abandono.cuaderno --html html           # html/index.html y una página por cuaderno
"""
import atexit
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from abandono.ayuda import analizador
from abandono.cronometro import por_llamada as medir  # noqa: F401  (el cuaderno 02 mide con cuaderno.medir)
from abandono.lanzador import PUERTO_LECCION, RAIZ, escucha, orden_servicio, parar, puerto_libre

CUADERNOS = RAIZ / 'notebooks'
SOLUCIONES = RAIZ / 'solutions'
# Si está definida, los cuadernos usan el servicio de esta URL (la usan las pruebas
# y ``--ejecutar``, que arrancan un servicio y lo comparten entre cuadernos).
VARIABLE_URL = 'ABANDONO_URL'

# La primera celda de código de cada cuaderno. Corre antes de que el paquete abandono
# exista (en Colab aún no se ha traído el taller), así que cada cuaderno lleva una copia;
# esta es la única que se edita: ``--ejecutar`` la copia y una prueba comprueba que coinciden.
CELDA_COLAB = """\
# Preparación. En Colab trae el taller e instala las versiones fijadas (si Colab pide
# reiniciar el entorno, hazlo y vuelve a ejecutar). En tu computadora solo se sitúa en el taller.
import os
import sys
from pathlib import Path

# Solo en Colab: la dirección git de tu copia del taller (te la da quien imparte el curso),
# o deja '' y sube la carpeta del taller a /content/taller desde el panel de archivos.
REPOSITORIO = ''
if 'google.colab' in sys.modules and not Path('abandono').is_dir():
    if not Path('/content/taller').is_dir():
        if not REPOSITORIO:
            raise SystemExit('Falta el taller: pon en REPOSITORIO la dirección git de tu copia '
                             'o sube la carpeta del taller a /content/taller.')
        !git clone --quiet --depth 1 {REPOSITORIO} /content/taller
    %cd /content/taller
    %pip install --quiet -r requirements/entrenamiento.txt
    if not Path('modelo_trabajo.bin').exists():
        !python -m abandono.entrenamiento

# Trabajamos desde la raíz del taller (la carpeta que contiene abandono/), se abra desde donde se abra.
RAIZ = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / 'abandono').is_dir())
os.chdir(RAIZ)
if str(RAIZ) not in sys.path:
    sys.path.insert(0, str(RAIZ))"""


def salud(url, espera=1.0):
    """La respuesta de ``GET url/salud`` si es el servicio de abandono; si no, None."""
    try:
        with urllib.request.urlopen(f'{url}/salud', timeout=espera) as r:
            datos = json.load(r)
    except (OSError, ValueError):
        return None
    return datos if isinstance(datos, dict) and datos.get('estado') == 'ok' else None


class Proceso:
    """Un programa en marcha en segundo plano cuya salida (stdout y stderr) se guarda.

    Está listo cuando ``puerto`` acepta conexiones (no hace falta que tenga /salud).
    """

    def __init__(self, orden, puerto, espera=30.0, puede_terminar=False, nombre=None):
        self.orden = [str(p) for p in orden]
        self.nombre = nombre or ' '.join(self.orden)
        self.puerto = puerto
        self.url = f'http://127.0.0.1:{puerto}'
        # Si terminó solo sin abrir el puerto (y puede_terminar): True, y su código de salida.
        self.termino, self.codigo = False, None
        self._archivo = tempfile.TemporaryFile()
        self._proceso = subprocess.Popen(
            self.orden, cwd=RAIZ, env={**os.environ, 'PYTHONUNBUFFERED': '1'},
            stdin=subprocess.DEVNULL, stdout=self._archivo, stderr=subprocess.STDOUT,
            start_new_session=True)
        atexit.register(self.parar)  # si el cuaderno se interrumpe, no queda nada suelto
        limite = time.monotonic() + espera
        while not escucha(puerto):
            codigo = self._proceso.poll()
            if codigo is not None and puede_terminar:
                self.termino, self.codigo, self.url = True, codigo, None
                break
            if codigo is not None:
                raise RuntimeError(f'{self.nombre} terminó (código {codigo}) antes de quedarse '
                                   f'sirviendo. Esto es lo que escribió:\n{self.salida()}')
            if time.monotonic() > limite:
                self.parar()
                raise RuntimeError(f'{self.nombre} no empezó a escuchar en {espera:.0f} s. '
                                   f'Esto es lo que escribió:\n{self.salida()}')
            time.sleep(0.05)

    def esperar_texto(self, texto, veces=1, espera=15.0):
        """Espera a que la salida contenga ``texto`` al menos ``veces`` veces."""
        limite = time.monotonic() + espera
        while self.salida(espera=0).count(texto) < veces:
            if self._proceso.poll() is not None:
                raise RuntimeError(f'{self.nombre} terminó sin escribir {texto!r}. '
                                   f'Esto es lo que escribió:\n{self.salida()}')
            if time.monotonic() > limite:
                raise RuntimeError(f'{self.nombre} no escribió {texto!r}:\n{self.salida()}')
            time.sleep(0.05)

    def salida(self, espera=0.3):
        """Lo que el programa ha escrito hasta ahora (espera un poco a que termine de escribir)."""
        anterior, limite = None, time.monotonic() + 3 * espera
        while True:
            self._archivo.seek(0)
            texto = self._archivo.read().decode(errors='replace')
            if texto == anterior or time.monotonic() >= limite:
                return texto
            anterior = texto
            time.sleep(espera / 3)

    def final(self):
        """Por qué terminó sin quedarse sirviendo: sin error (falta app.run) o con el suyo."""
        if self.codigo == 0:
            return (f'{self.nombre} terminó sin quedarse sirviendo (¿falta el ejercicio 3, app.run al final?). '
                    f'Esto es lo que escribió:\n{self.salida()}')
        return (f'{self.nombre} se detuvo con un error (código {self.codigo}) antes de quedarse sirviendo:\n'
                f'{error_de_python(self.salida(), self.nombre)}')

    def parar(self):
        parar(self._proceso)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.parar()


_MARCO = re.compile(r'\s*File "(.+)", line \d+')


def error_de_python(salida, archivo):
    """El último error de Python de ``salida`` con solo los marcos de ``archivo`` (sin los de Flask o runpy).

    Un servicio escribe la traza de un 500 en su salida, entre las líneas de registro; aquí
    queda lo que el estudiante puede arreglar: sus líneas y la excepción.
    """
    lineas = salida.splitlines()
    inicio = max((i for i, l in enumerate(lineas) if l.startswith('Traceback (most recent call last)')), default=None)
    if inicio is None:   # un SyntaxError no trae «Traceback»: su salida ya es corta
        return '\n'.join(lineas[-8:])
    propias, interno = [lineas[inicio]], False
    for linea in lineas[inicio + 1:]:
        if marco := _MARCO.match(linea):
            interno = Path(marco[1]).name != archivo
        elif not linea.startswith(' '):
            propias.append(linea)   # la excepción: aquí termina la traza
            break
        if not interno:
            propias.append(linea)
    return '\n'.join(propias)


def arrancar(orden, puerto):
    """Arranca ``orden`` desde la raíz del taller y espera a que escuche en ``puerto``."""
    return Proceso(orden, puerto)


def carpeta(nombre=None):
    """La carpeta cuyos scripts ejecutan los cuadernos 04 a 07, y dice cuál es.

    ``None`` es la solución de referencia (``solutions/``); si no, tu carpeta, con la
    ruta relativa a la raíz del taller (``'mi_trabajo'``, la que crea ``make empezar``).
    """
    if nombre is None:
        print('CARPETA = None: se ejecuta la solución de referencia, solutions/.')
        return SOLUCIONES
    ruta = (RAIZ / nombre).resolve()
    if not ruta.is_dir():
        raise FileNotFoundError(f'No existe la carpeta {ruta}. Créala con «make empezar» '
                                '(copia exercises/ en mi_trabajo/) o corrige CARPETA.')
    print(f'CARPETA = {nombre!r}: se ejecuta tu código, {ruta}.')
    return ruta


def _redirigido(ruta, puerto):
    """``python ruta`` con su puerto 9696 desviado a ``puerto`` (abandono/redireccion.py)."""
    return [sys.executable, '-m', 'abandono.redireccion', '--puerto', f'{PUERTO_LECCION}={puerto}', '--', ruta]


def ejecutar_script(ruta):
    """``python ruta`` en segundo plano desde la raíz del taller, con su 9696 en un puerto libre.

    El script escribe el 9696 como la lección y escucha de verdad en ``.puerto``, sin
    ocupar el 9696 de la computadora. Vale para los dos momentos de un ejercicio: si
    imprime y termina (``termino`` es True, también con un error: su salida lo cuenta) o si
    se queda sirviendo (espera a que escuche).
    """
    puerto = puerto_libre()
    return Proceso(_redirigido(ruta, puerto), puerto, puede_terminar=True, nombre=Path(ruta).name)


def probar(ruta, puerto, espera=60):
    """``python ruta`` hasta que termine, con su 9696 desviado a ``puerto``; su salida, junta."""
    try:
        resultado = subprocess.run(_redirigido(ruta, puerto), cwd=RAIZ, capture_output=True, text=True,
                                   timeout=espera, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f'{Path(ruta).name} no terminó en {espera} s (¿una petición sin respuesta?).\n'
    return resultado.stdout + resultado.stderr


def _probabilidad(datos):
    """La probabilidad en la respuesta de un ``/predict``, se llame como se llame su clave.

    La lección no fija el nombre: vale la clave que contenga «prob» o, si no hay, el primer decimal.
    """
    if isinstance(datos, dict):
        decimales = {clave: valor for clave, valor in datos.items() if isinstance(valor, float)}
        datos = next((v for k, v in decimales.items() if 'prob' in k.lower()), next(iter(decimales.values()), None))
    return datos if isinstance(datos, float) else None


def comparar(clientes, referencia, tuyo):
    """Tabla con la probabilidad de cada cliente según la referencia y según tu servicio.

    ``referencia`` es la URL base del servicio del taller (sin /predict) y ``tuyo`` el
    :class:`Proceso` de tu servicio (``ejecutar_script``). Si tu servicio respondió un 500,
    debajo de la tabla se muestra su error, como lo escribió él.
    """
    import pandas as pd
    import requests

    filas = []
    for cliente in clientes:
        fila = {'customerid': cliente.get('customerid')}
        for columna, url in [('referencia', referencia), ('tuyo', tuyo.url)]:
            if url is None:
                fila[columna] = 'no sirve'
                continue
            try:
                respuesta = requests.post(f'{url}/predict', json=cliente, timeout=10)
                valor = _probabilidad(respuesta.json()) if respuesta.ok else f'error {respuesta.status_code}'
            except (requests.RequestException, ValueError) as error:
                valor = f'sin respuesta JSON ({type(error).__name__})'
            fila[columna] = 'sin probabilidad' if valor is None else valor
        iguales = all(isinstance(fila[c], float) for c in ('referencia', 'tuyo'))
        fila['¿igual?'] = 'sí' if iguales and abs(fila['referencia'] - fila['tuyo']) < 1e-6 else 'NO'
        filas.append(fila)
    if any(f['tuyo'] == 'error 500' for f in filas):
        print(f'Tu servicio respondió «error 500». Esto escribió al fallar:\n{error_de_python(tuyo.salida(), tuyo.nombre)}\n')
    return pd.DataFrame(filas)


class Servicio:
    """El servicio de abandono que usa un cuaderno; ``parar()`` solo para el que arrancó él."""

    def __init__(self, url, proceso=None):
        self.url = url.rstrip('/')
        self.proceso = proceso

    def parar(self):
        if self.proceso is not None:
            self.proceso.parar()

    def __repr__(self):
        return f'Servicio({self.url!r})'


def _escucha(url):
    partes = urllib.parse.urlsplit(url)
    return escucha(partes.port or 80, partes.hostname or '127.0.0.1')


def servicio(url=None):
    """El servicio del taller que usa el cuaderno; dice cuál es y de dónde sale.

    ``url`` (el parámetro ``URL_SERVICIO``) es la dirección base, sin ``/predict``. Sin
    ella: la variable de entorno ``ABANDONO_URL``, el servicio del taller en
    ``http://localhost:9696`` (``make servicio``) o, si no está, el ``servicio1.py`` de la
    raíz arrancado en un puerto libre. Un programa en el 9696 que no es el servicio del
    taller (tu servicio1.py, por ejemplo) no se confunde con él.
    """
    url = (url or os.environ.get(VARIABLE_URL) or '').rstrip('/')
    if url.endswith('/predict'):
        raise ValueError(f'URL_SERVICIO es la dirección base del servicio, sin /predict: '
                         f'{url.removesuffix("/predict")!r}')
    if url:
        if salud(url, espera=5.0) is not None:
            print(f'Servicio: el del taller en {url}.')
        elif _escucha(url):
            print(f'Servicio: {url}. No tiene GET /salud, así que no es el servicio del taller '
                  '(puede ser el tuyo); lo uso igualmente.')
        else:
            raise RuntimeError(f'Nadie responde en {url}: arranca allí el servicio o deja URL_SERVICIO = None.')
        return Servicio(url)
    local = f'http://localhost:{PUERTO_LECCION}'
    if salud(local) is not None:
        print(f'Servicio: el del taller que ya estaba en marcha en {local}.')
        return Servicio(local)
    otro = (f'En {local} escucha otro programa que no es el servicio del taller (¿tu servicio1.py?). '
            if escucha(PUERTO_LECCION) else '')
    puerto = puerto_libre()
    proceso = arrancar(orden_servicio('desarrollo', puerto), puerto)
    print(f'{otro}Servicio: arranco el servicio1.py de la raíz del taller en {proceso.url}; '
          'el cuaderno lo para al final.')
    return Servicio(proceso.url, proceso)


def _cuadernos(prefijos=()):
    todos = sorted(CUADERNOS.glob('[0-9][0-9]_*.ipynb'))
    if not prefijos:
        return todos
    return [c for c in todos if any(c.name.startswith(p) for p in prefijos)]


def ejecutar(cuadernos, url):
    """Ejecuta cada cuaderno en su sitio (desde notebooks/, como Jupyter) y guarda sus salidas."""
    import nbformat
    from nbclient import NotebookClient

    os.environ[VARIABLE_URL] = url
    for ruta in cuadernos:
        inicio = time.monotonic()
        nb = nbformat.read(ruta, as_version=4)
        next(c for c in nb.cells if c.cell_type == 'code').source = CELDA_COLAB
        NotebookClient(nb, kernel_name='python3', timeout=300,
                       resources={'metadata': {'path': str(CUADERNOS)}}).execute()
        for celda in nb.cells:
            celda.metadata.pop('execution', None)  # marcas de tiempo: solo ensucian el diff
        nbformat.write(nb, ruta)
        print(f'{ruta.relative_to(RAIZ)}: {time.monotonic() - inicio:.1f} s')


def exportar_html(destino, cuadernos):
    """Cada cuaderno, con sus salidas guardadas, como página web, y un índice que los enlaza."""
    import html
    import re

    import nbformat
    from nbconvert import HTMLExporter

    destino = Path(destino)
    destino.mkdir(parents=True, exist_ok=True)
    exportador = HTMLExporter()
    enlaces = []
    for ruta in cuadernos:
        nb = nbformat.read(ruta, as_version=4)
        pagina, _ = exportador.from_notebook_node(nb)  # no ejecuta nada: usa lo guardado
        (destino / f'{ruta.stem}.html').write_text(pagina, encoding='utf-8')
        titulo = html.escape(nb.cells[0].source.splitlines()[0].lstrip('# '))
        titulo = re.sub(r'`([^`]+)`', r'<code>\1</code>', titulo)
        enlaces.append(f'    <li><a href="{ruta.stem}.html">{titulo}</a></li>')
    (destino / 'index.html').write_text(_INDICE.format(enlaces='\n'.join(enlaces)), encoding='utf-8')
    return destino / 'index.html'


_INDICE = """<!DOCTYPE html>
<html lang="es">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Taller: desplegar el modelo de abandono de clientes</title>
  <style>body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }}</style>
</head>
<body>
  <h1>Taller: desplegar el modelo de abandono de clientes</h1>
  <p>Los cuadernos de la lección, en orden y con las salidas que dieron al ejecutarse. Se leen sin
  Jupyter; para ejecutarlos tú, <code>make jupyter</code>.</p>
  <ul>
{enlaces}
  </ul>
</body>
</html>
"""


def main(argv=None):
    parser = analizador(description='Vuelve a ejecutar los cuadernos o los exporta a HTML.')
    parser.add_argument('--ejecutar', nargs='*', metavar='PREFIJO',
                        help='ejecuta los cuadernos (todos, o los que empiezan por PREFIJO)')
    parser.add_argument('--html', metavar='CARPETA',
                        help='escribe cada cuaderno con sus salidas guardadas como HTML, con un index.html')
    args = parser.parse_args(argv)
    if args.html:
        print(f'Abre {exportar_html(args.html, _cuadernos())} en el navegador.')
        return 0
    if args.ejecutar is None:
        parser.print_help()
        return 0
    cuadernos = _cuadernos(args.ejecutar)
    if not cuadernos:
        parser.error('ningún cuaderno coincide')
    puerto = puerto_libre()
    with arrancar(orden_servicio('desarrollo', puerto), puerto) as proceso:
        ejecutar(cuadernos, proceso.url)
    return 0


if __name__ == '__main__':
    sys.exit(main())
