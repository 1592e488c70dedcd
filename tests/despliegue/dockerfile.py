"""Leer el Dockerfile del taller: sus instrucciones, su orden de arranque y lo que copia a la imagen.

Las pruebas arrancan lo que dice el Dockerfile (no una copia suya), así que un
cambio en él no puede dejar atrás a las pruebas.
"""
import json
import re
import shutil
from pathlib import Path

from abandono.lanzador import RAIZ

DOCKERFILE = (RAIZ / 'Dockerfile').read_text()


def instrucciones(nombre, texto=DOCKERFILE):
    """Los argumentos de cada instrucción ``nombre`` (las líneas con «\\» unidas)."""
    texto = re.sub(r'\\\n\s*', '', texto)
    return [linea[len(nombre) + 1:] for linea in texto.splitlines() if linea.startswith(nombre + ' ')]


def etapa_final():
    """El texto de la última etapa: la que sirve."""
    return 'FROM ' + DOCKERFILE.split('\nFROM ')[-1]


def arranque():
    """ENTRYPOINT + CMD de la etapa final, tal como los ejecuta el motor de contenedores."""
    final = etapa_final()
    return [*json.loads(instrucciones('ENTRYPOINT', final)[-1]), *json.loads(instrucciones('CMD', final)[-1])]


def base():
    """La imagen de la que parte la etapa final (FROM), sin alias."""
    return instrucciones('FROM', etapa_final())[-1].split()[0]


def copiar_lo_que_copia_la_imagen(destino):
    """Copia a ``destino`` lo que la etapa final pone en su WORKDIR (el modelo, de esta carpeta)."""
    for argumentos in instrucciones('COPY', etapa_final()):
        *origenes, hacia = [a for a in argumentos.split() if not a.startswith('--')]
        carpeta = destino / hacia  # todas terminan en «/»: una carpeta
        carpeta.mkdir(parents=True, exist_ok=True)
        for origen in origenes:
            # Lo que viene de la etapa que entrena es el modelo de esta carpeta.
            fuente = RAIZ / Path(origen).name if argumentos.startswith('--from=') else RAIZ / origen
            if fuente.is_dir():  # COPY carpeta/ destino/ copia lo de dentro
                shutil.copytree(fuente, carpeta, ignore=shutil.ignore_patterns('__pycache__'), dirs_exist_ok=True)
            else:
                shutil.copy2(fuente, carpeta / fuente.name)
