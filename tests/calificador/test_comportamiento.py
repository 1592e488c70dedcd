"""Se califica lo que el código hace: redondeos honrados, el puerto del propio servicio y sus propias claves.

Sin cajas: la regla del redondeo (``referencia.coincide``, la misma para el JSON y
para lo impreso), los puertos que escribe un cliente y el servicio de prueba del
ejercicio 4 respondiendo con el formato de la app del estudiante, por HTTP de verdad.
"""
import pytest
import requests

from abandono.calificador.juicio import numeros_en_texto, probabilidad_impresa
from abandono.calificador.observacion import leer_json
from abandono.calificador.observacion import REFERENCIA, ServicioDePrueba, puertos_escritos
from abandono.calificador.referencia import Escrito, coincide, decimales
from abandono.datos import CLIENTE_LECCION

P = 0.0596057


@pytest.mark.parametrize('escrito, vale', [
    ('0.0596057', True), ('0.06', True), ('0.060', True), ('0.0596', True), ('6e-2', True),
    ('0.07', False), ('0.059', False),     # redondeado a otro número, o cortado
    ('0.1', False), ('0', False), ('1', False), ('0.9403943', False)])   # un decimal, una clase, 1 - p
def test_un_numero_redondeado_vale_hasta_media_unidad_de_su_ultimo_decimal(escrito, vale):
    assert (coincide([Escrito(escrito)], P)[0] is not None) == vale


def test_el_redondeo_se_dice_y_un_cero_final_no_quita_decimales():
    assert coincide([Escrito('0.06')], P)[1] == 2 and coincide([Escrito('0.0596057')], P)[1] == 0
    # round(0.6984, 2) se escribe 0.7: cuenta como 2 decimales, no como 1.
    assert decimales(Escrito('0.7')) == 2 and coincide([Escrito('0.7')], 0.6984)[0] is not None
    assert decimales(Escrito('1')) == 0 and decimales(0.0596057) == 7


def test_una_lista_de_numeros_redondeados_no_acierta_por_estar_cerca_de_todo():
    assert coincide([Escrito(x) for x in ('0.06', '0.94')], P)[0] is not None   # p y 1 - p: vale
    assert coincide([Escrito(x) for x in ('0.05', '0.06', '0.07')], P)[0] is None
    assert coincide([Escrito(x) for x in ('0.05', '0.0596057', '0.07')], P)[0] is not None   # el exacto sí


def test_el_json_y_lo_impreso_siguen_la_misma_regla():
    for texto in ('0.06', '0.0596', '0.070'):
        impreso = probabilidad_impresa(f'Probabilidad de abandono: {texto}', P)[0] is not None
        en_json = coincide([leer_json(f'{{"p": {texto}}}')['p']], P)[0] is not None
        assert impreso == en_json == (texto != '0.070')
    # Un porcentaje impreso lleva sus decimales más dos: 6.0 % es 0.060.
    assert [n.texto for n in numeros_en_texto('6.0 %')][-1] == '0.060'
    assert probabilidad_impresa('abandona el 6 %', P)[1] == 2


def test_los_puertos_que_escribe_el_cliente():
    codigo = ("PUERTO = 5000\nurl = 'http://localhost:5000/predict'\notra = f'http://127.0.0.1:{PUERTO}/x'\n"
              "cliente = {'tenure': 41, 'totalcharges': 3320.75}\nlocal = 'http://localhost:9696/predict'\n")
    assert puertos_escritos(codigo) == (5000,)
    assert puertos_escritos("url = 'http://localhost:8080/predict'\nn = 80\n") == (8080,)   # < 1024: no
    assert puertos_escritos('esto no es Python (') == ()


@pytest.fixture
def servicio(dv_modelo):
    dv, _ = dv_modelo
    servicio = ServicioDePrueba(0.4123, dv.feature_names_)
    servidor = servicio.iniciar(0)
    servicio.url = f'http://127.0.0.1:{servidor.server_address[1]}'
    yield servicio
    servidor.shutdown()
    servidor.server_close()


def _post(servicio, url=None, **opciones):
    return requests.post(f'{url or servicio.url}/predict', json=CLIENTE_LECCION, timeout=10, **opciones)


@pytest.mark.parametrize('respuesta_de_su_app, esperada', [
    ({'churn_probability': 0.0596, 'churn': False}, {'churn_probability': 0.4123, 'churn': False}),
    ({'probability': 0.06, 'cliente': '8879-zkjof'}, {'probability': 0.4123, 'cliente': '8879-zkjof'}),
    (0.0596057, 0.4123),
    ({'probabilidad': 0.5, 'otra': 0.3}, REFERENCIA | {'probabilidad_abandono': 0.4123})])   # no es la suya
def test_el_servicio_de_prueba_responde_con_las_claves_de_la_app_del_estudiante(servicio, respuesta_de_su_app,
                                                                                  esperada):
    servicio.aprender_formato(respuesta_de_su_app, P)
    respuesta = _post(servicio)
    assert respuesta.status_code == 200 and respuesta.json() == esperada
    assert servicio.peticiones[-1]['aceptada'] and servicio.peticiones[-1]['puerto'] == int(servicio.url.split(':')[-1])


def test_el_servicio_de_prueba_anota_el_puerto_al_que_llamo_el_cliente(servicio):
    servicio.formato_listo.set()
    _post(servicio, headers={'Host': 'localhost:5000'})
    assert servicio.peticiones[-1]['puerto'] == 5000
