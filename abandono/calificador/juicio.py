"""Ayudas de las pruebas de tests/ejercicios: mensajes de suspenso, notas y lectura de lo observado.

Cada fallo empieza por una frase llana que un principiante puede seguir; después
dice qué se esperaba, qué llegó y el arreglo, y al final, de detalle, el error de
Python o la respuesta HTTP. Una misma causa se explica una vez (``una_vez``): lo
demás que falla por ella solo la nombra. Nada de lo que se muestra copia la
solución: de lo que devuelve el estudiante se enseña un resumen corto, y de sus
errores, la última línea.

Una prueba que pasa puede dejar una ``nota`` (un número redondeado, un puerto que
no es el de la lección): el estudiante la lee junto a sus puntos.
"""
import ast
import contextvars
import math
import re
import time

import pytest
import requests

from abandono.calificador import diagnostico, limites
from abandono.calificador.ejercicios import CARPETA_DE_TRABAJO
from abandono.calificador.observacion import URL_DEL_DEPURADOR as _URL_DEL_DEPURADOR
from abandono.calificador.observacion import pedir
from abandono.calificador.referencia import Escrito, coincide

_NUMERO = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?')
MAX_NUMEROS_IMPRESOS = 12   # más números que esto en la salida no es "imprimir la probabilidad"
_PORCENTAJE = re.compile(r'([-+]?\d+(?:[.,]\d+)?)\s*%')
MAX_NUMEROS_JSON = 4        # más valores numéricos que esto en la respuesta no es "la probabilidad"
POR_EL_ERROR_DE_ARRIBA = 'No se pudo comprobar por el error de arriba'
# Lo que anota la prueba en curso (el complemento lo pone y lo lee): {'notas': [...], 'causa': '...'}.
PRUEBA = contextvars.ContextVar('prueba')


def script(archivo):
    """Cómo ejecuta el estudiante ``archivo`` en el taller (y la caja): desde la raíz, en su carpeta."""
    return f'python {CARPETA_DE_TRABAJO}/{archivo}'


# --- Mensajes --------------------------------------------------------------------------

def suspenso(que, esperado, obtenido, pista, detalle='', nota=''):
    """Falla la prueba con su bloque: la frase llana, lo esperado, lo obtenido, la pista y, si hay, nota y detalle."""
    lineas = [que, f'  Se esperaba: {esperado}', f'  Se obtuvo:   {obtenido}', f'  Pista: {pista}']
    if nota:
        lineas.append(f'  Nota: {nota}')
    if detalle:
        lineas.append('  Detalle: ' + '\n           '.join(detalle.splitlines()))
    pytest.fail('\n'.join(lineas), pytrace=False)


def _anotar(clave, valor):
    prueba = PRUEBA.get(None)
    if prueba is not None:
        if clave == 'notas':
            prueba['notas'].append(valor)
        else:
            prueba[clave] = valor


def nota(texto):
    """Deja una nota para el estudiante en la prueba en curso, aunque pase (no cuesta puntos)."""
    _anotar('notas', texto)


def una_vez(observador, causa, que, esperado, obtenido, pista, detalle='', nota=''):
    """Suspende con el bloque entero la primera vez que ``causa`` (un texto corto) aparece y, después, con una línea.

    Las comprobaciones que fallan solo por una causa ya explicada (un archivo que falta o que
    no se importa) no repiten su bloque ni dan pistas sobre código que está bien.
    """
    _anotar('causa', causa)
    if causa in observador.dichas:
        pytest.fail(f'{POR_EL_ERROR_DE_ARRIBA} ({causa})', pytrace=False)
    observador.dichas.add(causa)
    suspenso(que, esperado, obtenido, pista, detalle, nota)


def falta(observador, archivo):
    """Si ``archivo`` no está en la entrega, una línea: qué se encontró en su lugar y cómo se renombra."""
    if observador.entrada.existe(archivo):
        return
    causa = f'falta {archivo}'
    _anotar('causa', causa)
    if causa in observador.dichas:
        pytest.fail(f'{POR_EL_ERROR_DE_ARRIBA} ({causa})', pytrace=False)
    observador.dichas.add(causa)
    parecidos = diagnostico.mal_puestos(observador.entrada.entrega, archivo)
    if parecidos:
        arreglo = diagnostico.como_arreglar_el_nombre(parecidos[0], archivo)
        linea = f'Falta {archivo}: encontré {parecidos[0]}; {arreglo}.'
    else:
        linea = f'Falta {archivo}: no está en la entrega (la lección lo llama así, con ese nombre exacto).'
    pytest.fail(linea, pytrace=False)


def bloque(observador, causa, esperado, obtenido=None):
    """El bloque de una :class:`diagnostico.Causa`: su frase, su arreglo y, de detalle, el error y la línea."""
    detalle = '\n'.join(filter(None, [causa.error, f'{causa.donde}: {causa.codigo}' if causa.codigo else '']))
    una_vez(observador, causa.nombre, f'{causa.donde}: {causa.explicacion}', esperado,
            obtenido or (f'se detiene en la línea {causa.linea}' if causa.linea else 'se detiene con un error'),
            causa.arreglo, detalle)


def por_causa(observador, causa, al_importar):
    """El bloque de un error que detiene un archivo (al importarlo o al ejecutarlo como script)."""
    if al_importar:
        esperado = f'que "import {causa.archivo.removesuffix(".py")}" termine sin errores (así se prueba lo que define)'
    else:
        esperado = f'que "{script(causa.archivo)}" llegue al final sin errores'
    bloque(observador, causa, esperado)


def ultima_linea(texto):
    """La última línea no vacía de un texto (un traceback, la salida de un proceso), recortada."""
    lineas = [l.strip() for l in diagnostico.sin_rutas_de_la_caja(texto).splitlines() if l.strip()]
    return lineas[-1][:200] if lineas else '(nada)'


# --- Causas que un error solo no dice: se leen del código y de lo observado ---------------

def _fuente(observador, archivo):
    return observador.entrada.texto(archivo) if observador.entrada.existe(archivo) else ''


def _causa(observador, archivo, explicacion, arreglo, linea, etiqueta):
    codigo = diagnostico.texto_de_la_linea(_fuente(observador, archivo), linea)
    return diagnostico.Causa(archivo, '', linea, codigo, explicacion, arreglo, etiqueta)


def devuelve_matriz(observador, archivo):
    """True si la sonda vio que ``predict_cliente`` devuelve una matriz (y_pred en vez de y_pred[0])."""
    observado = observador.importado(archivo)
    resultados = ((observado.informe or {}).get('sondas') or {}).get('predict_cliente') if observado else None
    return bool(resultados) and bool(resultados[0].get('forma'))


def causa_matriz(observador, archivo):
    funcion = diagnostico.funcion_llamada(_fuente(observador, archivo), 'predict_cliente')
    retornos = diagnostico.retornos(funcion)
    return _causa(observador, archivo, 'predict_cliente devuelve la matriz que da predict_proba (y_pred), no el número '
                                       'que hay dentro.', 'devuelve el número: return y_pred[0]',
                  retornos[-1] if retornos else None, 'predict_cliente devuelve la matriz')


def funcion_de_la_ruta(observador, archivo, regla='/predict'):
    """El ``ast.FunctionDef`` de la función que atiende ``regla`` (de ``app.url_map``, por la sonda), o None."""
    observado = observador.importado(archivo)
    rutas = ((observado.informe or {}).get('app') or []) if observado else []
    nombre = next((r['funcion'] for r in rutas if r['regla'] == regla), None)
    return diagnostico.funcion_llamada(_fuente(observador, archivo), nombre) if nombre else None


def causa_del_formulario(observador, archivo):
    """La :class:`Causa` de leer el cliente de ``request.form`` o ``request.args`` en /predict, o None."""
    lee = diagnostico.lee_de_un_formulario(funcion_de_la_ruta(observador, archivo))
    if lee is None:
        return None
    linea, de_donde = lee
    return _causa(observador, archivo,
                  f'lees el cliente de {de_donde}, que es para formularios HTML o la URL; el cliente llega en el '
                  f'cuerpo de la petición, en JSON, así que {de_donde} llega vacío.',
                  'léelo del cuerpo JSON: cliente = request.get_json()', linea, f'el cliente se lee de {de_donde}')


def causa_arranque(observador, archivo):
    """La :class:`Causa` de un ``app.run(...)`` que corre al importar (fuera de ``if __name__``), o None."""
    linea = diagnostico.arranque_fuera_del_main(_fuente(observador, archivo))
    if linea is None:
        return None
    return _causa(observador, archivo,
                  "app.run(...) está fuera de if __name__ == '__main__':, así que también corre al importar el "
                  'archivo: arranca un servidor, se queda sirviendo y lo que va debajo no llega a ejecutarse.',
                  f"muévelo dentro de if __name__ == '__main__':, al final del archivo: así \"{script(archivo)}\" "
                  f'lo arranca e "import {archivo.removesuffix(".py")}" solo define la app.', linea,
                  "app.run fuera de if __name__ == '__main__'")


def en_contexto(observador, causa, regla='/predict'):
    """La causa de un error, con lo que el error no dice: la matriz de predict_cliente o el return de ``regla``."""
    if any(s in causa.error for s in ('ndarray', '0-dimensional', 'length-1')) \
            and devuelve_matriz(observador, causa.archivo):
        return causa_matriz(observador, causa.archivo)
    if 'did not return a valid response' in causa.error and causa.linea is None:
        # Flask lo ve al salir de la función: la línea es su último return (o su def, si no tiene).
        funcion = funcion_de_la_ruta(observador, causa.archivo, regla)
        if funcion is not None:
            linea = (diagnostico.retornos(funcion) or [funcion.lineno])[-1]
            return diagnostico.causa(causa.archivo, causa.error, linea, _fuente(observador, causa.archivo))
    return causa


_ERROR_INTERNO = re.compile(r"Error interno: (.+?)(?: \(([^()]+\.py), línea (\d+)\))?$", re.S)


def causa_de_un_500(observador, archivo, texto, regla='/predict'):
    """La :class:`Causa` de un 500 de ``regla`` en la app que sirve la sonda (su excepción y su línea), o None."""
    encaje = _ERROR_INTERNO.match(texto.strip())
    if not encaje:
        return None
    linea = int(encaje[3]) if encaje[2] == archivo else None
    return en_contexto(observador, diagnostico.causa(archivo, encaje[1], linea, _fuente(observador, archivo)), regla)


def causa_al_importar(observador, archivo):
    """La :class:`Causa` del error que detuvo ``import archivo``, o None si se importó (o se quedó dentro)."""
    observado = observador.importado(archivo)
    informe = (observado.informe if observado else None) or {}
    if informe.get('importado') or not informe.get('error') or 'no terminó' in informe['error']:
        return None
    return en_contexto(observador, diagnostico.causa(archivo, ultima_linea(informe['error']), informe.get('linea'),
                                                     _fuente(observador, archivo)))


def causa_del_script(observador, archivo):
    """La :class:`Causa` del error con que terminó ``python archivo``, o None si no terminó con error."""
    ejecucion = observador.script(archivo)
    # Sin código (sigue vivo), 0 o negativo (la caja lo mató por tiempo): no hay error de Python que explicar.
    if ejecucion is None or ejecucion.codigo is None or ejecucion.codigo <= 0:
        return None
    return en_contexto(observador, diagnostico.causa(
        archivo, ultima_linea(ejecucion.errores), diagnostico.linea_en_traza(ejecucion.errores, archivo),
        _fuente(observador, archivo)))


def importado(observador, archivo):
    """El informe de la sonda si pudo probar el módulo (aunque ``import`` se quedara dentro); si no, un suspenso."""
    falta(observador, archivo)
    observado = observador.importado(archivo)
    informe = observado.informe
    if informe is None:
        _no_vuelve(observador, archivo, ultima_linea(observado.errores))
    if not informe.get('probado') and 'no terminó' in (informe.get('error') or ''):
        _no_vuelve(observador, archivo, 'no volvió a tiempo')
    if not informe.get('probado'):
        causa = causa_al_importar(observador, archivo)
        if causa is not None:
            por_causa(observador, causa, al_importar=True)
        suspenso(f'"import {archivo.removesuffix(".py")}" falla.', 'que termine sin errores',
                 'un error', f'ejecuta "{script(archivo)}" tú mismo y corrige el primer error que aparezca.',
                 detalle=ultima_linea(informe.get('error')))
    return informe


def script_sin_error(observador, archivo):
    """El :class:`Script` de ``python archivo``; si terminó con un error, el bloque de su causa."""
    falta(observador, archivo)
    if causa_del_script(observador, archivo) is not None:
        # El script ejecuta primero lo mismo que import: si import falló, es la misma causa.
        al_importar = causa_al_importar(observador, archivo)
        por_causa(observador, al_importar or causa_del_script(observador, archivo), al_importar=bool(al_importar))
    return observador.script(archivo)


def no_termina(observador, informe, archivo):
    """Si ``import`` no volvió, lo que falta quizá venga después: se dice eso y no "no existe"."""
    if not informe.get('importado'):
        _no_vuelve(observador, archivo, 'no volvió a tiempo')


def _no_vuelve(observador, archivo, obtenido):
    arranque = causa_arranque(observador, archivo)
    if arranque is not None:
        bloque(observador, arranque, f'que "import {archivo.removesuffix(".py")}" solo defina cosas y vuelva',
               'al importar arranca un servidor y no vuelve')
    suspenso(f'"import {archivo.removesuffix(".py")}" no termina: algo se queda esperando al importar el archivo.',
             'que importar el archivo solo defina cosas y vuelva', obtenido,
             "lo que arranca o espera (app.run, un bucle) va dentro de if __name__ == '__main__':.")


def sirve_sin_depurador(observador, archivo):
    """``python archivo`` deja una aplicación escuchando y con el depurador apagado.

    El depurador se busca en el código (por su AST) y por HTTP en sus propias URL: basta
    con que una lo delate.
    """
    falta(observador, archivo)
    ejecucion = observador.script(archivo)
    if ejecucion is None or ejecucion.url is None:
        ejecucion = script_sin_error(observador, archivo)
        obtenido = 'el script terminó sin servir nada' if ejecucion.codigo == 0 else 'no escuchó a tiempo'
        suspenso(f'"{script(archivo)}" termina sin dejar la aplicación en marcha: le falta arrancarla.',
                 'un servidor escuchando (app.run)', obtenido,
                 "termina el script con app.run(debug=False, host='0.0.0.0', port=9696) "
                 "dentro de if __name__ == '__main__':.")
    # El depurador de Werkzeug responde en cualquier ruta a sus propias URL (y sirve su consola).
    respondio, error = False, None
    for numero, (ruta, delata) in enumerate(_URL_DEL_DEPURADOR):
        # Solo la primera espera a que arranque: las demás van al mismo servidor, ya en marcha (o no).
        respuesta, error = primera_respuesta(f'{ejecucion.url}{ruta}', limite=0 if numero else limites.ARRANQUE)
        if respuesta is None:
            continue
        respondio = True
        if respuesta.status_code == 200 and all(d in respuesta.text[:20000].lower() for d in delata):
            _con_depurador(archivo, f'el depurador responde en {ruta.split("?")[0]}')
    if not respondio:
        suspenso(f'"{script(archivo)}" arranca, pero no responde a las peticiones.', 'una respuesta HTTP cualquiera',
                 'ninguna', 'mira la salida del script: quizá se cae al recibir una petición.', detalle=error)
    encendido = depurador_en_el_codigo(observador.entrada.texto(archivo))
    if encendido:
        _con_depurador(archivo, f'el código lo enciende ({encendido})')
    en_otro = observador.depurador_en_algun_puerto(archivo)   # el depurador, en otro puerto que la app
    if en_otro:
        _con_depurador(archivo, en_otro)


def _con_depurador(archivo, obtenido):
    suspenso(f'"{script(archivo)}" arranca con el depurador activado.', 'debug=False (o sin debug)', obtenido,
             'el depurador deja ejecutar código a quien llegue al servicio: usa app.run(debug=False, ...) '
             'en lo que entregas.')


def depurador_en_el_codigo(texto):
    """Cómo enciende el código el depurador de Werkzeug ('debug=True', 'DebuggedApplication'...), o ''."""
    try:
        arbol = ast.parse(texto)
    except SyntaxError:
        return ''
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.keyword) and nodo.arg in ('debug', 'use_debugger', 'use_evalex') \
                and isinstance(nodo.value, ast.Constant) and nodo.value.value:
            return f'{nodo.arg}={nodo.value.value!r}'
        if (isinstance(nodo, ast.Name) and nodo.id == 'DebuggedApplication') or \
                (isinstance(nodo, ast.Attribute) and nodo.attr == 'DebuggedApplication'):
            return 'DebuggedApplication'
        if isinstance(nodo, ast.Assign) and isinstance(nodo.value, ast.Constant) and nodo.value.value is True \
                and any(isinstance(t, ast.Attribute) and t.attr == 'debug' for t in nodo.targets):
            return 'app.debug = True'
    return ''


# --- HTTP ------------------------------------------------------------------------------


def primera_respuesta(url, limite=limites.ARRANQUE):
    """(respuesta, None) del primer GET que conteste, o (None, el último error) si nada contesta a tiempo.

    Con debug=True el recargador de Werkzeug abre el puerto antes de que su proceso hijo termine de
    importar: las primeras peticiones pueden esperar o fallar sin que el servicio esté roto.
    """
    fin = time.monotonic() + limite
    while True:
        try:
            return pedir('GET', url), None
        except requests.RequestException as fallo:
            error = type(fallo).__name__
        if time.monotonic() > fin:
            return None, error
        time.sleep(0.2)


def detalle_http(respuesta):
    """La respuesta HTTP en una línea, para el detalle: su estado y, si no es HTML, el comienzo del cuerpo."""
    estado = f'HTTP {respuesta.status_code} {respuesta.reason or ""}'.rstrip()
    if 'html' in respuesta.headers.get('Content-Type', ''):
        return f'{estado} (una página HTML de error)'
    cuerpo = ' '.join(respuesta.text[:400].split())[:160]
    return estado + (f': {cuerpo}' if cuerpo else '')


# --- Números ------------------------------------------------------------------------

def es_numero(valor):
    return isinstance(valor, (int, float)) and not isinstance(valor, bool) and math.isfinite(valor)


def numeros_en_json(valor):
    """Los números de una respuesta JSON: ella misma o los valores de su objeto."""
    if es_numero(valor):
        return [valor]
    if isinstance(valor, dict):
        return [v for v in valor.values() if es_numero(v)]
    return []


def numeros_en_texto(texto):
    """Los números de un texto, con sus decimales; un porcentaje (6.2 %), como probabilidad (0.062)."""
    numeros = [Escrito(n) for n in _NUMERO.findall(texto or '')]
    # Un número suelto como 6 no es un 6 %: solo cuenta como porcentaje si lleva el signo.
    for porcentaje in _PORCENTAJE.findall(texto or ''):
        entero, _, fraccion = porcentaje.replace(',', '.').partition('.')
        numeros.append(Escrito(f'{float(porcentaje.replace(",", ".")) / 100:.{len(fraccion) + 2}f}'))
    return numeros


def probabilidad_impresa(texto, esperado):
    """(el número de ``texto`` que es ``esperado``, o None; sus decimales si hubo que redondear), entre pocos números."""
    numeros = numeros_en_texto(texto)
    if len(numeros) > MAX_NUMEROS_IMPRESOS:
        return None, 0
    return coincide(numeros, esperado)


def nota_de_redondeo(lugares, donde, mostrada=False):
    """La nota de una probabilidad que solo coincide redondeada: vale, y se dice qué sería mejor."""
    if mostrada:
        return (f'{donde} muestra la probabilidad con {lugares} decimales: vale, porque coincide al redondear; '
                'con 3 (por ejemplo {probabilidad:.3f}) se distinguen mejor dos clientes parecidos.')
    return (f'{donde} da la probabilidad redondeada a {lugares} decimales: vale, porque coincide al redondear. '
            'Mejor devuelve el número entero, float(probabilidad), y redondea solo al mostrarlo: quien lo recibe '
            'puede necesitar sus decimales.')


def pista_probabilidad(obtenido, esperado):
    """Adivina el error típico que da ``obtenido`` en lugar de ``esperado``."""
    if abs(float(obtenido) - (1 - esperado)) <= 1e-6:
        return 'eso es 1 - probabilidad: usa la columna 1 de predict_proba ([:, 1]), no la 0.'
    if float(obtenido) in (0, 1):
        return 'parece una clase (0/1): usa modelo.predict_proba(X)[:, 1], no modelo.predict(X).'
    return ('transforma el cliente con dv.transform([cliente]) y usa la columna 1 de '
            'modelo.predict_proba; comprueba que puntúas el cliente que recibes.')


def nombres_de_flask(texto):
    """Los nombres con que el código crea aplicaciones Flask en el nivel del módulo (por su AST)."""
    try:
        arbol = ast.parse(texto)
    except SyntaxError:
        return []
    nombres = []
    for nodo in arbol.body:
        if isinstance(nodo, ast.Assign) and isinstance(nodo.value, ast.Call):
            llamada = nodo.value
            funcion = llamada.func.attr if isinstance(llamada.func, ast.Attribute) else getattr(llamada.func, 'id', '')
            if funcion == 'Flask':
                argumento = llamada.args[0] if llamada.args else next(
                    (k.value for k in llamada.keywords if k.arg == 'import_name'), None)
                nombres.append(argumento.value if isinstance(argumento, ast.Constant) else ast.unparse(argumento)
                               if argumento is not None else '')
    return nombres
