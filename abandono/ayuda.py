"""argparse en español: el ``--help`` y los errores de los comandos del taller.

argparse busca cada uno de sus textos con ``_()`` (gettext) en el momento de
escribirlo; aquí ``_`` se cambia por una tabla con los textos en español.
"""
import argparse

_TEXTOS = {
    'usage: ': 'uso: ',
    'positional arguments': 'argumentos',
    'options': 'opciones',
    'show this help message and exit': 'muestra esta ayuda y termina',
    '%(prog)s: error: %(message)s\n': '%(prog)s: error: %(message)s\n',
    'argument %(argument_name)s: %(message)s': 'argumento %(argument_name)s: %(message)s',
    'the following arguments are required: %s': 'faltan estos argumentos: %s',
    'unrecognized arguments: %s': 'argumentos que no conozco: %s',
    'expected one argument': 'falta su valor',
    'expected at least one argument': 'falta al menos un valor',
    'invalid choice: %(value)r (choose from %(choices)s)': 'valor no válido: %(value)r (elige entre %(choices)s)',
    'invalid %(type)s value: %(value)r': 'valor no válido (%(type)s): %(value)r',
    'not allowed with argument %s': 'no se puede usar junto con %s',
    'one of the arguments %s is required': 'hace falta uno de estos argumentos: %s',
}


def analizador(**opciones):
    """Un ``argparse.ArgumentParser`` que escribe su ayuda y sus errores en español."""
    argparse._ = lambda texto: _TEXTOS.get(texto, texto)
    return argparse.ArgumentParser(**opciones)
