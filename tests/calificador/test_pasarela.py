"""Lo que escucha en una red, leído del kernel sin releer sus tablas a cada pregunta: TCP, UDP y Unix."""
import socket
import time

from abandono.calificador.pasarela import Escucha, Escuchas, escuchando, puertos_tcp, recuento


def escuchar(familia=socket.AF_INET, direccion='127.0.0.1'):
    s = socket.socket(familia)
    s.bind((direccion, 0))
    s.listen()
    return s


def test_un_puerto_que_empieza_a_escuchar_se_ve_en_la_pregunta_siguiente():
    escuchas = Escuchas(vigencia=3600)
    antes = puertos_tcp(escuchas())
    with escuchar() as s:
        puerto = s.getsockname()[1]
        assert puerto not in antes
        assert puerto in puertos_tcp(escuchas())   # el recuento de sockets cambió: se releen las tablas
    assert puerto not in puertos_tcp(escuchas())


def test_si_el_recuento_no_cambia_la_lectura_vale_como_mucho_su_vigencia():
    # Cerrar un socket que escucha y abrir otro deja igual el recuento: solo el tiempo lo descubre.
    escuchas = Escuchas(vigencia=0.3)
    primero = escuchar()
    puerto = primero.getsockname()[1]
    assert puerto in puertos_tcp(escuchas())
    primero.close()
    with escuchar() as segundo:
        time.sleep(0.3)
        assert segundo.getsockname()[1] in puertos_tcp(escuchas())
        assert puerto not in puertos_tcp(escuchas())


def test_cualquier_socket_que_espera_a_alguien_cuenta(tmp_path):
    """IPv6, UDP con puerto y Unix (con ruta o abstracto) también son servidores; un cliente, no."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('127.0.0.1', 0))
    unix, abstracto = socket.socket(socket.AF_UNIX), socket.socket(socket.AF_UNIX)
    unix.bind(str(tmp_path / 'servidor.sock'))
    abstracto.bind('\0abandono-prueba')
    for s in (unix, abstracto):
        s.listen()
    cliente = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cliente.connect(('127.0.0.1', 9))   # conectado: no espera a nadie
    with escuchar(socket.AF_INET6, '::1') as seis, udp, unix, abstracto, cliente:
        vistas = escuchando()
        assert Escucha('tcp', seis.getsockname()[1], '::1') in vistas
        assert Escucha('udp', udp.getsockname()[1], '127.0.0.1') in vistas
        assert Escucha('unix', str(tmp_path / 'servidor.sock'), '') in vistas
        assert Escucha('unix', '@abandono-prueba', '') in vistas
        assert cliente.getsockname()[1] not in [e.donde for e in vistas if e.tipo == 'udp']
        assert str(Escucha('unix', '/zona/a.sock', '')) == '/zona/a.sock (socket Unix)'


def test_una_red_que_no_se_puede_leer_no_escucha_nada(tmp_path):
    assert recuento(tmp_path) is None
    assert Escuchas(tmp_path)() == escuchando(tmp_path) == []
