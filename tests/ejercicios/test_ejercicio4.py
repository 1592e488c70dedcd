"""Ejercicio 4: probar el servicio con requests desde un script."""
import pytest

from abandono.calificador.juicio import cerca, fase, numeros_en_texto, recortar, suspenso
from abandono.calificador.referencia import TOLERANCIA_IMPRESA

pytestmark = pytest.mark.ejercicio(4, 'probar el servicio con requests')


def _resumen(peticiones):
    return '; '.join(f"{p['metodo']} {p['ruta']} ({p['tipo'] or 'sin cuerpo'})" for p in peticiones) or 'ninguna petición'


@pytest.mark.puntos(2)
def test_envia_el_cliente_por_post(prueba_del_servicio, referencia):
    """probar_servicio.py envía un cliente en JSON por POST a la URL del servicio"""
    ejecucion, peticiones = prueba_del_servicio
    fase(ejecucion, 'script')
    buenas = [p for p in peticiones if p['metodo'] == 'POST' and isinstance(p['json'], dict)
              and set(referencia['caracteristicas']) <= p['json'].keys()]
    if not buenas:
        suspenso('probar_servicio.py no envía el cliente al servicio.',
                 'un POST con el cliente en JSON a la URL de la variable URL_SERVICIO', _resumen(peticiones),
                 "usa requests.post(url, json=cliente) con url = os.environ.get('URL_SERVICIO', "
                 "'http://localhost:9696/predict'), y envía todas las características del cliente.")


@pytest.mark.puntos(1)
def test_muestra_la_respuesta(prueba_del_servicio, referencia):
    """probar_servicio.py muestra la probabilidad que responde el servicio"""
    ejecucion, _ = prueba_del_servicio
    salida = fase(ejecucion, 'script')['salida']
    esperado = referencia['probabilidad_leccion']
    if not cerca(numeros_en_texto(salida), esperado, TOLERANCIA_IMPRESA):
        suspenso('probar_servicio.py no muestra la respuesta del servicio.',
                 f'la probabilidad que respondió el servicio ({esperado:.3f}) en la salida', recortar(salida),
                 'imprime la respuesta: print(requests.post(url, json=cliente).json()).')
