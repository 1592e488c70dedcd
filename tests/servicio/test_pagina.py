"""La página de GET / en un navegador de verdad: el Chromium de Debian con selenium.

Rellena el formulario con el cliente de la lección usando el teclado, lee la
respuesta, manda un valor equivocado y comprueba etiquetas, foco y contraste.
``CAPTURA_PAGINA=docs/pagina.png`` guarda ahí la captura que muestra el README.
"""
import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from abandono.datos import CLIENTE_LECCION
from abandono.factores import aportes
from abandono.puntuador import Puntuador

webdriver = pytest.importorskip('selenium.webdriver')
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which('chromium')
CHROMEDRIVER = shutil.which('chromedriver')
pytestmark = [pytest.mark.navegador, pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason='no hay navegador: faltan chromium y chromium-driver (make sistema los instala como root)')]


@pytest.fixture(scope='module')
def navegador():
    opciones = webdriver.ChromeOptions()
    opciones.binary_location = CHROMIUM
    # --no-sandbox: CI ejecuta como root, donde el sandbox de Chromium no arranca.
    for opcion in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--window-size=1200,1500',
                   '--lang=es'):
        opciones.add_argument(opcion)
    driver = webdriver.Chrome(options=opciones, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


@pytest.fixture
def pagina(navegador, url_gunicorn):
    navegador.get(url_gunicorn + '/')
    return navegador


def rellenar(pagina, cliente):
    for campo, valor in cliente.items():
        control = pagina.find_element(By.ID, f'campo-{campo}')
        if control.tag_name == 'select':
            Select(control).select_by_value(valor)
        else:
            control.clear()
            control.send_keys(str(valor))


def como_la_pagina(numero, decimales, signo=False):
    """``numero`` como lo escribe la página con toLocaleString('es', {maximumFractionDigits}): 6,2 o -2,581."""
    texto = f'{numero:{"+" if signo else ""}.{decimales}f}'.rstrip('0').rstrip('.')
    return texto.replace('.', ',')


def visible(pagina, id_):
    return WebDriverWait(pagina, 10).until(ec.visibility_of_element_located((By.ID, id_)))


def test_cada_campo_del_modelo_tiene_su_etiqueta(pagina, url_gunicorn):
    esquema = requests.get(url_gunicorn + '/openapi.json').json()['components']['schemas']['Cliente']
    controles = pagina.find_elements(By.CSS_SELECTOR, 'form select, form input')
    assert sorted(c.get_attribute('name') for c in controles) == sorted(esquema['properties'])
    for control in controles:
        etiqueta = pagina.find_element(By.CSS_SELECTOR, f'label[for="{control.get_attribute("id")}"]')
        assert control.get_attribute('name') in etiqueta.text
    # Las opciones de cada lista son las categorías del modelo, ni una más, y cada número dice sus límites.
    for nombre, propiedad in esquema['properties'].items():
        if 'enum' in propiedad:
            lista = Select(pagina.find_element(By.ID, f'campo-{nombre}'))
            assert [o.get_attribute('value') for o in lista.options][1:] == propiedad['enum']
        elif 'maximum' in propiedad:
            ayuda = pagina.find_element(By.ID, f'ayuda-{nombre}').text
            assert ayuda.endswith(f"de {propiedad['minimum']} a {propiedad['maximum']}"), ayuda


def test_cliente_de_la_leccion_enviado_con_el_teclado(pagina, dv_modelo, probabilidad_leccion):
    rellenar(pagina, CLIENTE_LECCION)
    # Intro en el último campo envía el formulario, sin ratón.
    pagina.find_element(By.ID, 'campo-totalcharges').send_keys(Keys.ENTER)
    visible(pagina, 'resultado')
    # Lo que da modelo_trabajo.bin con el núcleo de OpenBLAS de esta computadora (6,2 % o 6 %).
    assert pagina.find_element(By.ID, 'probabilidad').text == como_la_pagina(100 * probabilidad_leccion, 1) + ' %'
    assert pagina.find_element(By.ID, 'decision').text == 'se queda'
    filas = [[c.text for c in fila.find_elements(By.TAG_NAME, 'td')]
             for fila in pagina.find_elements(By.CSS_SELECTOR, '#factores tr')]
    assert len(filas) == 5
    (tenure,) = [a for a in aportes(Puntuador(*dv_modelo), CLIENTE_LECCION) if a['campo'] == 'tenure']
    assert filas[0][:3] == ['tenure', str(CLIENTE_LECCION['tenure']), como_la_pagina(tenure['aporte'], 3, signo=True)]
    assert filas[0][3] == 'quedarse'
    # El foco pasa al resultado: un lector de pantalla lo lee enseguida.
    assert pagina.switch_to.active_element.get_attribute('id') == 'titulo-resultado'
    assert not pagina.find_element(By.ID, 'error').is_displayed()
    destino = os.environ.get('CAPTURA_PAGINA')
    if destino:
        Path(destino).parent.mkdir(parents=True, exist_ok=True)
        pagina.save_screenshot(destino)


def test_un_valor_equivocado_muestra_el_mensaje_del_servicio(pagina, url_gunicorn):
    malo = CLIENTE_LECCION | {'tenure': '-5', 'contract': 'one_year'}
    rellenar(pagina, malo)
    pagina.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()
    visible(pagina, 'error')
    esperado = requests.post(url_gunicorn + '/predict', json=CLIENTE_LECCION | {'tenure': -5}).json()
    assert pagina.find_element(By.ID, 'mensaje-error').text == esperado['error']
    assert 'tenure' in esperado['error']
    tenure = pagina.find_element(By.ID, 'campo-tenure')
    assert tenure.get_attribute('aria-invalid') == 'true'
    assert pagina.find_element(By.ID, 'error-tenure').text == esperado['detalles'][0]['mensaje']
    assert 'error-tenure' in tenure.get_attribute('aria-describedby')
    assert pagina.switch_to.active_element.get_attribute('id') == 'titulo-error'
    assert not pagina.find_element(By.ID, 'resultado').is_displayed()


def test_un_texto_en_un_numero_lo_explica_el_servicio(pagina):
    rellenar(pagina, CLIENTE_LECCION | {'monthlycharges': 'mucho'})
    pagina.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()
    visible(pagina, 'error')
    assert pagina.find_element(By.ID, 'error-monthlycharges').text == 'debe ser un número'


def test_el_foco_se_ve(pagina):
    pagina.find_element(By.TAG_NAME, 'body').send_keys(Keys.TAB)
    activo = pagina.switch_to.active_element
    assert activo.get_attribute('id') == 'campo-customerid'
    assert activo.value_of_css_property('outline-style') == 'solid'
    assert float(activo.value_of_css_property('outline-width').removesuffix('px')) >= 2


def _luminancia(color):
    r, g, b = (int(x) / 255 for x in re.findall(r'\d+', color)[:3])
    lineal = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lineal[0] + 0.7152 * lineal[1] + 0.0722 * lineal[2]


def _contraste(a, b):
    claro, oscuro = sorted((_luminancia(a), _luminancia(b)), reverse=True)
    return (claro + 0.05) / (oscuro + 0.05)


_FONDO = """
let e = arguments[0];
while (e) { const c = getComputedStyle(e).backgroundColor;
  if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; e = e.parentElement; }
return 'rgb(255, 255, 255)';
"""


def test_contraste_de_los_textos(pagina):
    rellenar(pagina, CLIENTE_LECCION | {'tenure': '-5'})
    pagina.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()
    visible(pagina, 'error')
    for selector in ('h1', 'p', 'label', 'label code', '.ayuda', 'button', '#mensaje-error', '.error-campo'):
        for elemento in pagina.find_elements(By.CSS_SELECTOR, selector):
            if elemento.is_displayed() and elemento.text:
                fondo = pagina.execute_script(_FONDO, elemento)
                texto = elemento.value_of_css_property('color')
                assert _contraste(texto, fondo) >= 4.5, (selector, texto, fondo)
