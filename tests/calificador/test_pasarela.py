"""Los puertos que escuchan en una red, leídos del núcleo sin releer sus tablas a cada pregunta."""
import socket
import time

from abandono.calificador.pasarela import Escuchas, puertos_escuchando, sockets_tcp


def escuchar():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen()
    return s


def test_un_puerto_que_empieza_a_escuchar_se_ve_en_la_pregunta_siguiente():
    escuchas = Escuchas(vigencia=3600)
    antes = escuchas()
    with escuchar() as s:
        puerto = s.getsockname()[1]
        assert puerto not in antes
        assert puerto in escuchas()   # el recuento de sockets cambió: se releen las tablas
    assert puerto not in escuchas()


def test_si_el_recuento_no_cambia_la_lectura_vale_como_mucho_su_vigencia():
    # Cerrar un socket que escucha y abrir otro deja igual el recuento: solo el tiempo lo descubre.
    escuchas = Escuchas(vigencia=0.3)
    primero = escuchar()
    puerto = primero.getsockname()[1]
    assert puerto in escuchas()
    primero.close()
    with escuchar() as segundo:
        time.sleep(0.3)
        assert segundo.getsockname()[1] in escuchas()
        assert puerto not in escuchas()


def test_una_red_que_no_se_puede_leer_no_escucha_nada(tmp_path):
    assert sockets_tcp(tmp_path) == (None, None)
    assert Escuchas(tmp_path)() == puertos_escuchando(tmp_path) == []
