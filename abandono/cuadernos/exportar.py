"""make html: los cuadernos, con sus salidas guardadas, como páginas web (se leen sin Jupyter).

    python -m abandono.cuadernos.exportar html      # html/index.html y una página por cuaderno
"""
import html
import re
import sys
from pathlib import Path

from abandono.ayuda import analizador
from abandono.cuadernos.ejecutar import cuadernos


def exportar_html(destino, rutas):
    """Cada cuaderno, con sus salidas guardadas, como página web, y un índice que los enlaza."""
    import nbformat
    from nbconvert import HTMLExporter

    destino = Path(destino)
    destino.mkdir(parents=True, exist_ok=True)
    exportador = HTMLExporter()
    enlaces = []
    for ruta in rutas:
        nb = nbformat.read(ruta, as_version=4)
        pagina, _ = exportador.from_notebook_node(nb)  # no ejecuta nada: usa lo guardado
        (destino / f'{ruta.stem}.html').write_text(pagina, encoding='utf-8')
        titulo = html.escape(nb.cells[0].source.splitlines()[0].lstrip('# '))
        titulo = re.sub(r'`([^`]+)`', r'<code>\1</code>', titulo)
        enlaces.append(f'    <li><a href="{ruta.stem}.html">{titulo}</a></li>')
    (destino / 'index.html').write_text(_INDICE.format(enlaces='\n'.join(enlaces)), encoding='utf-8')
    return destino / 'index.html'


_INDICE = """<!DOCTYPE html>
<html lang="es">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Taller: desplegar el modelo de abandono de clientes</title>
  <style>body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }}</style>
</head>
<body>
  <h1>Taller: desplegar el modelo de abandono de clientes</h1>
  <p>Los cuadernos de la lección, en orden y con las salidas que dieron al ejecutarse (con tu carpeta
  recién creada, sin tu código todavía), y los apéndices «Para saber más». Se leen sin Jupyter; para
  ejecutarlos tú, <code>make jupyter</code>.</p>
  <ul>
{enlaces}
  </ul>
</body>
</html>
"""


def main(argv=None):
    parser = analizador(description='Escribe cada cuaderno con sus salidas guardadas como HTML, con un index.html.')
    parser.add_argument('destino', type=Path, help='la carpeta donde se escriben las páginas (por ejemplo html)')
    print(f'Abre {exportar_html(parser.parse_args(argv).destino, cuadernos())} en el navegador.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
