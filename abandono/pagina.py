"""``GET /``: una página en español para probar el servicio desde el navegador.

El formulario se construye con el esquema del ``Validador`` (las categorías
que conoce el modelo y los límites de cada número), así que siempre pide
justo lo que acepta ``/predict``. La página no trae nada de internet: su CSS y
su JavaScript se sirven desde ``abandono/estatico/``.
"""
from flask import Blueprint, render_template

from abandono.datos import CLIENTE_LECCION
from abandono.puntuador import Puntuador

# Lo que ve la persona junto al nombre del campo en el JSON.
ETIQUETAS = {
    'customerid': 'Identificador del cliente (opcional)',
    'gender': 'Género',
    'seniorcitizen': 'Persona mayor (1 = sí, 0 = no)',
    'partner': 'Tiene pareja',
    'dependents': 'Tiene personas a su cargo',
    'tenure': 'Meses como cliente',
    'phoneservice': 'Servicio telefónico',
    'multiplelines': 'Varias líneas',
    'internetservice': 'Servicio de internet',
    'onlinesecurity': 'Seguridad en línea',
    'onlinebackup': 'Copia de seguridad en línea',
    'deviceprotection': 'Protección de dispositivos',
    'techsupport': 'Soporte técnico',
    'streamingtv': 'Televisión por internet',
    'streamingmovies': 'Películas por internet',
    'contract': 'Contrato',
    'paperlessbilling': 'Factura electrónica',
    'paymentmethod': 'Forma de pago',
    'monthlycharges': 'Cargo mensual',
    'totalcharges': 'Cargos totales',
}
# Cuántos factores pide la página a /predict.
FACTORES = 5


def campos(esquema):
    """Los campos del formulario, en el orden del cliente de la lección.

    Cada uno: nombre, etiqueta, y ``opciones`` (una categoría) o ``tipo``,
    ``minimo`` y ``maximo`` (un número), tal como los describe el esquema.
    """
    orden = list(CLIENTE_LECCION)
    lista = []
    for nombre, propiedad in esquema['properties'].items():
        campo = {'nombre': nombre, 'etiqueta': ETIQUETAS.get(nombre, nombre)}
        if 'enum' in propiedad:
            campo['opciones'] = propiedad['enum']
        elif propiedad.get('type') in ('integer', 'number'):
            campo.update(tipo=propiedad['type'], minimo=propiedad.get('minimum'), maximo=propiedad.get('maximum'))
        lista.append(campo)
    return sorted(lista, key=lambda c: orden.index(c['nombre']) if c['nombre'] in orden else len(orden))


def registrar(app, validador, puntuador, umbral):
    """Añade ``GET /`` y los archivos de la página a ``app``."""
    pagina = Blueprint('pagina', __name__, static_folder='estatico', static_url_path='/estatico',
                       template_folder='plantillas')
    formulario = campos(validador.esquema_json())
    # Solo la regresión logística da factores (abandono.factores); con otro modelo, la tabla no sale.
    factores = FACTORES if isinstance(puntuador, Puntuador) else 0

    @pagina.get('/')
    def inicio():
        html = render_template('pagina.html', campos=formulario, umbral=str(umbral).replace('.', ','),
                               factores=factores)
        # Solo recursos del propio servicio: ni CDN ni scripts en línea.
        return html, {'Content-Security-Policy': "default-src 'self'; connect-src 'self'; form-action 'self'"}

    app.register_blueprint(pagina)
