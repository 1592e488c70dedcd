"""Una hoja CSV del aula virtual que vuelve tal como llegó, salvo las celdas que se rellenan.

La hoja se parte en celdas sin interpretarlas: su BOM, su separador (coma, punto y
coma o tabulador), sus comillas, sus saltos de línea (``\\n`` o ``\\r\\n``) y cada
celda que no se toca se escriben de vuelta byte a byte. Solo la celda que se
rellena se escribe de nuevo, entre comillas si las necesita.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_SEPARADORES = (',', ';', '\t')


def _separador(texto):
    """El separador de la primera fila: el que más aparece fuera de comillas."""
    cuenta, comillas = dict.fromkeys(_SEPARADORES, 0), False
    for caracter in texto:
        if caracter == '"':
            comillas = not comillas
        elif not comillas and caracter in '\r\n':
            break
        elif not comillas and caracter in cuenta:
            cuenta[caracter] += 1
    return max(_SEPARADORES, key=lambda s: cuenta[s])


def _partir(texto, separador):
    """([celdas crudas de cada fila], [fin de línea de cada fila]) con las comillas tal cual."""
    filas, finales, fila, inicio, comillas, i = [], [], [], 0, False, 0
    while i < len(texto):
        caracter = texto[i]
        if comillas:
            if caracter == '"':
                if texto.startswith('""', i):
                    i += 2
                    continue
                comillas = False
        elif caracter == '"':
            comillas = True
        elif caracter == separador:
            fila.append(texto[inicio:i])
            inicio = i + 1
        elif caracter in '\r\n':
            fin = i + 2 if texto.startswith('\r\n', i) else i + 1
            fila.append(texto[inicio:i])
            filas.append(fila)
            finales.append(texto[i:fin])
            fila, inicio, i = [], fin, fin
            continue
        i += 1
    if inicio < len(texto) or fila:
        fila.append(texto[inicio:])
        filas.append(fila)
        finales.append('')
    return filas, finales


def _valor(crudo):
    if len(crudo) >= 2 and crudo[0] == crudo[-1] == '"':
        return crudo[1:-1].replace('""', '"')
    return crudo


class Hoja:
    def __init__(self, texto):
        self.bom = texto.startswith('\ufeff')
        texto = texto.removeprefix('\ufeff')
        self.separador = _separador(texto)
        self._filas, self._finales = _partir(texto, self.separador)

    def __len__(self):
        return len(self._filas)

    def celdas(self, fila):
        return [_valor(c) for c in self._filas[fila]]

    def poner(self, fila, columna, valor):
        """Escribe ``valor`` en la celda, entre comillas si lleva separador, comillas, saltos o espacios a los lados."""
        if any(c in valor for c in (self.separador, '"', '\r', '\n')) or valor != valor.strip():
            valor = '"' + valor.replace('"', '""') + '"'
        celdas = self._filas[fila]
        celdas += [''] * (columna + 1 - len(celdas))
        celdas[columna] = valor

    def texto(self):
        return ('\ufeff' if self.bom else '') + ''.join(
            self.separador.join(celdas) + final for celdas, final in zip(self._filas, self._finales))


def leer(ruta):
    """La hoja del archivo ``ruta`` (UTF-8, con BOM o sin él); ValueError en español si no se puede."""
    try:
        return Hoja(ruta.read_bytes().decode('utf-8'))
    except UnicodeDecodeError:
        raise ValueError(f'{ruta} no está en UTF-8: descárgala otra vez del aula virtual, sin abrirla ni '
                         'guardarla con una hoja de cálculo') from None
    except OSError as error:
        raise ValueError(f'no se puede leer {ruta}: {error.strerror}') from None


def nota_para(total, maximo, celda_maxima):
    """``total`` (de ``maximo``) en la escala del aula, cuyo máximo está en ``celda_maxima`` ('100.00', '10,00').

    Con el mismo separador decimal que esa celda y dos decimales (la mitad, hacia
    arriba: 8,125 es 8,13), como las exporta el aula; si la celda no es un número
    positivo, el total tal cual.
    """
    texto = celda_maxima.strip()
    decimal = ',' if ',' in texto and '.' not in texto else '.'
    try:
        maximo_aula = Decimal(texto.replace(',', '.'))
    except InvalidOperation:
        maximo_aula = Decimal(0)
    nota = Decimal(str(total)) * (maximo_aula / Decimal(maximo) if maximo_aula > 0 else 1)
    return str(nota.quantize(Decimal('0.01'), ROUND_HALF_UP)).replace('.', decimal)
