"""La imagen del Dockerfile, construida y arrancada de verdad (tests/despliegue/imagen.py).

Sana según su propio HEALTHCHECK, sin privilegios, con la raíz de solo lectura
y sin capacidades, responde al cliente de la lección lo mismo que su modelo
calculado aquí, y una parada un segundo después de arrancar termina enseguida
(el proceso 1 es dumb-init, que reenvía SIGTERM).
"""
import contextlib
import subprocess
import time

import pytest
import requests

import imagen
from abandono.datos import CLIENTE_LECCION
from abandono.integridad import cargar_modelo
from abandono.lanzador import puerto_libre
from abandono.prediccion import predict_cliente
from abandono.taller import PUERTO_LECCION
from dockerfile import instrucciones

pytestmark = pytest.mark.lento
PARADA_MAXIMA = 5.0  # «docker stop» mata a los 10 s; una parada ordenada cabe de sobra en 5


@pytest.fixture(scope='module')
def motor():
    try:
        return imagen.motor()
    except imagen.SinMotor as razon:
        pytest.skip(str(razon))


@pytest.fixture(scope='module')
def construida(motor):
    try:
        return imagen.construir(motor)
    except imagen.SinMotor as razon:
        pytest.skip(str(razon))


@contextlib.contextmanager
def contenedor(motor, construida, *opciones):
    nombre = f'abandono-prueba-{puerto_libre()}'
    try:  # también si «run» falla: el contenedor puede quedar creado
        subprocess.run([*motor, 'run', '-d', '--name', nombre, *imagen.limites(), *opciones, construida],
                       check=True, capture_output=True, timeout=60)
        yield nombre
    finally:
        subprocess.run([*motor, 'rm', '-f', nombre], capture_output=True, timeout=60)


def sano(motor, nombre, espera=60):
    """Corre el HEALTHCHECK de la imagen (podman no lo programa sin systemd) hasta que pase."""
    limite = time.monotonic() + espera
    while time.monotonic() < limite:
        if motor == ['docker']:
            estado = subprocess.run([*motor, 'inspect', '-f', '{{.State.Health.Status}}', nombre],
                                    capture_output=True, text=True).stdout.strip()
            if estado == 'healthy':
                return True
        elif subprocess.run([*motor, 'healthcheck', 'run', nombre], capture_output=True).returncode == 0:
            return True
        time.sleep(1)
    return False


def test_la_imagen_sirve_sana_sin_privilegios(motor, construida, tmp_path):
    puerto = puerto_libre()
    with contenedor(motor, construida, '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL',
                    '-p', f'127.0.0.1:{puerto}:{PUERTO_LECCION}') as nombre:
        assert sano(motor, nombre)
        uid = subprocess.run([*motor, 'exec', nombre, 'id', '-u'], capture_output=True, text=True,
                             check=True).stdout.strip()
        assert uid == instrucciones('USER')[-1] and uid != '0'
        respuesta = requests.post(f'http://127.0.0.1:{puerto}/predict', json=CLIENTE_LECCION, timeout=10)
        # El modelo que entrenó la imagen, puntuado aquí: la misma respuesta.
        for archivo in ('modelo_trabajo.bin', 'modelo_trabajo.bin.sha256'):
            subprocess.run([*motor, 'cp', f'{nombre}:/app/{archivo}', str(tmp_path)], check=True, timeout=60)
    assert respuesta.status_code == 200, respuesta.text
    esperada = predict_cliente(CLIENTE_LECCION, *cargar_modelo(tmp_path / 'modelo_trabajo.bin'))
    assert respuesta.json()['probabilidad_abandono'] == pytest.approx(esperada, abs=1e-12)


def test_el_healthcheck_falla_si_el_servicio_no_responde(motor, construida):
    """El HEALTHCHECK no pasa por pasar: con gunicorn parado (SIGSTOP), falla."""
    if motor == ['docker']:
        pytest.skip('docker programa el HEALTHCHECK por su cuenta')
    with contenedor(motor, construida) as nombre:
        assert sano(motor, nombre)
        subprocess.run([*motor, 'pause', nombre], check=True, capture_output=True, timeout=60)
        try:
            r = subprocess.run([*motor, 'healthcheck', 'run', nombre], capture_output=True, timeout=60)
        finally:
            subprocess.run([*motor, 'unpause', nombre], capture_output=True, timeout=60)
        assert r.returncode != 0


def test_se_para_enseguida_aunque_acabe_de_arrancar(motor, construida):
    with contenedor(motor, construida) as nombre:
        time.sleep(1.0)
        inicio = time.monotonic()
        subprocess.run([*motor, 'stop', nombre], check=True, capture_output=True, timeout=60)
        segundos = time.monotonic() - inicio
        codigo = subprocess.run([*motor, 'inspect', '-f', '{{.State.ExitCode}}', nombre],
                                capture_output=True, text=True).stdout.strip()
    assert segundos < PARADA_MAXIMA, segundos
    assert codigo != '137', 'terminó con SIGKILL: nadie atendió SIGTERM'
