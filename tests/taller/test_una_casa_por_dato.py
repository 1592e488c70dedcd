"""Una casa por dato: el código importa cada dato, y cada copia que no puede importarlo se compara con su casa.

| dato | su casa | copias que se comparan aquí |
|---|---|---|
| el puerto de la lección | ``abandono/taller.py`` (``PUERTO_LECCION``) | Dockerfile, Kubernetes, nginx, docs, cuadernos, lo que la lección escribe a mano |
| la raíz del taller | ``abandono/taller.py`` (``RAIZ``) | ninguna: el código la importa |
| el límite del cuerpo | ``abandono/servicio.py`` (``MAX_CUERPO``) | nginx, docs |
| las probabilidades del cliente de la lección | ``abandono/nucleo.py`` | README, docs, cuadernos, comentarios |
| los archivos y los puntos de los ejercicios | ``abandono/calificador/ejercicios.py`` | ``empezar.py``, ``docs/profesorado.md`` |

Si cambias una casa, la prueba de ese dato falla y nombra cada copia que
sigue diciendo lo de antes (archivo y línea), las de las pruebas incluidas.
"""
import ast
import json
import re

import pytest

from abandono import nucleo
from abandono.servicio import MAX_CUERPO
from abandono.taller import PUERTO_LECCION, RAIZ, archivos

# El código del taller que debe importar los datos (el de solutions/ y exercises/ es el de la
# lección, que escribe el puerto a mano; el de tests/ lo usa como dato de sus casos).
CODIGO = ('abandono/', 'bench/', 'servicio1.py', 'flask_test.py', 'gunicorn.conf.py')


def _lineas():
    """(lugar, línea) de cada archivo de texto; de un cuaderno, solo sus celdas (no sus salidas)."""
    for ruta in archivos():
        if ruta.endswith('.ipynb'):
            celdas = json.loads((RAIZ / ruta).read_text(encoding='utf-8'))['cells']
            for i, celda in enumerate(celdas, 1):
                for j, linea in enumerate(''.join(celda['source']).splitlines(), 1):
                    yield f'{ruta} (celda {i}, línea {j})', linea
            continue
        try:
            texto = (RAIZ / ruta).read_text(encoding='utf-8')
        except UnicodeDecodeError:
            continue  # una imagen
        for j, linea in enumerate(texto.splitlines(), 1):
            yield f'{ruta}:{j}', linea


LINEAS = list(_lineas())


def _copias(patron, *, fuera_de_las_pruebas=True):
    """[(lugar, número)] de cada número que ``patron`` captura (en cualquiera de sus grupos)."""
    return [(lugar, int(numero)) for lugar, linea in LINEAS
            if not (fuera_de_las_pruebas and lugar.startswith('tests/'))
            for m in patron.finditer(linea) for numero in m.groups() if numero]


def _donde_sigue(viejo, contexto=r'\b{}\b'):
    """Cada línea, de cualquier archivo, donde sigue escrito ``viejo``."""
    patron = re.compile(contexto.format(re.escape(str(viejo))))
    return [f'  {lugar}: {linea.strip()[:120]}' for lugar, linea in LINEAS if patron.search(linea)]


def _informe(dato, casa, valor, copias, contexto=r'\b{}\b'):
    """El mensaje de fallo: cada valor viejo y todas las líneas que aún lo dicen."""
    viejos = sorted({n for _, n in copias if n != valor})
    partes = [f'{dato} es {valor} ({casa}), pero estas copias dicen otra cosa:',
              *(f'  {lugar}: {n}' for lugar, n in copias if n != valor),
              'y estas líneas, en cualquier archivo, siguen escribiendo ese número:']
    for viejo in viejos:
        lugares = _donde_sigue(viejo, contexto)
        partes.append(f'{viejo}, escrito en {len(lugares)} líneas:\n' + '\n'.join(lugares))
    return '\n'.join(partes)


# --- El puerto -------------------------------------------------------------------------
# Donde un texto dice un puerto sin lugar a dudas: una URL o una dirección, app.run(port=...),
# --port, Kubernetes, el Dockerfile, abandono.redireccion (el 0 de bind, «cualquiera», no cuenta).
PUERTO = re.compile(r"""(?x)
      (?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::|['"],\s*)([1-9]\d*)\b
    | \bport\s*=\s*([1-9]\d*)\b | --port[\ =]([1-9]\d*)\b
    | \bcontainerPort:\s*([1-9]\d*)\b | prometheus\.io/port:\s*"([1-9]\d*)"
    | \bEXPOSE\s+([1-9]\d*)\b | -p\s+([1-9]\d*):([1-9]\d*)\b
    | --puerto\s+([1-9]\d*)=
""")


def test_cada_copia_del_puerto_dice_el_de_su_casa():
    copias = _copias(PUERTO)
    # Lo que no es Python tiene sus copias donde este patrón las ve: si una cambia de forma, que se note.
    for archivo in ('Dockerfile', 'despliegue/k8s/despliegue.yaml', 'despliegue/nginx/abandono.conf',
                    'docs/produccion.md', 'solutions/servicio1.py', 'solutions/probar_servicio.py'):
        assert any(lugar.startswith(f'{archivo}:') for lugar, _ in copias), f'{archivo} ya no dice el puerto'
    assert all(n == PUERTO_LECCION for _, n in copias), _informe(
        'El puerto de la lección', 'abandono/taller.py, PUERTO_LECCION', PUERTO_LECCION, copias)


def _constantes(ruta):
    """Los números y textos del código de ``ruta`` (no sus docstrings), con su línea."""
    arbol = ast.parse((RAIZ / ruta).read_text(encoding='utf-8'))
    docstrings = {id(n.body[0].value) for n in ast.walk(arbol)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(arbol) if isinstance(n, ast.Constant) and id(n) not in docstrings]


def _codigo_del_taller():
    return [r for r in archivos() if r.endswith('.py') and r.startswith(CODIGO)]


def test_el_codigo_importa_el_puerto_la_raiz_y_las_probabilidades():
    """En el código del taller, el número del puerto y las probabilidades solo en su casa, y la raíz solo en taller.py."""
    conocidas = [*nucleo.PROBABILIDADES_CONOCIDAS.values(), nucleo.PROBABILIDAD_CONVERGIDA]
    copias = []
    for ruta in _codigo_del_taller():
        for linea, valor in _constantes(ruta):
            if ruta != 'abandono/taller.py' and type(valor) is int and valor == PUERTO_LECCION:
                copias.append(f'{ruta}:{linea}: el puerto {valor} (importa PUERTO_LECCION de abandono.taller)')
            if ruta != 'abandono/nucleo.py' and type(valor) is float and valor in conocidas:
                copias.append(f'{ruta}:{linea}: la probabilidad {valor} (impórtala de abandono.nucleo)')
        if ruta != 'abandono/taller.py' and re.search(r'__file__\)?\.resolve\(\)\.(parent\.parent|parents\[)',
                                                       (RAIZ / ruta).read_text(encoding='utf-8')):
            copias.append(f'{ruta}: calcula la raíz del taller (importa RAIZ de abandono.taller)')
    assert not copias, '\n'.join(copias)


# --- El límite del cuerpo --------------------------------------------------------------
# Las frases que lo dicen (en MiB) y la directiva de nginx (en «m», MiB también).
LIMITE = re.compile(r"""(?x)
      client_max_body_size\s+(\d+)m\b
    | \(máximo\s+(\d+)\s+MiB | cuerpo\ de\ más\ de\ (\d+)\s+MiB | lote\ lleno\ de\ (\d+)\s+MiB
    | hasta\ (\d+)\s+MiB\ \+\ 1\ byte | MAX_CUERPO[^)]*?\b(\d+)\s+MiB | pase\ de\ (\d+)\s+MiB
    | \b(\d+)\s+MiB\ deja\ margen
""")


def test_cada_copia_del_limite_del_cuerpo_dice_el_de_su_casa():
    mib = MAX_CUERPO // 2**20
    assert MAX_CUERPO == mib * 2**20, 'MAX_CUERPO no es un número entero de MiB: las copias no podrían decirlo'
    copias = _copias(LIMITE)
    assert any(lugar.startswith('despliegue/nginx/abandono.conf:') for lugar, _ in copias)
    assert all(n == mib for _, n in copias), _informe(
        'El límite del cuerpo en MiB', 'abandono/servicio.py, MAX_CUERPO', mib, copias,
        contexto=r'(?:\b{0}\s*MiB\b|client_max_body_size\s+{0}m\b)')
    # Una frase nueva con el límite que el patrón no reconoce se quedaría atrás sin que nadie lo viera.
    reconocidas = {lugar for lugar, _ in copias}
    sueltas = [f'  {lugar}: {linea.strip()[:120]}' for lugar, linea in LINEAS
               if not lugar.startswith('tests/') and re.search(rf'\b{mib}\s*MiB\b', linea) and lugar not in reconocidas]
    assert not sueltas, (f'{mib} MiB aparece donde esta prueba no lo reconoce como el límite del cuerpo; si lo es, '
                         'añade su frase a LIMITE:\n' + '\n'.join(sueltas))


# --- Las probabilidades del cliente de la lección --------------------------------------
# Un número entre 0,05 y 0,08 con tres o más decimales: en este taller, siempre la probabilidad
# del cliente de la lección (la de un núcleo de OpenBLAS o la convergida), redondeada.
PROBABILIDAD = re.compile(r'(?<![\d.,])0[.,]0[5-7]\d+(?![\d])')


def test_cada_probabilidad_escrita_es_una_conocida_redondeada():
    """En lo que se lee (README, docs, cuadernos, el código del taller); las pruebas tienen sus propios números."""
    conocidas = [*nucleo.PROBABILIDADES_CONOCIDAS.values(), nucleo.PROBABILIDAD_CONVERGIDA]
    escritas = [(lugar, m.group(0)) for lugar, linea in LINEAS if not lugar.startswith('tests/')
                for m in PROBABILIDAD.finditer(linea)]
    assert any(lugar.startswith('docs/modelo.md:') for lugar, _ in escritas)
    distintas = [f'  {lugar}: {texto}' for lugar, texto in escritas
                 if not any(round(p, len(texto) - 2) == float(texto.replace(',', '.')) for p in conocidas)]
    assert not distintas, ('Estas probabilidades del cliente de la lección no son ninguna de abandono/nucleo.py '
                           f'({", ".join(map(str, conocidas))}) redondeada:\n' + '\n'.join(distintas))


@pytest.mark.parametrize('nombre, probabilidad', nucleo.PROBABILIDADES_CONOCIDAS.items())
def test_docs_modelo_da_cada_probabilidad_conocida_entera(nombre, probabilidad):
    """docs/modelo.md escribe cada número conocido con sus 7 decimales (el README, el del libro)."""
    assert f'{probabilidad:.7f}' in (RAIZ / 'docs' / 'modelo.md').read_text(encoding='utf-8'), nombre


# --- Los ejercicios ------------------------------------------------------------------------
# Su casa es la tabla, abandono/calificador/ejercicios.py: el texto que cuenta sus archivos o sus
# puntos dice lo mismo que ella.

def test_empezar_nombra_los_archivos_de_la_tabla():
    """El paso 1 nombra lo que copia (los esqueletos de exercises/), que son los archivos de la tabla."""
    from abandono.calificador.ejercicios import ARCHIVOS
    from abandono.empezar import EJERCICIOS, SIGUIENTES_PASOS

    paso = re.search(r'\n\s*1\.(.*?)\n\s*2\.', SIGUIENTES_PASOS, re.S)[1]
    assert '{archivos}' in paso and not re.findall(r'[\w-]+\.py', paso), paso
    assert {esqueleto.name for esqueleto in EJERCICIOS.glob('*.py')} == set(ARCHIVOS)


def test_profesorado_cuenta_los_puntos_de_la_tabla():
    from abandono.calificador.ejercicios import EJERCICIOS

    texto = (RAIZ / 'docs' / 'profesorado.md').read_text(encoding='utf-8')
    total = sum(sum(e.puntos.values()) for e in EJERCICIOS.values())
    assert re.findall(r'`solutions/`, que saca (\d+)/(\d+)', texto) == [(str(total), str(total))]
    tabla = texto[texto.index('| ejercicio | cómo se comprueba | puntos |'):].split('\n\n')[0]
    filas = {int(n): int(p) for n, p in re.findall(r'^\| (\d+) \|.*\| (\d+) \|$', tabla, re.M)}
    assert filas == {n: sum(e.puntos.values()) for n, e in EJERCICIOS.items()}
