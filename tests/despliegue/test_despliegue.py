"""despliegue/: los manifiestos de Kubernetes validados sin red, y nginx de verdad delante de gunicorn."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from abandono.datos import CLIENTE_LECCION
from abandono.esquema import MAX_CLIENTES_LOTE
from abandono.servicio import MAX_CUERPO
from abandono.lanzador import GUNICORN, RAIZ, en_marcha, orden_servicio, puerto_libre
from abandono.taller import PUERTO_LECCION

K8S = RAIZ / 'despliegue' / 'k8s'
NGINX = RAIZ / 'despliegue' / 'nginx' / 'abandono.conf'


def manifiestos():
    return {d['kind']: d for archivo in sorted(K8S.glob('*.yaml')) for d in yaml.safe_load_all(archivo.read_text())}


def test_kubernetes_validate_estricto():
    """kubernetes-validate trae los esquemas de cada versión de Kubernetes: no necesita red ni clúster."""
    archivos = sorted(map(str, K8S.glob('*.yaml')))
    validar = Path(sys.executable).with_name('kubernetes-validate')
    r = subprocess.run([str(validar), '--strict', *archivos], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(' passed ') == 4


def test_lo_que_pide_el_despliegue():
    todo = manifiestos()
    assert set(todo) == {'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'}
    pod = todo['Deployment']['spec']['template']['spec']
    contenedor, = pod['containers']
    assert contenedor['readinessProbe']['httpGet']['path'] == '/salud'
    assert contenedor['livenessProbe']['httpGet']['path'] == '/salud'
    assert set(contenedor['resources']) == {'requests', 'limits'}
    assert pod['securityContext']['runAsNonRoot'] is True and pod['securityContext']['runAsUser'] != 0
    assert contenedor['securityContext']['allowPrivilegeEscalation'] is False
    # El Service y el autoescalado apuntan a este Deployment, y el puerto es el del servicio.
    etiquetas = todo['Deployment']['spec']['template']['metadata']['labels']
    assert todo['Service']['spec']['selector'].items() <= etiquetas.items()
    assert todo['HorizontalPodAutoscaler']['spec']['scaleTargetRef']['name'] == todo['Deployment']['metadata']['name']
    assert contenedor['ports'][0]['containerPort'] == PUERTO_LECCION
    assert todo['PodDisruptionBudget']['spec']['selector']['matchLabels'].items() <= etiquetas.items()


def mib(cantidad):
    return int(cantidad.removesuffix('Mi'))


def test_retirar_un_pod_no_pierde_peticiones_ni_memoria_de_mas():
    todo = manifiestos()
    pod = todo['Deployment']['spec']['template']['spec']
    contenedor, = pod['containers']
    # preStop espera a que los balanceadores dejen de mandar tráfico; después gunicorn
    # necesita su --graceful-timeout: todo dentro del plazo de Kubernetes.
    espera = int(contenedor['lifecycle']['preStop']['exec']['command'][-1])
    gracia = GUNICORN[GUNICORN.index('--graceful-timeout') + 1]
    assert espera >= 5 and espera + int(gracia) < pod['terminationGracePeriodSeconds']
    assert {r['topologyKey'] for r in pod['topologySpreadConstraints']} == {
        'topology.kubernetes.io/zone', 'kubernetes.io/hostname'}
    # El /tmp en memoria cabe dentro del límite, encima de lo que se pide.
    memoria = contenedor['resources']
    tmp, = [v for v in pod['volumes'] if v['name'] == 'tmp']
    assert tmp['emptyDir']['medium'] == 'Memory'
    assert mib(memoria['requests']['memory']) + mib(tmp['emptyDir']['sizeLimit']) <= mib(memoria['limits']['memory'])
    # La imagen, de un registro y por digest.
    assert re.fullmatch(r'[\w.-]+\.[\w-]+/[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}', contenedor['image'])


@pytest.fixture(scope='module')
def gunicorn_sincrono():
    """gunicorn con workers síncronos (uno por petición) y 3 s de límite: el caso que nginx protege."""
    puerto = puerto_libre()
    orden = orden_servicio('gunicorn', puerto)
    orden[-1:-1] = ['--worker-class', 'sync', '--timeout', '3']
    with en_marcha(orden, puerto) as url:
        yield url


@pytest.fixture
def nginx(tmp_path, gunicorn_sincrono):
    """despliegue/nginx/abandono.conf escuchando en un puerto libre delante de ``gunicorn_sincrono``."""
    binario = shutil.which('nginx') or ('/usr/sbin/nginx' if os.path.exists('/usr/sbin/nginx') else None)
    if binario is None:
        pytest.skip('no hay nginx (make sistema lo instala como root)')
    puerto = puerto_libre()
    servidor = NGINX.read_text().replace('listen 80;', f'listen 127.0.0.1:{puerto};').replace(
        f'server 127.0.0.1:{PUERTO_LECCION};', f'server {gunicorn_sincrono.removeprefix("http://")};')
    (tmp_path / 'abandono.conf').write_text(servidor)
    temporales = ' '.join(f'{t}_temp_path {tmp_path / t};' for t in ('client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'))
    (tmp_path / 'nginx.conf').write_text(
        ('user root;\n' if os.getuid() == 0 else '')
        + f'daemon off; master_process off; pid {tmp_path}/nginx.pid; error_log stderr;\n'
        f'events {{ worker_connections 256; }}\n'
        f'http {{ access_log off; {temporales} include {tmp_path}/abandono.conf; }}\n')
    orden = [binario, '-p', str(tmp_path), '-e', 'stderr', '-c', str(tmp_path / 'nginx.conf')]
    with en_marcha(orden, puerto) as url:
        yield url


def cliente_lento(url):
    """Una conexión que manda las cabeceras y la mitad del cuerpo, y se queda esperando."""
    cuerpo = json.dumps(CLIENTE_LECCION).encode()
    host, puerto = url.removeprefix('http://').split(':')
    s = socket.create_connection((host, int(puerto)))
    s.sendall(b'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
              + f'Content-Length: {len(cuerpo)}\r\n\r\n'.encode() + cuerpo[:len(cuerpo) // 2])
    return s


def test_nginx_sirve_el_servicio(nginx):
    r = requests.post(nginx + '/predict', json=CLIENTE_LECCION)
    assert r.status_code == 200 and r.json()['customerid'] == '8879-zkjof'
    assert r.headers['Server'] == 'nginx'  # server_tokens off: sin la versión


def test_nginx_deja_pasar_el_lote_de_10000_clientes(nginx, cliente):
    lote = [cliente | {'customerid': f'cliente-{i:05d}'} for i in range(MAX_CLIENTES_LOTE)]
    r = requests.post(nginx + '/predict_lote', json=lote, timeout=120)
    assert r.status_code == 200, r.text[:300]
    assert len(r.json()) == MAX_CLIENTES_LOTE and r.json()[-1]['customerid'] == lote[-1]['customerid']


def test_el_413_de_nginx_es_el_del_servicio(nginx, gunicorn_sincrono):
    """Por encima de MAX_CUERPO nginx corta con el mismo JSON en español que daría el servicio."""
    grande = b' ' * (MAX_CUERPO + 1)
    cabeceras = {'Content-Type': 'application/json'}
    del_proxy = requests.post(nginx + '/predict', data=grande, headers=cabeceras, timeout=60)
    del_servicio = requests.post(gunicorn_sincrono + '/predict', data=grande, headers=cabeceras, timeout=60)
    assert del_proxy.status_code == del_servicio.status_code == 413
    assert del_proxy.json() == del_servicio.json()
    assert del_proxy.headers['Content-Type'] == 'application/json; charset=utf-8'


def test_nginx_limita_las_conexiones_por_cliente(nginx):
    """Más de 50 conexiones a la vez desde una dirección: un 429 en JSON en español."""
    abiertas = [cliente_lento(nginx) for _ in range(60)]
    try:
        time.sleep(0.3)
        r = requests.post(nginx + '/predict', json=CLIENTE_LECCION, timeout=10)
    finally:
        for s in abiertas:
            s.close()
    assert r.status_code == 429 and r.json()['error'].startswith('Demasiadas peticiones')


def con_clientes_lentos(url, n=6):
    """Segundos que tarda un POST /predict normal mientras ``n`` clientes lentos esperan en ``url``."""
    lentos = [cliente_lento(url) for _ in range(n)]
    try:
        time.sleep(0.3)
        inicio = time.perf_counter()
        r = requests.post(url + '/predict', json=CLIENTE_LECCION, timeout=20)
        assert r.status_code == 200
        return time.perf_counter() - inicio
    finally:
        for s in lentos:
            s.close()


@pytest.mark.lento
def test_clientes_lentos_no_ocupan_los_workers(nginx, gunicorn_sincrono):
    """Más clientes lentos que workers: detrás de nginx, una petición normal no los nota.

    Directamente contra gunicorn síncrono, cada cliente lento ocupa un worker
    hasta su tiempo límite y la petición normal espera en la cola; nginx
    recibe el cuerpo entero antes de molestar a gunicorn.
    """
    assert con_clientes_lentos(gunicorn_sincrono) >= 2.0
    assert con_clientes_lentos(nginx) < 0.5
