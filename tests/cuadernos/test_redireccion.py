"""abandono.redireccion: un script con el 9696 escrito a mano sirve y conecta en otro puerto."""
import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest
import requests

from abandono.lanzador import RAIZ, en_marcha, puerto_libre
from abandono.redireccion import desviar

PUERTOS = {9696: 50123}


@pytest.mark.parametrize('familia, direccion, esperada', [
    (socket.AF_INET, ('0.0.0.0', 9696), ('127.0.0.1', 50123)),
    (socket.AF_INET, ('', 9696), ('127.0.0.1', 50123)),
    (socket.AF_INET, ('localhost', 9696), ('127.0.0.1', 50123)),
    (socket.AF_INET, ('LocalHost', 9696), ('127.0.0.1', 50123)),
    (socket.AF_INET, ('127.0.0.1', 9696), ('127.0.0.1', 50123)),
    (socket.AF_INET6, ('::1', 9696, 0, 0), ('::ffff:127.0.0.1', 50123, 0, 0)),
    # Lo que no es local o no es el 9696 no se toca.
    (socket.AF_INET, ('10.0.0.7', 9696), ('10.0.0.7', 9696)),
    (socket.AF_INET, ('example.org', 9696), ('example.org', 9696)),
    (socket.AF_INET, ('localhost', 9697), ('localhost', 9697)),
    (socket.AF_UNIX, '/tmp/9696', '/tmp/9696'),
])
def test_desviar(familia, direccion, esperada):
    assert desviar(familia, direccion, PUERTOS) == esperada


SERVICIO = """\
from flask import Flask

app = Flask('prueba')


@app.route('/hola')
def hola():
    return 'Hola C8280'


if __name__ == '__main__':
    app.run(host='0.0.0.0', port=9696)
"""

CLIENTE = """\
import requests

url = 'http://localhost:9696/hola'
print(requests.get(url, timeout=10).text)
"""


@contextlib.contextmanager
def _ocupar_9696():
    """Algo escucha en el 9696 de verdad: un socket nuestro o, si ya estaba ocupado, el de otro."""
    with socket.socket() as otro:
        otro.setblocking(False)
        try:
            otro.bind(('0.0.0.0', 9696))
            otro.listen()
        except OSError:
            yield None  # ya escucha alguien: también vale, pero no podemos mirar su cola
            return
        yield otro


def _redirigido(puerto, *script):
    return [sys.executable, '-m', 'abandono.redireccion', '--puerto', f'9696={puerto}', '--', *map(str, script)]


@pytest.mark.parametrize('ocupado', [True, False], ids=['9696-ocupado', '9696-libre'])
def test_servicio_y_cliente_con_el_9696_escrito_a_mano(tmp_path, ocupado):
    (tmp_path / 'servicio.py').write_text(SERVICIO)
    (tmp_path / 'cliente.py').write_text(CLIENTE)
    puerto = puerto_libre()
    with contextlib.ExitStack() as pila:
        otro = pila.enter_context(_ocupar_9696()) if ocupado else None
        if not ocupado and _escucha_9696():
            pytest.skip('otro programa usa el 9696 de esta computadora')
        url = pila.enter_context(en_marcha(_redirigido(puerto, tmp_path / 'servicio.py'), puerto))
        # El servicio escucha de verdad en el puerto desviado...
        assert requests.get(f'{url}/hola', timeout=10).text == 'Hola C8280'
        # ...y el cliente, que escribe localhost:9696, llega a él.
        cliente = subprocess.run(_redirigido(puerto, tmp_path / 'cliente.py'), cwd=RAIZ,
                                 capture_output=True, text=True, timeout=60)
        assert cliente.returncode == 0, cliente.stderr
        assert cliente.stdout == 'Hola C8280\n'
        if otro is not None:  # nadie llamó al 9696 real
            with pytest.raises(BlockingIOError):
                otro.accept()


def _escucha_9696():
    with contextlib.suppress(OSError), socket.create_connection(('127.0.0.1', 9696), timeout=0.2):
        return True
    return False


@pytest.mark.parametrize('opciones', [[], ['-P']], ids=['python', 'python-P'])
def test_como_python_script(tmp_path, opciones):
    """sys.argv, sys.path[0], __name__ y la carpeta de trabajo, como con «python script.py»."""
    carpeta = tmp_path / 'mi_trabajo'
    carpeta.mkdir()
    (carpeta / 'ayuda.py').write_text('VALOR = 42\n')
    (carpeta / 'script.py').write_text(textwrap.dedent("""\
        import json, os, sys
        import ayuda
        print(json.dumps([sys.argv, sys.path[0], __name__, os.getcwd(), ayuda.VALOR, len(sys.path)]))
        sys.exit(3)
    """))
    orden = _redirigido(1, 'mi_trabajo/script.py', '--x', 'y')
    orden[1:1] = opciones
    resultado = subprocess.run(orden, cwd=tmp_path, env={**os.environ, 'PYTHONPATH': str(RAIZ)},
                               capture_output=True, text=True)
    assert resultado.returncode == 3, resultado.stderr
    *como_script, largo = json.loads(resultado.stdout)
    assert como_script == [['mi_trabajo/script.py', '--x', 'y'], str(carpeta), '__main__', str(tmp_path), 42]
    # Nada se pierde de sys.path: la carpeta del script ocupa el sitio de la de trabajo, o se añade.
    normal = subprocess.run([sys.executable, *opciones, '-c', 'import sys; print(len(sys.path))'], cwd=tmp_path,
                            env={**os.environ, 'PYTHONPATH': str(RAIZ)}, capture_output=True, text=True)
    assert largo == int(normal.stdout) + (1 if opciones else 0)


@pytest.mark.parametrize('argumentos, mensaje', [
    (['--puerto', '9696=1', 'script.py'], 'falta «--»'),
    (['--puerto', '9696', '--', 'script.py'], 'no es PUERTO=PUERTO_REAL'),
    (['--puerto', '9696=70000', '--', 'script.py'], 'los puertos van de 1 a 65535'),
    (['--', 'script.py'], 'falta al menos un --puerto'),
    (['--puerto', '9696=1', '--'], 'falta el script'),
    (['--puerto', '9696=1', '--', 'no_existe.py'], 'no existe el script no_existe.py'),
])
def test_errores_en_espanol(argumentos, mensaje):
    resultado = subprocess.run([sys.executable, '-m', 'abandono.redireccion', *argumentos], cwd=RAIZ,
                               capture_output=True, text=True)
    assert resultado.returncode == 2
    assert mensaje in resultado.stderr
    assert 'Traceback' not in resultado.stderr
