"""El comando de la imagen arranca en un entorno con requirements/servicio.txt y nada más.

Las demás pruebas corren en el entorno del taller (taller.txt), que trae de
todo: ahí no se nota si a servicio.txt le falta un paquete que solo importa
el servidor (así faltó ``packaging``, que importa el worker gevent de
gunicorn 27, y la imagen salía con código 1 al segundo de arrancar).
"""
import os
import subprocess
import sys

import pytest
import requests

from abandono.datos import CLIENTE_LECCION
from abandono.lanzador import RAIZ, en_marcha, puerto_libre
from abandono.prediccion import predict_cliente
from abandono.taller import PUERTO_LECCION
from dockerfile import arranque, copiar_lo_que_copia_la_imagen

pytestmark = pytest.mark.lento


@pytest.fixture(scope='module')
def entorno(tmp_path_factory):
    """Un entorno virtual nuevo con servicio.txt (pip usa su caché y la configuración de la máquina)."""
    carpeta = tmp_path_factory.mktemp('servicio') / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', str(carpeta)], check=True, timeout=120)
    pip = subprocess.run([carpeta / 'bin' / 'python', '-m', 'pip', 'install', '--quiet',
                          '-r', RAIZ / 'requirements' / 'servicio.txt'], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return carpeta


def test_la_orden_de_la_imagen_arranca_y_responde(entorno, tmp_path, dv_modelo):
    copiar_lo_que_copia_la_imagen(tmp_path)
    puerto = puerto_libre()
    # ENTRYPOINT + CMD del Dockerfile, con los programas del entorno y un puerto libre de 127.0.0.1.
    orden = [str(entorno / 'bin' / a) if (entorno / 'bin' / a).exists() else a for a in arranque()]
    orden = [f'127.0.0.1:{puerto}' if a == f'0.0.0.0:{PUERTO_LECCION}' else a for a in orden]
    assert f'127.0.0.1:{puerto}' in orden
    # Sin la carpeta del taller en sys.path: solo lo que la imagen copia y servicio.txt.
    sin_taller = {'PATH': f'{entorno / "bin"}:{os.environ["PATH"]}', 'PYTHONPATH': '', 'VIRTUAL_ENV': str(entorno)}
    with en_marcha(orden, puerto, cwd=tmp_path, env=sin_taller) as url:
        respuesta = requests.post(url + '/predict', json=CLIENTE_LECCION, timeout=10)
    assert respuesta.status_code == 200, respuesta.text
    assert respuesta.json()['probabilidad_abandono'] == pytest.approx(predict_cliente(CLIENTE_LECCION, *dv_modelo),
                                                                      abs=1e-12)
