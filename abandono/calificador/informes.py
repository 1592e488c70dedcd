"""Lo que escribe el comando de clase, y el único sitio donde se escapa lo que elige una entrega.

Una entrega elige el nombre de su carpeta (o el aula virtual lo arma con su nombre)
y lo que imprime (que llega a los mensajes de suspenso): los dos pueden traer saltos
de línea, HTML, fórmulas, secuencias de escape de terminal o caracteres invisibles.
Cada texto se escapa para su destino:

- ``visible``: cada carácter invisible (``nombres.invisible``: controles, formatos
  como el espacio de ancho cero o los que invierten el sentido del texto, espacios
  que no son el espacio normal) se escribe como ``\\x1b`` o ``\\u200b``; para la
  terminal y los archivos de retroalimentación, que conservan sus saltos de línea;
- ``en_markdown``: además, con los saltos de línea y tabuladores escritos también
  (``honesto\\x0a`` no se confunde con ``honesto``) y con el HTML y la sintaxis de
  tablas y enlaces escapados, para una celda o un título de Markdown;
- ``en_csv``: además, una celda que empieza por ``= + - @`` lleva
  delante un apóstrofo, como aconseja OWASP contra la inyección de fórmulas en hojas
  de cálculo; se mira después de NFKC (``＝`` es ``=``) y de quitar los espacios e
  invisibles del principio, que una hoja de cálculo se salta;
- ``comentario``: una línea de texto para el comentario de Moodle, que lo lee como HTML.

Los archivos los escribe ``notas``; aquí solo se arma su contenido.
"""
import csv
import html
import io
import re
import unicodedata
import urllib.parse
from collections import Counter

from abandono.calificador.complemento import por_ejercicio
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.calificador.juicio import POR_EL_ERROR_DE_ARRIBA
from abandono.calificador.nombres import archivo_de, invisible, parecidos
from abandono.calificador.similitud import UMBRAL

_SOSPECHOSOS = {True: re.compile('[^\x20-\x7e\n\t]'), False: re.compile('[^\x20-\x7e]')}  # por lineas
_MARKDOWN = str.maketrans({c: f'&#{ord(c)};' for c in '|[]`*\\'})
_FORMULA = ('=', '+', '-', '@')


def _escape(encaje):
    caracter = encaje[0]
    if not invisible(caracter):
        return caracter
    codigo = ord(caracter)
    return f'\\x{codigo:02x}' if codigo < 0x100 else f'\\u{codigo:04x}' if codigo < 0x10000 else f'\\U{codigo:08x}'


def visible(texto, lineas=True):
    """``texto`` con cada carácter invisible escrito como ``\\x1b`` (o ``\\u200b``): inerte en una terminal.

    Con ``lineas``, los saltos de línea y los tabuladores se quedan como son.
    """
    return _SOSPECHOSOS[lineas].sub(_escape, texto)


def en_markdown(texto):
    """Una línea de Markdown inerte: sin saltos, sin HTML y sin | [ ] ` * \\ que abran tablas o enlaces."""
    return html.escape(visible(str(texto), lineas=False), quote=True).translate(_MARKDOWN)


def en_csv(valor):
    """Una celda de CSV que ninguna hoja de cálculo ejecuta como fórmula."""
    if not isinstance(valor, str):
        return valor
    texto = visible(valor, lineas=False)
    inicio = unicodedata.normalize('NFKC', valor).lstrip()
    inicio = ''.join(c for c in inicio if not invisible(c)).lstrip()
    return "'" + texto if inicio.startswith(_FORMULA) else texto


def _bloque(texto, sangria='  '):
    """Un bloque de código de Markdown que el texto no puede cerrar (la valla es más larga que sus ```)."""
    valla = '`' * max(3, 1 + max((len(r) for r in re.findall('`+', texto)), default=0))
    return [sangria + valla, *(sangria + linea for linea in visible(texto).splitlines()), sangria + valla]


def numero(valor):
    """Un número de puntos como se escribe: 3, 2.5 (sin .0 de sobra)."""
    valor = round(float(valor), 2)
    return int(valor) if valor.is_integer() else valor


# --- Las notas --------------------------------------------------------------------

def maximos():
    return {n: sum(e.puntos.values()) for n, e in EJERCICIOS.items()}


def calificados(calificacion):
    """{ejercicio: puntos} que dio la calificación, sin ajustes."""
    obtenidos = {n: o for n, (_, o, _) in por_ejercicio(calificacion['resultados']).items()}
    return {n: obtenidos.get(n, 0) for n in EJERCICIOS}


def fila(calificacion):
    """La fila de una entrega: los puntos de cada ejercicio y el total, con los ajustes del profesor aplicados."""
    puntos = calificados(calificacion)
    sin_ajustes = sum(puntos.values())
    for ajuste in calificacion.get('ajustes', ()):
        puntos[ajuste['ejercicio']] = ajuste['despues']
    total = sum(puntos.values())
    return {'entrega': calificacion['entrega'], **{f'ejercicio_{n}': numero(p) for n, p in puntos.items()},
            'total': numero(total), 'maximo': sum(maximos().values()), 'ajuste': numero(total - sin_ajustes)}


def _csv(columnas, filas):
    salida = io.StringIO()
    escritor = csv.DictWriter(salida, columnas, lineterminator='\n')
    escritor.writeheader()
    escritor.writerows({k: en_csv(v) for k, v in f.items()} for f in filas)
    return salida.getvalue()


def texto_csv(calificaciones):
    return _csv(['entrega', *(f'ejercicio_{n}' for n in EJERCICIOS), 'total', 'maximo', 'ajuste'],
                (fila(c) for c in calificaciones))


def _ajuste_en_texto(ajuste):
    cambio = numero(ajuste['despues'] - ajuste['antes'])
    return (f"ejercicio {ajuste['ejercicio']}: {numero(ajuste['antes'])} → {numero(ajuste['despues'])} "
            f"({'+' if cambio > 0 else ''}{cambio})")


def retroalimentacion(calificacion):
    """El Markdown que se devuelve a un estudiante: puntos y, por cada fallo, qué cambiar."""
    f = fila(calificacion)
    lineas = [f"# Calificación de {en_markdown(calificacion['entrega'])}: {f['total']}/{f['maximo']}", '',
              '| ejercicio | puntos |', '|---|---:|']
    for n, e in EJERCICIOS.items():
        lineas.append(f"| {n}. {e.titulo} | {f[f'ejercicio_{n}']}/{sum(e.puntos.values())} |")
    if calificacion.get('tarde'):
        lineas += ['', 'Canvas marca esta entrega como entregada tarde: la política de retrasos la aplica Canvas.']
    for aviso in calificacion.get('avisos', ()):
        lineas += ['', f'**Al desempaquetar:** {en_markdown(aviso)}']
    if calificacion['error']:
        lineas += ['', f"**Aviso:** {_sin_terminar(calificacion)}; lo que no se llegó a comprobar cuenta 0."]
    for ajuste in calificacion.get('ajustes', ()):
        lineas += ['', f"**Ajuste del profesor**, {_ajuste_en_texto(ajuste)}: {en_markdown(ajuste['motivo'])}"]
    for r in calificacion['resultados']:
        marca = '✔' if r['obtenidos'] == r['puntos'] else '✘'
        lineas += ['', f"- {marca} Ejercicio {r['ejercicio']}, {r['descripcion']}: {r['obtenidos']}/{r['puntos']}"]
        if r['obtenidos'] < r['puntos'] and r['mensaje']:
            lineas += ['', *_bloque(r['mensaje'])]
        lineas += [f'  - Nota: {en_markdown(nota)}' for nota in r.get('notas', [])]   # aunque pase: no cuesta puntos
    return '\n'.join(lineas) + '\n'


def _sin_terminar(calificacion):
    """Por qué no se calificó todo: lo que pasó al desempaquetarla, o el error de la calificación."""
    if not calificacion['resultados']:
        return en_markdown(calificacion['error'].rstrip('.'))
    return f"la calificación no terminó con normalidad ({en_markdown(calificacion['error'])})"


def primer_fallo(calificacion):
    """La primera causa de que falten puntos, en una línea (o '' si no falta ninguno)."""
    if calificacion['error']:
        return calificacion['error'] if not calificacion['resultados'] else (
            f"la calificación no terminó con normalidad: {calificacion['error']}")
    for r in calificacion['resultados']:
        if r['obtenidos'] < r['puntos'] and r['mensaje'] and not r['mensaje'].startswith(POR_EL_ERROR_DE_ARRIBA):
            return f"ejercicio {r['ejercicio']}, {r['mensaje'].strip().splitlines()[0]}"
    return ''


def comentario(calificacion, archivo='retroalimentacion.md'):
    """El comentario de Moodle: los puntos de cada ejercicio y la primera causa, en una línea escapada para HTML."""
    f = fila(calificacion)
    partes = [f"{f['total']}/{f['maximo']} puntos. "
              + '; '.join(f"Ejercicio {n}: {f[f'ejercicio_{n}']}/{m}" for n, m in maximos().items()) + '.']
    if fallo := primer_fallo(calificacion):
        partes.append(f"Primer fallo, {fallo[:300].rstrip('.')}.")
    partes += [f"Ajuste del profesor, {_ajuste_en_texto(a)}: {a['motivo']}." for a in calificacion.get('ajustes', ())]
    partes.append(f'El detalle de cada comprobación, en {archivo}.')
    return html.escape(visible(' '.join(' '.join(partes).split())), quote=False)


def fallos_comunes(calificaciones, cuantos=8):
    return Counter(f"Ej. {r['ejercicio']}: {r['descripcion']}" for c in calificaciones for r in c['resultados']
                   if r['obtenidos'] < r['puntos']).most_common(cuantos)


def grafico(calificaciones):
    """PNG con los puntos medios por ejercicio (en %, con los ajustes) y los fallos más comunes."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    figura, (izquierda, derecha) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={'width_ratios': [1, 1.6]})
    tope = maximos()
    filas = [fila(c) for c in calificaciones]
    medias = [100 * sum(f[f'ejercicio_{n}'] for f in filas) / max(1, len(filas) * tope[n]) for n in EJERCICIOS]
    izquierda.bar([f'Ej. {n}' for n in EJERCICIOS], medias, color='#4C72B0')
    izquierda.set_ylim(0, 100)
    izquierda.set_ylabel('% de los puntos (media de la clase)')
    izquierda.set_title('Puntos por ejercicio')
    comunes = fallos_comunes(calificaciones)
    if comunes:
        nombres, veces = zip(*reversed(comunes))
        derecha.barh([n if len(n) <= 60 else n[:59] + '…' for n in nombres], veces, color='#DD8452')
        derecha.set_xlabel('entregas que fallan la comprobación')
    derecha.set_title('Fallos más comunes')
    figura.tight_layout()
    salida = io.BytesIO()
    figura.savefig(salida, format='png', dpi=100)
    plt.close(figura)
    return salida.getvalue()


def _enlace(entrega):
    return f"[{en_markdown(entrega)}](retroalimentacion/{urllib.parse.quote(archivo_de(entrega))})"


def _aviso(calificacion):
    partes = [calificacion['error'] or '']
    if calificacion.get('tarde'):
        partes.append('tarde (según Canvas)')
    if calificacion.get('avisos'):
        partes.append(f"{len(calificacion['avisos'])} avisos al desempaquetar")
    return '; '.join(p for p in partes if p)


def informe(calificaciones, segundos, pares=(), aviso_clase='', *, fecha='', recalificadas=(), ajustes_sin_aplicar=(),
            avisos=()):
    """``informe.md``. ``fecha``: la de la calificación de la clase; ``recalificadas``: [(entrega, fecha)];
    ``avisos``: lo que el profesor debe saber del aula virtual (entregas que no están en su hoja)."""
    lineas = ['# Informe de calificaciones', '',
              f'{len(calificaciones)} entregas calificadas el {fecha} en {segundos:.0f} s.',
              *(f'Recalificada después: {en_markdown(e)}, el {f}.' for e, f in recalificadas),
              *([aviso_clase] if aviso_clase else []),
              '', '![Puntos por ejercicio y fallos más comunes](grafico.png)', '',
              *(f'- Ejercicio {n}: {e.titulo} ({sum(e.puntos.values())} puntos)' for n, e in EJERCICIOS.items()), '',
              '| entrega | ' + ' | '.join(f'ej. {n}' for n in EJERCICIOS) + ' | total | aviso |',
              '|---|' + '---:|' * (len(EJERCICIOS) + 1) + '---|']
    for c in calificaciones:
        f = fila(c)
        ajuste = f" ({'+' if f['ajuste'] > 0 else ''}{f['ajuste']} a mano)" if f['ajuste'] else ''
        lineas.append(f"| {_enlace(c['entrega'])} | "
                      + ' | '.join(str(f[f'ejercicio_{n}']) for n in EJERCICIOS)
                      + f" | {f['total']}/{f['maximo']}{ajuste} | {en_markdown(_aviso(c))} |")
    lineas += ['', '## Avisos', '', *(f'- {en_markdown(a)}' for a in avisos)] if avisos else []
    lineas += _ajustes(calificaciones, ajustes_sin_aplicar)
    lineas += _nombres_que_se_confunden([c['entrega'] for c in calificaciones])
    lineas += ['', '## Fallos más comunes', '', *(f'- {n}: {v}' for n, v in fallos_comunes(calificaciones))]
    lineas += ['', '## Entregas que se parecen', '', *_resumen_similitud(pares)]
    lineas += ['', '## Para revisar a mano', '', *_para_revisar(pares)]
    return '\n'.join(lineas) + '\n'


def _para_revisar(comparacion):
    """Lo que similitud.py encontró en el código de cada entrega: no quita puntos, pide una mirada."""
    avisos = getattr(comparacion, 'revisar', [])
    lineas = [f'**Aviso:** {en_markdown(comparacion.aviso)}.', ''] if getattr(comparacion, 'aviso', '') else []
    if not avisos:
        return lineas + ['Nada: ninguna entrega ejecuta texto decodificado ni enciende el depurador con algo '
                         'que no sea la constante False.']
    return lineas + ['No quitan puntos: leer el depurador del entorno es legítimo, pero también lo es encenderlo '
                     'en todas partes menos donde se califica, y exec de un texto decodificado puede esconder '
                     'una copia o lo que la entrega hace de verdad.', '',
                     *(f'- {en_markdown(a.entrega)}, {en_markdown(a.donde)}: {en_markdown(a.motivo)}'
                       + (f' (<code>{en_markdown(a.codigo)}</code>)' if a.codigo else '') for a in avisos)]


def _ajustes(calificaciones, sin_aplicar):
    aplicados = [f"- {en_markdown(c['entrega'])}, {_ajuste_en_texto(a)}: {en_markdown(a['motivo'])}"
                 for c in calificaciones for a in c.get('ajustes', ())]
    if not aplicados and not sin_aplicar:
        return []
    return ['', '## Ajustes a mano (ajustes.csv)', '', *aplicados,
            *(['', 'No se aplicaron:', '', *(f'- {en_markdown(e)}' for e in sin_aplicar)] if sin_aplicar else [])]


def _nombres_que_se_confunden(nombres):
    grupos = parecidos(nombres)
    if not grupos:
        return []
    lineas = ['', '## Nombres que se confunden', '',
              'Estas entregas tienen nombres que se ven iguales (difieren en caracteres invisibles, espacios o '
              'letras de ancho completo). Cada una tiene su fila y su archivo: comprueba de quién es cada una.', '']
    for grupo in grupos:
        lineas.append('- ' + ' y '.join(f'{_enlace(n)} (escrito {en_markdown(ascii(n))})' for n in grupo))
    return lineas


# --- Similitud ---------------------------------------------------------------------

_LEER_SIMILITUD = ('Un parecido alto es un motivo para mirar las dos entregas, no un veredicto: en una lección '
                   'corta muchas respuestas correctas se parecen. El esqueleto no cuenta.')


def _resumen_similitud(pares, cuantos=5):
    altos = [p for p in pares if p.parecido >= UMBRAL]
    if not altos:
        return [f'Ningún par comparte el {UMBRAL:.0%} o más de su código (sin el esqueleto). Detalle en similitud.md.']
    return [f'{len(altos)} pares comparten el {UMBRAL:.0%} o más de su código (sin el esqueleto); los primeros:', '',
            *(f'- {en_markdown(p.a)} y {en_markdown(p.b)}: {p.parecido:.0%}' for p in altos[:cuantos]), '',
            _LEER_SIMILITUD + ' Todos los pares y sus líneas compartidas, en similitud.md y similitud.csv.']


def similitud_csv(pares):
    return _csv(['entrega_a', 'entrega_b', 'parecido', 'tokens_compartidos', 'lineas_compartidas'],
                ({'entrega_a': p.a, 'entrega_b': p.b, 'parecido': p.parecido, 'tokens_compartidos': p.tokens,
                  'lineas_compartidas': ' ⏎ '.join(f'{l.texto} ({l.donde_a} y {l.donde_b})' for l in p.lineas)}
                 for p in pares))


def similitud_md(pares, cuantos=50):
    lineas = ['# Entregas que se parecen', '',
              'Pares de entregas ordenados por la parte de su código que comparten, sin contar el esqueleto '
              '(copydetect: cambiar nombres y comentarios no esconde una copia). ' + _LEER_SIMILITUD, '',
              'Cada línea que se muestra está, idéntica, en las dos entregas, con su archivo y su línea en cada una.',
              '', '| entrega | entrega | parecido | tokens | algunas líneas compartidas |', '|---|---|---:|---:|---|']
    for p in pares[:cuantos]:
        compartidas = '<br>'.join(f'<code>{en_markdown(l.texto)}</code> ({en_markdown(l.donde_a)} y '
                                  f'{en_markdown(l.donde_b)})' for l in p.lineas)
        lineas.append(f'| {en_markdown(p.a)} | {en_markdown(p.b)} | {p.parecido:.0%} | {p.tokens} | {compartidas} |')
    if not pares:
        lineas.append('| (ninguno) | | | | |')
    return '\n'.join(lineas) + '\n'
