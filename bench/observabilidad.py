"""Lo que cuestan los factores y las métricas: dentro del proceso y por HTTP con gunicorn.

Las métricas y el registro de acceso van siempre puestos, así que toda ruta
los paga, la vacía incluida. Su coste propio se mide dentro del proceso: la
misma petición con y sin el middleware de ``abandono.metricas``.
"""
import contextlib
import io
import json
import os

from werkzeug.test import EnvironBuilder

from bench.medidas import RONDAS, RONDAS_RAPIDO, cuerpo_cliente, medir_rutas, por_llamada, servicio

FACTORES = 3
# nombre -> (ruta, si lleva el cliente de la lección como cuerpo)
RUTAS = {'GET /salud': ('/salud', False), 'POST /predict': ('/predict', True),
         f'POST /predict?factores={FACTORES}': (f'/predict?factores={FACTORES}', True)}


def medir_en_proceso(dv, modelo, rapido=False):
    """Lista de (qué, µs por petición): los factores, las métricas con el registro, y /predict entero."""
    from abandono import factores, metricas
    from abandono.datos import CLIENTE_LECCION
    from abandono.puntuador import Puntuador
    from abandono.servicio import crear_app

    puntuador, cliente = Puntuador(dv, modelo), dict(CLIENTE_LECCION)
    app = crear_app(dv, modelo)
    cuerpo = json.dumps(cliente).encode()
    entorno = EnvironBuilder('/predict', method='POST', data=cuerpo, content_type='application/json').get_environ()

    def llamar(wsgi):
        # Un wsgi.input nuevo en cada llamada: el cuerpo solo se puede leer una vez.
        return lambda: b''.join(wsgi(entorno | {'wsgi.input': io.BytesIO(cuerpo)}, lambda *a: None))

    def vacia(entorno, start_response):
        start_response('200 OK', [])
        return [b'']

    repeticiones, minimo = (2, 0.02) if rapido else (5, 0.2)
    # El registro va a /dev/null: se mide formatear y escribir la línea, no la terminal.
    with open(os.devnull, 'w', buffering=1) as nulo, contextlib.redirect_stderr(nulo):
        sola = por_llamada(llamar(vacia), repeticiones, minimo)
        medida = por_llamada(llamar(metricas.Medidor(vacia, {'/predict'})), repeticiones, minimo)
        return [
            ('factores.principales(puntuador, cliente, 3)',
             por_llamada(lambda: factores.principales(puntuador, cliente, 3), repeticiones, minimo)),
            ('métricas y registro de una petición (middleware alrededor de una app vacía)', medida - sola),
            ('POST /predict entero en la app Flask, métricas y registro incluidos',
             por_llamada(llamar(app.wsgi_app), repeticiones, minimo)),
        ]


def medir_http(rapido=False):
    """{nombre: medidas.Ruta} de gunicorn (el comando del taller), con las rutas en tandas alternas."""
    rondas, por_ronda, duracion = RONDAS_RAPIDO if rapido else RONDAS
    cuerpo = cuerpo_cliente()
    rutas = {nombre: (ruta, cuerpo if con_cuerpo else None) for nombre, (ruta, con_cuerpo) in RUTAS.items()}
    with servicio('gunicorn') as (url, procesos):
        return medir_rutas(url, procesos, rutas, rondas, por_ronda, duracion)


def apartado(dv, modelo, rapido, tabla, numero, objetivo):
    """Imprime el apartado del banco; ``tabla``, ``numero`` y ``objetivo`` son los de ``bench.__main__``."""
    print('## Factores y métricas: lo que cuestan\n')
    filas = medir_en_proceso(dv, modelo, rapido)
    tabla(['dentro del proceso', 'µs por petición'], [(f'`{n}`', numero(us, 1)) for n, us in filas])
    print(f'- Métricas de Prometheus y la línea de registro: **{numero(filas[1][1], 1)} µs** por petición, '
          f'el {filas[1][1] / filas[2][1]:.0%} de un /predict.\n')
    resultados = medir_http(rapido)
    tabla(['gunicorn (orden del taller)', 'pet/s', 'p50 ms', 'p99 ms', 'errores', '÷ ruta vacía (mediana)'],
          [(n, numero(m.resultado.por_segundo), numero(m.resultado.p50_ms, 2), numero(m.resultado.p99_ms, 2),
            m.resultado.errores, numero(m.cociente, 2)) for n, m in resultados.items()])
    for nombre in list(RUTAS)[1:]:
        ratio = resultados[nombre].cociente
        print(f'- {nombre} ÷ GET /salud = **{numero(ratio, 2)}** (objetivo ≥ {numero(objetivo, 1)}: '
              f'{"cumple" if ratio >= objetivo else "NO cumple"}).')
    print()
    return filas, resultados
