"""Construir la imagen del Dockerfile de verdad, aquí y en CI, con caché entre ejecuciones.

El motor es podman (de Debian, requirements/debian.txt) o docker si responde.
Sin red hacia un registro de imágenes no hay ``python:…-slim``: si la base del
FROM no está, se hace una equivalente con mmdebstrap a partir de los paquetes de
Debian (python, pip, python-is-python3, sin EXTERNALLY-MANAGED) y se etiqueta
con el nombre del FROM. pip, dentro de la construcción, usa la configuración y
los certificados de esta máquina por montajes de solo lectura, que no quedan en
ninguna capa. La base y la imagen se guardan con una clave: el resumen de lo
que las produce. Con la misma clave, no se vuelven a construir.
"""
import hashlib
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

from abandono.lanzador import RAIZ
from dockerfile import base

ETIQUETA = 'localhost/abandono-prueba'
# La base sustituta: lo que trae python:…-slim y usa el Dockerfile (pip, useradd).
PAQUETES_BASE = ['python3', 'python3-pip', 'python-is-python3', 'python3-venv', 'passwd', 'ca-certificates']
RECETA_BASE = ['--variant=apt', '--include=' + ','.join(PAQUETES_BASE),
               '--aptopt=Acquire::Check-Valid-Until "false"',
               '--customize-hook=rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED', 'bookworm']
# Lo que entra en la imagen (el resto lo excluye .dockerignore) y decide la clave.
ENTRADAS = ['Dockerfile', '.dockerignore', 'requirements', 'abandono', 'servicio1.py', 'gunicorn.conf.py']
# pip lee estos archivos de configuración; sus rutas absolutas (certificados, índices locales) también se montan.
CONFIG_PIP = ['/etc/pip.conf', '/etc/xdg/pip/pip.conf', str(Path.home() / '.config/pip/pip.conf'),
              str(Path.home() / '.pip/pip.conf')]
PLAZO_CONSTRUCCION = 900
FUENTES_APT = Path('/etc/apt/sources.list.d/debian.sources')


class SinMotor(Exception):
    """No hay con qué construir la imagen; el mensaje dice por qué."""


def motor():
    """El comando del motor de contenedores que funciona aquí."""
    if shutil.which('docker') and subprocess.run(['docker', 'info'], capture_output=True).returncode == 0:
        return ['docker']
    if shutil.which('podman') is None:
        raise SinMotor('no hay docker que responda ni podman (make sistema instala podman como root)')
    # runc: el crun de Debian 12 no arranca aquí; y límites explícitos, porque los de
    # podman por defecto piden CAP_SYS_RESOURCE, que esta máquina no da.
    return ['podman', '--runtime', 'runc']


def limites():
    """--ulimit con los límites duros de este proceso: subirlos pide privilegios.

    Los procesos, además, como mucho pid_max: por encima, runc no puede ponerlo aquí
    («error setting rlimit type 6: operation not permitted»).
    """
    pid_max = int(Path('/proc/sys/kernel/pid_max').read_text())
    opciones = []
    for nombre, recurso, tope in (('nofile', resource.RLIMIT_NOFILE, 1 << 20), ('nproc', resource.RLIMIT_NPROC, pid_max)):
        duro = resource.getrlimit(recurso)[1]
        duro = tope if duro == resource.RLIM_INFINITY else min(duro, tope)
        opciones += ['--ulimit', f'{nombre}={duro}:{duro}']
    return opciones


def resumen(*partes):
    h = hashlib.sha256()
    for parte in partes:
        h.update(str(parte).encode() + b'\0')
    return h.hexdigest()[:16]


def clave_de_entradas():
    h = hashlib.sha256()
    for entrada in ENTRADAS:
        ruta = RAIZ / entrada
        for archivo in sorted([ruta] if ruta.is_file() else ruta.rglob('*')):
            if archivo.is_file() and '__pycache__' not in archivo.parts:
                h.update(str(archivo.relative_to(RAIZ)).encode() + b'\0' + archivo.read_bytes())
    return h.hexdigest()[:16]


def etiqueta_de(orden, imagen, nombre):
    r = subprocess.run([*orden, 'image', 'inspect', '--format', f'{{{{index .Config.Labels "{nombre}"}}}}', imagen],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def asegurar_base(orden):
    """La imagen del FROM: la que haya, o la sustituta de mmdebstrap si no hay ninguna o es una vieja nuestra."""
    nombre, clave = base(), resumen(*RECETA_BASE)
    etiqueta = etiqueta_de(orden, nombre, 'abandono.base')
    if etiqueta in ('', '<no value>', clave):
        return nombre  # una base de verdad (sin nuestra etiqueta) o la sustituta de esta receta
    if shutil.which('mmdebstrap') is None:
        raise SinMotor(f'no está la imagen {nombre} ni mmdebstrap para hacer una (make sistema lo instala)')
    with tempfile.TemporaryDirectory() as carpeta:
        tar = Path(carpeta) / 'base.tar'
        fuentes = [str(FUENTES_APT)] if FUENTES_APT.exists() else []
        subprocess.run(['mmdebstrap', '--quiet', *RECETA_BASE[:-1], RECETA_BASE[-1], str(tar), *fuentes],
                       check=True, capture_output=True, timeout=PLAZO_CONSTRUCCION)
        subprocess.run([*orden, 'import', '--change', f'LABEL abandono.base={clave}', '--change', 'CMD ["python"]',
                        str(tar), nombre], check=True, capture_output=True, timeout=300)
    return nombre


def montajes_pip():
    """-v de solo lectura: la configuración de pip y las rutas absolutas que nombra (certificados, índices)."""
    rutas = set()
    for archivo in map(Path, CONFIG_PIP):
        if archivo.is_file():
            rutas.add(archivo)
            for palabra in archivo.read_text().replace('=', ' ').split():
                ruta = Path(palabra.removeprefix('file://'))
                if ruta.is_absolute() and ruta.exists():
                    # Un índice local (file://…/simple) enlaza a archivos junto a él: su carpeta madre.
                    rutas.add(ruta.parent if palabra.startswith('file://') else ruta)
    return [opcion for ruta in sorted(rutas) for opcion in ('-v', f'{ruta}:{ruta}:ro')]


def construir(orden):
    """La imagen del Dockerfile para estas entradas: de la caché si ya existe, si no se construye."""
    nombre_base = asegurar_base(orden)
    clave = resumen(clave_de_entradas(), subprocess.run(
        [*orden, 'image', 'inspect', '--format', '{{.Id}}', nombre_base], capture_output=True, text=True).stdout)
    imagen = f'{ETIQUETA}:{clave}'
    if subprocess.run([*orden, 'image', 'inspect', imagen], capture_output=True).returncode == 0:
        return imagen
    extra = [] if orden == ['docker'] else ['--format', 'docker', '--network=host', *limites(), *montajes_pip()]
    for intento in (1, 2):  # a veces la construcción se cuelga: un plazo y un segundo intento
        try:
            r = subprocess.run([*orden, 'build', *extra, '-t', imagen, str(RAIZ)], capture_output=True, text=True,
                               timeout=PLAZO_CONSTRUCCION)
        except subprocess.TimeoutExpired:
            continue
        if r.returncode == 0:
            break
        if intento == 2:
            raise AssertionError(f'la imagen no se construye:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}')
    else:
        raise AssertionError(f'la construcción pasó dos veces de {PLAZO_CONSTRUCCION} s')
    # Las imágenes de claves anteriores ya no sirven: que no llenen el disco.
    viejas = subprocess.run([*orden, 'images', '--format', '{{.Repository}}:{{.Tag}}', ETIQUETA],
                            capture_output=True, text=True).stdout.split()
    for vieja in set(viejas) - {imagen}:
        subprocess.run([*orden, 'rmi', vieja], capture_output=True)
    return imagen
