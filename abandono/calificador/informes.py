"""Lo que escribe la orden de clase, y el único sitio donde se escapa lo que elige una entrega.

Una entrega elige el nombre de su carpeta y lo que imprime (que llega a los
mensajes de suspenso): los dos pueden traer saltos de línea, HTML, fórmulas o
secuencias de escape de terminal. Cada texto se escapa para su destino:

- ``visible``: los caracteres de control (y los que invierten el sentido del
  texto) como ``\\x1b``; para la terminal y los archivos de retroalimentación;
- ``en_markdown``: además, sin saltos de línea y con el HTML y la sintaxis de
  tablas y enlaces escapados, para una celda o un título de Markdown;
- ``en_csv``: además, una celda que empieza por ``= + - @`` (o tabulador o
  retorno) lleva delante un apóstrofo, como aconseja OWASP contra la inyección
  de fórmulas en hojas de cálculo.

Se escribe en ``salida``: ``calificaciones.csv``, ``informe.md``,
``grafico.png``, ``similitud.csv``, ``similitud.md`` y ``retroalimentacion/``.
"""
import contextlib
import csv
import html
import io
import os
import re
import shutil
import tempfile
import urllib.parse
from collections import Counter
from datetime import datetime
from pathlib import Path

from abandono.calificador.complemento import por_ejercicio
from abandono.calificador.ejercicios import EJERCICIOS
from abandono.calificador.similitud import UMBRAL

# C0 (menos salto de línea y tabulador), DEL, C1 y los controles de dirección (Trojan Source).
_CONTROL = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]')
_MARKDOWN = str.maketrans({c: f'&#{ord(c)};' for c in '|[]`*\\'})


def visible(texto):
    """``texto`` con cada carácter de control escrito como ``\\x1b`` (o ``\\u202e``): inerte en una terminal."""
    return _CONTROL.sub(lambda m: f'\\x{ord(m[0]):02x}' if ord(m[0]) < 0x100 else f'\\u{ord(m[0]):04x}', texto)


def en_markdown(texto):
    """Una línea de Markdown inerte: sin saltos, sin HTML y sin | [ ] ` * \\ que abran tablas o enlaces."""
    return html.escape(visible(' '.join(str(texto).splitlines())), quote=True).translate(_MARKDOWN)


def en_csv(valor):
    """Una celda de CSV que ninguna hoja de cálculo ejecuta como fórmula."""
    if not isinstance(valor, str):
        return valor
    texto = visible(' '.join(valor.splitlines()))
    return "'" + texto if texto[:1] in ('=', '+', '-', '@', '\t', '\r') else texto


def _bloque(texto, sangria='  '):
    """Un bloque de código de Markdown que el texto no puede cerrar (la valla es más larga que sus ```)."""
    valla = '`' * max(3, 1 + max((len(r) for r in re.findall('`+', texto)), default=0))
    return [sangria + valla, *(sangria + linea for linea in visible(texto).splitlines()), sangria + valla]


# --- Las notas --------------------------------------------------------------------

def maximos():
    return {n: sum(e.puntos.values()) for n, e in EJERCICIOS.items()}


def fila(calificacion):
    obtenidos = {n: o for n, (_, o, _) in por_ejercicio(calificacion['resultados']).items()}
    puntos = {f'ejercicio_{n}': obtenidos.get(n, 0) for n in EJERCICIOS}
    return {'entrega': calificacion['entrega'], **puntos, 'total': sum(puntos.values()),
            'maximo': sum(maximos().values())}


def escribir_atomico(ruta, contenido):
    """Escribe en un temporal de la misma carpeta y lo cambia de una vez por ``ruta``."""
    ruta = Path(ruta)
    fd, temporal = tempfile.mkstemp(dir=ruta.parent, prefix='.escribiendo.')
    try:
        with os.fdopen(fd, 'wb') as archivo:
            archivo.write(contenido if isinstance(contenido, bytes) else contenido.encode('utf-8'))
        os.replace(temporal, ruta)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporal)
        raise


def _csv(columnas, filas):
    salida = io.StringIO()
    escritor = csv.DictWriter(salida, columnas, lineterminator='\n')
    escritor.writeheader()
    escritor.writerows({k: en_csv(v) for k, v in f.items()} for f in filas)
    return salida.getvalue()


def texto_csv(calificaciones):
    return _csv(['entrega', *(f'ejercicio_{n}' for n in EJERCICIOS), 'total', 'maximo'],
                (fila(c) for c in calificaciones))


def retroalimentacion(calificacion):
    """El Markdown que se devuelve a un estudiante: puntos y, por cada fallo, qué cambiar."""
    f = fila(calificacion)
    lineas = [f"# Calificación de {en_markdown(calificacion['entrega'])}: {f['total']}/{f['maximo']}", '',
              '| ejercicio | puntos |', '|---|---:|']
    for n, e in EJERCICIOS.items():
        lineas.append(f"| {n}. {e.titulo} | {f[f'ejercicio_{n}']}/{sum(e.puntos.values())} |")
    if calificacion['error']:
        lineas += ['', f"**Aviso:** la calificación no terminó con normalidad ({en_markdown(calificacion['error'])}); "
                       'lo que no se llegó a comprobar cuenta 0.']
    for r in calificacion['resultados']:
        marca = '✔' if r['obtenidos'] == r['puntos'] else '✘'
        lineas += ['', f"- {marca} Ejercicio {r['ejercicio']}, {r['descripcion']}: {r['obtenidos']}/{r['puntos']}"]
        if r['obtenidos'] < r['puntos'] and r['mensaje']:
            lineas += ['', *_bloque(r['mensaje'])]
        lineas += [f'  - Nota: {en_markdown(nota)}' for nota in r.get('notas', [])]   # aunque pase: no cuesta puntos
    return '\n'.join(lineas) + '\n'


def fallos_comunes(calificaciones, cuantos=8):
    return Counter(f"Ej. {r['ejercicio']}: {r['descripcion']}" for c in calificaciones for r in c['resultados']
                   if r['obtenidos'] < r['puntos']).most_common(cuantos)


def grafico(calificaciones):
    """PNG con los puntos medios por ejercicio (en %) y los fallos más comunes."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    figura, (izquierda, derecha) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={'width_ratios': [1, 1.6]})
    tope = maximos()
    medias = [100 * sum(fila(c)[f'ejercicio_{n}'] for c in calificaciones) / max(1, len(calificaciones) * tope[n])
              for n in EJERCICIOS]
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


def archivo_de(entrega):
    """El nombre del archivo de retroalimentación de ``entrega``, sin saltos de línea ni controles."""
    return visible(' '.join(entrega.splitlines())) + '.md'


def informe(calificaciones, segundos, pares=(), aviso_clase=''):
    lineas = ['# Informe de calificaciones', '',
              f'{len(calificaciones)} entregas calificadas el {datetime.now():%d/%m/%Y a las %H:%M} '
              f'en {segundos:.0f} s.', *([aviso_clase] if aviso_clase else []),
              '', '![Puntos por ejercicio y fallos más comunes](grafico.png)', '',
              *(f'- Ejercicio {n}: {e.titulo} ({sum(e.puntos.values())} puntos)' for n, e in EJERCICIOS.items()), '',
              '| entrega | ' + ' | '.join(f'ej. {n}' for n in EJERCICIOS) + ' | total | aviso |',
              '|---|' + '---:|' * (len(EJERCICIOS) + 1) + '---|']
    for c in calificaciones:
        f = fila(c)
        lineas.append(f"| {_enlace(c['entrega'])} | "
                      + ' | '.join(str(f[f'ejercicio_{n}']) for n in EJERCICIOS)
                      + f" | {f['total']}/{f['maximo']} | {en_markdown(c['error'] or '')} |")
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


# --- La carpeta de salida ---------------------------------------------------------

SALIDAS = ('calificaciones.csv', 'informe.md', 'grafico.png', 'similitud.csv', 'similitud.md', 'retroalimentacion')


def preparar_salida(salida):
    """Crea la carpeta y borra lo de una calificación anterior, para que nada viejo parezca nuevo."""
    salida.mkdir(parents=True, exist_ok=True)
    for nombre in SALIDAS:
        ruta = salida / nombre
        if ruta.is_dir() and not ruta.is_symlink():
            shutil.rmtree(ruta)
        elif ruta.exists() or ruta.is_symlink():
            ruta.unlink()  # un archivo, un enlace o una FIFO: fuera, sin abrirlo
    (salida / 'retroalimentacion').mkdir()


def escribir(calificaciones, salida, segundos, pares=(), aviso_clase=''):
    for c in calificaciones:
        escribir_atomico(salida / 'retroalimentacion' / archivo_de(c['entrega']), retroalimentacion(c))
    escribir_atomico(salida / 'grafico.png', grafico(calificaciones))
    escribir_atomico(salida / 'similitud.csv', similitud_csv(pares))
    escribir_atomico(salida / 'similitud.md', similitud_md(pares))
    escribir_atomico(salida / 'informe.md', informe(calificaciones, segundos, pares, aviso_clase))
    escribir_atomico(salida / 'calificaciones.csv', texto_csv(calificaciones))  # el último: señal de que terminó
