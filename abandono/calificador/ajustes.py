"""Los ajustes a mano del profesor: ``notas_<clase>/ajustes.csv``.

    entrega,ejercicio,puntos,motivo
    Ana García_1234,4,+1,la URL es otra forma válida de llegar al servicio
    garciaana_5678,2,0,flask_test.py copiado de un compañero

``entrega`` es el nombre de la columna ``entrega`` de ``calificaciones.csv`` (sirve
también el número del aula virtual o el nombre de su archivo de retroalimentación);
``puntos``, ``+N`` o ``-N`` para sumar o restar a lo que dio la calificación, o ``N``
para poner ese valor. El ejercicio ajustado queda entre 0 y sus puntos. Varias líneas
de una entrega se aplican en orden. Lo escribe el profesor y nada lo borra: cada
calificación, de la clase o de una entrega, lo vuelve a leer y lo aplica. Una línea
que no se entiende no se aplica, y el informe dice por qué.
"""
import csv
import io
import re
from dataclasses import dataclass

from abandono.calificador.ejercicios import EJERCICIOS
from abandono.calificador.nombres import buscar

ARCHIVO = 'ajustes.csv'
COLUMNAS = ('entrega', 'ejercicio', 'puntos', 'motivo')
_PUNTOS = re.compile(r'([+-]?)\s*(\d+(?:[.,]\d+)?)')


@dataclass(frozen=True)
class Ajuste:
    linea: int
    entrega: str
    ejercicio: int
    signo: str          # '+', '-' o '' (un valor nuevo)
    puntos: float
    motivo: str


def leer(texto):
    """(ajustes, errores) del texto de ajustes.csv; las líneas con errores no se aplican."""
    texto = texto.removeprefix('\ufeff')   # el BOM de Excel
    primera = texto.partition('\n')[0]
    separador = ';' if primera.count(';') > primera.count(',') else ','   # Excel en español guarda con ;
    try:
        filas = list(csv.reader(io.StringIO(texto), delimiter=separador))
    except csv.Error as error:
        return [], [f'{ARCHIVO} no se entiende como CSV ({error}); no se aplicó ningún ajuste']
    if not filas or [c.strip().lower() for c in filas[0][:4]] != list(COLUMNAS):
        return [], [f'{ARCHIVO}: la primera línea tiene que ser {",".join(COLUMNAS)}; no se aplicó ningún ajuste']
    ajustes, errores = [], []
    for numero, fila in enumerate(filas[1:], start=2):
        if not any(c.strip() for c in fila):
            continue
        entrega, ejercicio, puntos, motivo = (fila + [''] * 4)[:4]
        encaje = _PUNTOS.fullmatch(puntos.strip())
        if not ejercicio.strip().isdecimal() or int(ejercicio) not in EJERCICIOS:
            errores.append(f'{ARCHIVO}, línea {numero}: «{ejercicio}» no es un ejercicio '
                           f'({", ".join(map(str, EJERCICIOS))})')
        elif not encaje:
            errores.append(f'{ARCHIVO}, línea {numero}: «{puntos}» no son puntos (+1, -1 o un valor como 3)')
        elif not motivo.strip():
            errores.append(f'{ARCHIVO}, línea {numero}: falta el motivo, que verá el estudiante')
        else:
            ajustes.append(Ajuste(numero, entrega, int(ejercicio), encaje[1], float(encaje[2].replace(',', '.')),
                                  motivo.strip()))
    return ajustes, errores


def aplicar(calificaciones, ajustes, calificados):
    """Pone en cada calificación su lista ``ajustes`` y devuelve los errores de los que no se aplicaron.

    ``calificados(c)`` da los puntos de cada ejercicio sin ajustar; cada ajuste aplicado
    queda como ``{'ejercicio', 'antes', 'despues', 'motivo'}``.
    """
    maximos = {n: sum(e.puntos.values()) for n, e in EJERCICIOS.items()}
    for c in calificaciones:
        c['ajustes'] = []
    errores = []
    puntos = {id(c): calificados(c) for c in calificaciones}
    for ajuste in ajustes:
        encontradas = buscar(ajuste.entrega, calificaciones)
        if not encontradas:
            errores.append(f'{ARCHIVO}, línea {ajuste.linea}: no hay ninguna entrega «{ajuste.entrega}»')
            continue
        if len(encontradas) > 1:
            errores.append(f'{ARCHIVO}, línea {ajuste.linea}: «{ajuste.entrega}» puede ser {len(encontradas)} '
                           'entregas; usa el nombre de su archivo de retroalimentación')
            continue
        (c,) = encontradas
        antes = puntos[id(c)][ajuste.ejercicio]
        despues = {'+': antes + ajuste.puntos, '-': antes - ajuste.puntos, '': ajuste.puntos}[ajuste.signo]
        if not 0 <= despues <= maximos[ajuste.ejercicio]:
            errores.append(f'{ARCHIVO}, línea {ajuste.linea}: el ejercicio {ajuste.ejercicio} de «{c["entrega"]}» '
                           f'quedaría en {despues:g}, fuera de 0 a {maximos[ajuste.ejercicio]}')
            continue
        puntos[id(c)][ajuste.ejercicio] = despues
        c['ajustes'].append({'ejercicio': ajuste.ejercicio, 'antes': antes, 'despues': despues,
                             'motivo': ajuste.motivo})
    return errores


def plantilla():
    """El ajustes.csv que se crea la primera vez: solo la cabecera."""
    return ','.join(COLUMNAS) + '\n'
