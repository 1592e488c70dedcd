"""Un script o un servidor en segundo plano, con su salida guardada y su 9696 desviado a un puerto libre.

    from abandono.cuadernos import procesos

    tuyo = procesos.ejecutar_script('mi_trabajo/servicio1.py')   # como «python mi_trabajo/servicio1.py»
    tuyo.url             # donde escucha de verdad (None si terminó sin servir)
    print(tuyo.salida())
    tuyo.parar()

El script escribe el 9696 como la lección (``app.run(..., port=9696)``,
``'http://localhost:9696/predict'``) y ``abandono/redireccion.py`` lo lleva, solo
dentro de su proceso, a un puerto libre: el 9696 de la computadora no se ocupa.
"""
import atexit
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from abandono.lanzador import GRUPO_PROPIO, PUERTO_LECCION, RAIZ, escucha, parar, puerto_libre


class Proceso:
    """Un programa en marcha en segundo plano cuya salida (stdout y stderr) se guarda.

    Está listo cuando ``puerto`` acepta conexiones (no hace falta que tenga /salud).
    """

    def __init__(self, comando, puerto, espera=30.0, puede_terminar=False, nombre=None):
        self.comando = [str(p) for p in comando]
        self.nombre = nombre or ' '.join(self.comando)
        self.puerto = puerto
        self.url = f'http://127.0.0.1:{puerto}'
        # Si terminó solo sin abrir el puerto (y puede_terminar): True, y su código de salida.
        self.termino, self.codigo = False, None
        self._archivo = tempfile.TemporaryFile()
        self._proceso = subprocess.Popen(
            self.comando, cwd=RAIZ, env={**os.environ, 'PYTHONUNBUFFERED': '1'},
            stdin=subprocess.DEVNULL, stdout=self._archivo, stderr=subprocess.STDOUT, **GRUPO_PROPIO)
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
            escrito = self.salida().strip()
            return (f'{self.nombre} terminó sin quedarse sirviendo (¿falta app.run al final, el último paso '
                    f'del ejercicio 3?). ' + (f'Esto es lo que escribió:\n{escrito}' if escrito else 'No escribió nada.'))
        return (f'{self.nombre} se detuvo con un error (código {self.codigo}) antes de quedarse sirviendo:\n'
                f'{error_de_python(self.salida(), self.nombre)}')

    def parar(self):
        parar(self._proceso)
        atexit.unregister(self.parar)   # si no, cada servidor parado seguiría vivo hasta cerrar el kernel

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


def arrancar(comando, puerto):
    """Arranca ``comando`` desde la raíz del taller y espera a que escuche en ``puerto``."""
    return Proceso(comando, puerto)


def _redirigido(ruta, puerto):
    """``python ruta`` con su puerto 9696 desviado a ``puerto`` (abandono/redireccion.py)."""
    return [sys.executable, '-m', 'abandono.redireccion', '--puerto', f'{PUERTO_LECCION}={puerto}', '--', ruta]


def ejecutar_script(ruta):
    """``python ruta`` en segundo plano desde la raíz del taller, con su 9696 en un puerto libre.

    Vale para los dos momentos de un ejercicio: si imprime y termina (``termino`` es
    True, también con un error o si el archivo no existe: su salida lo cuenta) o si se
    queda sirviendo (espera a que escuche en ``.puerto``).
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
