"""Ayudas de las pruebas de tests/ejercicios: mensajes de suspenso y lectura de lo observado.

Cada fallo dice en español qué se esperaba, qué llegó y una pista. Nada de lo
que se muestra copia la solución: de lo que devuelve el estudiante se enseña
un resumen corto, y de sus errores, la última línea.
"""
import ast
import math
import re
import time

import pytest
import requests

from abandono.calificador import diagnostico, limites
from abandono.calificador.observacion import URL_DEL_DEPURADOR as _URL_DEL_DEPURADOR

_NUMERO = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?')
MAX_NUMEROS_IMPRESOS = 12   # más números que esto en la salida no es "imprimir la probabilidad"
_PORCENTAJE = re.compile(r'([-+]?\d+(?:[.,]\d+)?)\s*%')
MAX_NUMEROS_JSON = 4        # más valores numéricos que esto en la respuesta no es "la probabilidad"
MAX_RESPUESTA = 256 * 1024  # bytes que se leen de una respuesta del estudiante (un JSON corto o un saludo)


def suspenso(que, esperado, obtenido, pista):
    pytest.fail(f'{que}\n  Se esperaba: {esperado}\n  Se obtuvo:   {obtenido}\n  Pista: {pista}',
                pytrace=False)


def pedir(metodo, url, **opciones):
    """``requests.request`` con tope: como mucho MAX_RESPUESTA bytes y limites.PETICION segundos de lectura.

    La app del estudiante puede responder un cuerpo sin fin: el calificador no se lo
    guarda entero en memoria. El resto de la respuesta se descarta al cerrarla.
    """
    with requests.Session() as sesion:
        # Sin el entorno: solo se habla con 127.0.0.1, y un HTTP_PROXY del profesor (sin NO_PROXY) mandaría
        # allí cada petición al proxy. Además, leer el entorno y ~/.netrc en cada petición costaba CPU.
        sesion.trust_env = False
        respuesta = sesion.request(metodo, url, stream=True, timeout=limites.PETICION, **opciones)
    trozos, leidos, fin = [], 0, time.monotonic() + limites.PETICION
    with respuesta:
        for trozo in respuesta.iter_content(64 * 1024):
            trozos.append(trozo)
            leidos += len(trozo)
            if leidos > MAX_RESPUESTA or time.monotonic() > fin:
                break
    # .text y .json() leen de aquí: la respuesta ya se leyó (hasta el tope) y se cerró.
    respuesta._content = b''.join(trozos)[:MAX_RESPUESTA]
    return respuesta


def ultima_linea(texto):
    """La última línea no vacía de un texto (un traceback, la salida de un proceso), recortada."""
    lineas = [l.strip() for l in (texto or '').splitlines() if l.strip()]
    return lineas[-1][:200] if lineas else '(nada)'


POR_EL_ERROR_DE_ARRIBA = 'No se pudo comprobar por el error de arriba'


def una_vez(observador, causa, que, esperado, obtenido, pista):
    """Suspende con el bloque entero la primera vez que ``causa`` (un texto corto) aparece y, después, con una línea.

    Las comprobaciones que fallan solo por una causa ya explicada (un archivo que falta o que
    no se importa) no repiten su bloque ni dan pistas sobre código que está bien.
    """
    if causa in observador.dichas:
        pytest.fail(f'{POR_EL_ERROR_DE_ARRIBA} ({causa})', pytrace=False)
    observador.dichas.add(causa)
    suspenso(que, esperado, obtenido, pista)


def falta(observador, archivo):
    if observador.entrada.existe(archivo):
        return
    parecidos = diagnostico.mal_puestos(observador.entrada.entrega, archivo)
    if not parecidos:
        obtenido, pista = f'ningún {archivo}', 'usa los nombres de archivo de la lección.'
    elif '/' not in parecidos[0]:
        obtenido = f'encontré {parecidos[0]}, con otras mayúsculas'
        pista = (f'renómbralo a {archivo}: Python distingue mayúsculas (import {archivo.removesuffix(".py")} no '
                 f'encuentra {parecidos[0]}) y la calificación ejecuta cada archivo con su nombre exacto.')
    else:
        obtenido = f'encontré {parecidos[0]}, en una subcarpeta'
        pista = (f'muévelo a la carpeta de la entrega, junto a los demás: la calificación ejecuta '
                 f'"python {archivo}" desde esa carpeta.')
    una_vez(observador, f'falta {archivo}', f'Falta {archivo} en la entrega.', f'un archivo llamado {archivo}',
            obtenido, pista)


def por_causa(observador, causa, al_importar):
    """El bloque de un error que detiene un archivo: el error, su línea y el arreglo conocido."""
    if al_importar:
        que = (f'{causa.archivo} no se puede importar: sin importar el archivo no se puede probar la app '
               '(las comprobaciones que dependen de él cuentan 0).')
        esperado = f'que "import {causa.archivo.removesuffix(".py")}" termine sin errores'
    else:
        que = f'"python {causa.archivo}" se detiene con un error.'
        esperado = 'que el script llegue al final sin errores'
    pista = causa.arreglo or f'ejecuta "python {causa.archivo}" tú mismo y corrige esa línea.'
    una_vez(observador, clave_de(causa), que, esperado, explicar(causa), pista)


def clave_de(causa):
    """Un mismo error en un mismo archivo es una sola causa, se vea al importar, al ejecutar o en un 500."""
    return f'{causa.error}, en {causa.archivo}'


def explicar(causa):
    return f'{causa.error}\n               en {causa.donde}' + (f': {causa.codigo}' if causa.codigo else '')


_ERROR_INTERNO = re.compile(r"Error interno: (.+?)(?: \(([^()]+\.py), línea (\d+)\))?$", re.S)


def causa_de_un_500(observador, archivo, texto):
    """La :class:`Causa` de un 500 de la app servida por la sonda (su excepción y su línea), o None."""
    encaje = _ERROR_INTERNO.match(texto.strip())
    if not encaje:
        return None
    linea = int(encaje[3]) if encaje[2] == archivo else None
    return diagnostico.causa(archivo, encaje[1], linea, observador.entrada.texto(archivo))


def causa_al_importar(observador, archivo):
    """La :class:`Causa` del error que detuvo ``import archivo``, o None si se importó (o se quedó dentro)."""
    observado = observador.importado(archivo)
    informe = (observado.informe if observado else None) or {}
    if informe.get('importado') or not informe.get('error') or 'no terminó' in informe['error']:
        return None
    return diagnostico.causa(archivo, ultima_linea(informe['error']), informe.get('linea'),
                             observador.entrada.texto(archivo))


def causa_del_script(observador, archivo):
    """La :class:`Causa` del error con que terminó ``python archivo``, o None si no terminó con error."""
    script = observador.script(archivo)
    # Sin código (sigue vivo), 0 o negativo (la caja lo mató por tiempo): no hay error de Python que explicar.
    if script is None or script.codigo is None or script.codigo <= 0:
        return None
    return diagnostico.causa(archivo, ultima_linea(script.errores), diagnostico.linea_en_traza(script.errores, archivo),
                             observador.entrada.texto(archivo))


def importado(observador, archivo):
    """El informe de la sonda si pudo probar el módulo (aunque ``import`` se quedara dentro); si no, un suspenso."""
    falta(observador, archivo)
    observado = observador.importado(archivo)
    modulo = archivo.removesuffix('.py')
    informe = observado.informe
    if informe is None:
        _no_vuelve(modulo, ultima_linea(observado.errores))
    if not informe.get('probado') and 'no terminó' in (informe.get('error') or ''):
        _no_vuelve(modulo, 'no volvió a tiempo')
    if not informe.get('probado'):
        causa = causa_al_importar(observador, archivo)
        if causa is not None:
            por_causa(observador, causa, al_importar=True)
        suspenso(f'"import {modulo}" falla.', 'que termine sin errores', ultima_linea(informe.get('error')),
                 f'ejecuta "python {archivo}" tú mismo y corrige el primer error que aparezca.')
    return informe


def script_sin_error(observador, archivo):
    """El :class:`Script` de ``python archivo``; si terminó con un error, el bloque de su causa."""
    falta(observador, archivo)
    if causa_del_script(observador, archivo) is not None:
        # El script ejecuta primero lo mismo que import: si import falló, es la misma causa.
        al_importar = causa_al_importar(observador, archivo)
        por_causa(observador, al_importar or causa_del_script(observador, archivo), al_importar=bool(al_importar))
    return observador.script(archivo)


def no_termina(informe, archivo):
    """Si ``import`` no volvió, lo que falta quizá venga después: se dice eso y no "no existe"."""
    if not informe.get('importado'):
        _no_vuelve(archivo.removesuffix('.py'), 'no volvió a tiempo')


def _no_vuelve(modulo, obtenido):
    suspenso(f'"import {modulo}" no termina.', 'que importar el archivo solo defina cosas y vuelva', obtenido,
             "lo que arranca o espera (app.run, un bucle) va dentro de if __name__ == '__main__':.")


def sirve_sin_depurador(observador, archivo, texto):
    """``python archivo`` deja una aplicación escuchando y con el depurador apagado.

    El depurador se busca en el código (``texto``, por su AST) y por HTTP en sus propias
    URL: basta con que una lo delate.
    """
    script = observador.script(archivo)
    if script is None or script.url is None:
        script = script_sin_error(observador, archivo)
        obtenido = 'el script terminó sin servir nada' if script.codigo == 0 else 'no escuchó a tiempo'
        suspenso(f'"python {archivo}" no deja la aplicación en marcha.', 'un servidor escuchando (app.run)',
                 obtenido, "termina el script con app.run(debug=False, host='0.0.0.0', port=9696) "
                           "dentro de if __name__ == '__main__':.")
    # El depurador de Werkzeug responde en cualquier ruta a sus propias URL (y sirve su consola).
    respondio, error = False, None
    for numero, (ruta, delata) in enumerate(_URL_DEL_DEPURADOR):
        # Solo la primera espera a que arranque: las demás van al mismo servidor, ya en marcha (o no).
        respuesta, error = primera_respuesta(f'{script.url}{ruta}', limite=0 if numero else limites.ARRANQUE)
        if respuesta is None:
            continue
        respondio = True
        if respuesta.status_code == 200 and all(d in respuesta.text[:20000].lower() for d in delata):
            _con_depurador(archivo, f'el depurador de Werkzeug responde en {ruta.split("?")[0]}')
    if not respondio:
        suspenso(f'"python {archivo}" no responde por HTTP.', 'una respuesta HTTP cualquiera',
                 error, 'mira la salida del script: quizá se cae al recibir una petición.')
    encendido = depurador_en_el_codigo(texto)
    if encendido:
        _con_depurador(archivo, f'el código lo enciende ({encendido})')
    en_otro = observador.depurador_en_algun_puerto(archivo)   # el depurador, en otro puerto que la app
    if en_otro:
        _con_depurador(archivo, en_otro)


def _con_depurador(archivo, obtenido):
    suspenso(f'"python {archivo}" arranca con el depurador activado.', 'debug=False (o sin debug)', obtenido,
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
    return [float(n) for n in _NUMERO.findall(texto or '')]


def probabilidad_impresa(texto, esperado, tolerancia):
    """True si ``texto`` muestra ``esperado`` (0.062, o 6.2 % con su signo) entre pocos números."""
    numeros = numeros_en_texto(texto)
    if len(numeros) > MAX_NUMEROS_IMPRESOS:
        return False
    # Un número suelto como 6 no es un 6 %: solo cuenta como porcentaje si lleva el signo.
    porcentajes = [float(n.replace(',', '.')) / 100 for n in _PORCENTAJE.findall(texto or '')]
    return any(abs(v - esperado) <= tolerancia for v in numeros + porcentajes)


def pista_probabilidad(obtenido, esperado):
    """Adivina el error típico que da ``obtenido`` en lugar de ``esperado``."""
    if abs(obtenido - (1 - esperado)) <= 1e-6:
        return 'eso es 1 - probabilidad: usa la columna 1 de predict_proba ([:, 1]), no la 0.'
    if obtenido in (0, 1):
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
