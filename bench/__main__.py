"""``python -m bench``: cuánto tarda el modelo, el servicio y el taller, medido en esta máquina.

    python -m bench                     # modelo, servicio, lotes, aguante, clientes lentos, calificador (~8 min)
    python -m bench --rapido            # lo mismo con poco, para comprobar que funciona
    python -m bench --completo          # además: las pruebas y un clon nuevo hasta la primera respuesta
    python -m bench --lentos            # solo la comparación de servidores con clientes lentos (~4 min)
    python -m bench --solo-calificador  # solo la clase de muestra, con cajas y sin ellas (~2,5 min)

Las cargas van solo a 127.0.0.1, con un número de peticiones y un tiempo máximos.
"""
import argparse
import datetime
import os
import sys

import psutil

from abandono.ayuda import analizador
from abandono.taller import RAIZ
from bench import lentos, medidas, observabilidad, tipos

OBJETIVO_RATIO = 0.9
OBJETIVO_LOTE = 100_000
OBJETIVO_CLON = 60.0
OBJETIVO_MEMORIA = 0.05
OBJETIVO_LENTOS = 0.99  # respondidas, con p99 < 1 s
OBJETIVO_LENTOS_P99_MS = 1000
OBJETIVO_RITMO = 30          # entregas por minuto, con cajas (issue 9)
OBJETIVO_COSTE_CAJAS = 0.10  # lo que pueden añadir las cajas al tiempo de calificar


# Los servidores de «El servicio por HTTP»: el comando recomendado junto a workers síncronos
# (la referencia de latencia: uno por petición) y waitress, en una sola ejecución.
NOMBRES = {'desarrollo': 'desarrollo (Flask)', 'gunicorn': 'gunicorn gevent -w 2 (recomendado)',
           'gunicorn sync': 'gunicorn sync -w 2', 'waitress': 'waitress'}


INFORME = RAIZ / 'docs' / 'bench.md'


class Copia:
    """Lo que se imprime, en la terminal y en un archivo a la vez."""

    def __init__(self, terminal, archivo):
        self.terminal, self.archivo = terminal, archivo

    def write(self, texto):
        self.archivo.write(texto)
        return self.terminal.write(texto)

    def flush(self):
        self.archivo.flush()
        self.terminal.flush()


def numero(x, decimales=0):
    """12345.6 -> '12 346' (espacio fino como separador de miles, como en español)."""
    texto = f'{x:,.{decimales}f}'
    return texto.replace(',', ' ').replace('.', ',')


def porcentaje(x):
    """0.0123 -> '+1,23 %'."""
    return f'{x * 100:+.2f} %'.replace('.', ',')


def marca(cumple):
    return 'cumple' if cumple else 'NO cumple'


def tabla(cabecera, filas):
    anchos = [max(len(str(f[i])) for f in [cabecera, *filas]) for i in range(len(cabecera))]
    def linea(f):
        return '| ' + ' | '.join(str(c).ljust(a) if i == 0 else str(c).rjust(a)
                                 for i, (c, a) in enumerate(zip(f, anchos))) + ' |'
    print(linea(cabecera))
    print('|' + '|'.join('-' * (a + 2) if i == 0 else '-' * (a + 1) + ':' for i, a in enumerate(anchos)) + '|')
    for f in filas:
        print(linea(f))
    print()


def apartado_modelo(dv, modelo, rapido):
    print('## 1. Puntuar un cliente dentro del proceso\n')
    filas = medidas.medir_modelo(dv, modelo, rapido)
    referencia = dict(filas)['predict_cliente(cliente, dv, modelo)']
    tabla(['cómo', 'µs por cliente', 'frente a predict_cliente'],
          [(f'`{n}`', numero(us, 1), f'{numero(us / referencia, 2)}×') for n, us in filas])
    return filas


def apartado_servicio(rapido, con_aguante):
    print('## 2. El servicio por HTTP: /predict frente a una ruta que no trabaja\n')
    rondas, por_ronda, duracion = medidas.RONDAS_RAPIDO if rapido else medidas.RONDAS
    print(f'Generador: bench/carga.py (asyncio, en este mismo proceso), {medidas.CONEXIONES} conexiones, '
          'una petición por conexión. La ruta vacía es GET /salud (un JSON fijo). Se alternan tandas de '
          f'cada ruta en {rondas} rondas (A B, B A...) y se suman; el cociente es la mediana de '
          'los de cada ronda. «CPU servidor» es la CPU de los procesos del servicio por petición, '
          'sin contar la del generador.\n')
    rutas = {'/salud': ('/salud', None), '/predict': ('/predict', medidas.cuerpo_cliente())}
    por_servidor, lotes, aguante = {}, {}, None
    cuerpo = medidas.cuerpo_lote()
    for servidor in NOMBRES:
        with medidas.servicio(servidor) as (url, procesos):
            por_servidor[servidor] = medidas.medir_rutas(url, procesos, rutas, rondas, por_ronda, duracion)
            if servidor in ('desarrollo', 'gunicorn'):
                lotes[servidor] = medidas.medir_lote(url, cuerpo, total=10 if rapido else 300,
                                                     duracion=2.0 if rapido else 6.0)
            if servidor == 'gunicorn' and con_aguante:
                total = 1_000 if rapido else 20_000
                aguante = total, medidas.aguante(url, procesos, total=total,
                                                 calentamiento=200 if rapido else 2_000)
    filas = []
    for servidor, rutas in por_servidor.items():
        nombre = NOMBRES[servidor]
        for ruta, medida in rutas.items():
            r = medida.resultado
            filas.append((nombre, ruta, numero(r.por_segundo), numero(r.p50_ms, 2), numero(r.p99_ms, 2),
                          numero(medida.cpu_us), r.peticiones, r.errores))
    tabla(['servidor', 'ruta', 'pet/s', 'p50 ms', 'p99 ms', 'CPU servidor µs/pet', 'peticiones', 'errores'],
          filas)
    ratios = {}
    for servidor, rutas in por_servidor.items():
        salud, predict = rutas['/salud'], rutas['/predict']
        ratios[servidor] = predict.cociente
        objetivo = (f' (objetivo ≥ {numero(OBJETIVO_RATIO, 1)}: {marca(ratios[servidor] >= OBJETIVO_RATIO)})'
                    if servidor == 'gunicorn' else '')
        print(f'- **{NOMBRES[servidor]}**: /predict ÷ ruta vacía = **{numero(ratios[servidor], 2)}** en pet/s'
              f'{objetivo} (de {numero(min(predict.cocientes), 2)} a {numero(max(predict.cocientes), 2)} según la '
              f'ronda); en CPU del servidor por petición, {numero(salud.cpu_us / predict.cpu_us, 2)}; '
              f'p99 de /predict con {medidas.CONEXIONES} conexiones a la vez: **{numero(predict.resultado.p99_ms, 1)} ms**.')
    print()
    print(f'## 3. Lotes: POST /predict_lote con {medidas.CLIENTES_POR_LOTE} clientes por petición\n')
    filas = []
    for servidor, (r, clientes) in lotes.items():
        nombre = NOMBRES[servidor]
        filas.append((nombre, numero(clientes), numero(r.p50_ms, 1), numero(r.p99_ms, 1), r.peticiones, r.errores))
    tabla(['servidor', 'clientes/s', 'p50 ms por lote', 'p99 ms por lote', 'peticiones', 'errores'], filas)
    clientes_gunicorn = lotes['gunicorn'][1]
    print(f'- gunicorn gevent -w 2: **{numero(clientes_gunicorn)} clientes/s** '
          f'(objetivo ≥ {numero(OBJETIVO_LOTE)}: {marca(clientes_gunicorn >= OBJETIVO_LOTE)}).\n')
    if aguante:
        apartado_aguante(*aguante)
    return por_servidor, lotes, ratios


def apartado_aguante(total, medida):
    print(f'## 4. Aguante: {numero(total)} peticiones /predict, {medidas.CONEXIONES} conexiones, '
          'gunicorn gevent -w 2\n')
    print('El mismo servidor de arriba; la memoria de partida se toma tras calentar con otras peticiones.\n')
    r, antes, despues, crecimiento = medida
    filas = [(pid, numero(antes[pid] / 2**20, 1), numero(despues.get(pid, 0) / 2**20, 1),
              porcentaje((despues.get(pid, 0) - antes[pid]) / antes[pid])) for pid in antes]
    tabla(['worker (pid)', 'RSS antes MiB', 'RSS después MiB', 'cambio'], filas)
    print(f'- {numero(r.peticiones)} peticiones en {numero(r.segundos, 1)} s ({numero(r.por_segundo)} pet/s), '
          f'**{r.errores} errores**, p99 {numero(r.p99_ms, 1)} ms; memoria: crecimiento máximo '
          f'{porcentaje(crecimiento)} (objetivo ≤ {OBJETIVO_MEMORIA:.0%}: '
          f'{marca(r.errores == 0 and crecimiento <= OBJETIVO_MEMORIA)}).\n')
    return r, crecimiento


def apartado_lentos(rapido):
    print('## 5. Clientes lentos: qué servidor sigue respondiendo\n')
    conexiones, duracion = (20, 5.0) if rapido else (250, 20.0)
    print(f'{conexiones * 4 // 5} conexiones mandan cabeceras sin terminar y {conexiones // 5} un cuerpo más '
          f'corto que su Content-Length (un byte por segundo, reabiertas si el servidor las cierra) durante '
          f'{numero(duracion)} s, mientras un cliente normal manda POST /predict uno tras otro (espera '
          f'{numero(lentos.ESPERA_CLIENTE)} s como mucho). Objetivo: ≥ {OBJETIVO_LENTOS:.0%} respondidas con p99 < '
          f'{numero(OBJETIVO_LENTOS_P99_MS)} ms.\n')
    filas = []
    for nombre in lentos.candidatos(0):
        puerto = medidas.puerto_libre()
        orden = lentos.candidatos(puerto)[nombre]
        with medidas.en_marcha(orden, puerto) as url:
            r, reabiertas = lentos.medir(url, medidas.cuerpo_cliente(), cabeceras=conexiones * 4 // 5,
                                         cuerpos=conexiones // 5, duracion=duracion)
        respondidas = (r.peticiones - r.errores) / max(1, r.peticiones)
        cumple = respondidas >= OBJETIVO_LENTOS and r.p99_ms < OBJETIVO_LENTOS_P99_MS
        filas.append((nombre, f'{r.peticiones - r.errores}/{r.peticiones}', porcentaje(respondidas)[1:],
                      numero(r.p99_ms), reabiertas, marca(cumple)))
    tabla(['servidor', 'respondidas', '%', 'p99 ms', 'lentas cerradas', 'clientes lentos'], filas)


def apartado_calificador(entregas, n_entregas):
    print('## 6. El calificador: una clase entera, con cajas y sin ellas\n')
    n, tiempos = medidas.tiempo_calificar(entregas, n_entregas)
    origen = entregas or f'{n} entregas de muestra (`tests/calificador/muestras.py DESTINO --clase {n}`)'
    print(f'`python -m abandono.calificador.clase` con {origen}, en esta máquina; «sin cajas» es '
          '`--sin-aislamiento` (solo para código de fiar).\n')
    tabla(['forma', 'segundos (el comando entero)', 'entregas por minuto', 'código de salida'],
          [(forma, numero(s, 1), numero(n / s * 60, 1), codigo) for forma, (s, codigo, _) in tiempos.items()])
    for forma, (_, codigo, ultima) in tiempos.items():
        if codigo:
            print(f'- {forma}: el comando falló: {ultima}')
    con, sin = tiempos['con cajas'][0], tiempos['sin cajas'][0]
    ritmo, coste = n / con * 60, con / sin - 1
    print(f'- Con cajas: **{numero(ritmo, 1)} entregas por minuto** (objetivo ≥ {numero(OBJETIVO_RITMO)}: '
          f'{marca(ritmo >= OBJETIVO_RITMO)}).')
    print(f'- Lo que cuestan las cajas: **{porcentaje(coste)}** del tiempo sin ellas (objetivo ≤ '
          f'{porcentaje(OBJETIVO_COSTE_CAJAS)}: {marca(coste <= OBJETIVO_COSTE_CAJAS)}).\n')


def apartado_pruebas():
    print('## 7. Las pruebas del taller\n')
    segundos, codigo, ultima = medidas.tiempo_pruebas()
    print(f'- `python -m pytest -m "not lento"`: **{numero(segundos, 1)} s** (salida {codigo}: {ultima})\n')


def apartado_clon():
    print('## 8. De un clon nuevo a la primera respuesta\n')
    print('git clone de este repositorio en una carpeta temporal, `make servicio` (crea .venv, instala '
          'requirements/entrenamiento.txt, entrena el modelo) y POST /predict hasta recibir un 200.\n')
    segundos, clonado, fallo = medidas.clon_hasta_respuesta()
    if segundos is None:
        print(f'- No respondió. Final de la salida de make:\n\n```\n{fallo}\n```\n')
    else:
        print(f'- **{numero(segundos, 1)} s** (el clon, {numero(clonado, 1)} s; objetivo ≤ '
              f'{numero(OBJETIVO_CLON)} s: {marca(segundos <= OBJETIVO_CLON)}).\n')
    return segundos


def main(argv=None):
    parser = analizador(prog='python -m bench', description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rapido', action='store_true', help='pocas peticiones: comprueba que todo funciona')
    parser.add_argument('--completo', action='store_true',
                        help='añade el tiempo de las pruebas y del clon nuevo (varios minutos)')
    parser.add_argument('--clon', action='store_true', help='mide solo el clon nuevo hasta la primera respuesta')
    parser.add_argument('--entregas', metavar='CARPETA',
                        help='carpeta de entregas para cronometrar el calificador (por defecto, las de muestra)')
    parser.add_argument('--n-entregas', type=int, default=30, metavar='N',
                        help='cuántas entregas de muestra se califican (por defecto %(default)s)')
    parser.add_argument('--solo-calificador', action='store_true',
                        help='mide solo el calificador, con cajas y sin ellas')
    parser.add_argument('--solo-taller', action='store_true',
                        help='mide solo las pruebas y el clon nuevo')
    parser.add_argument('--sin-aguante', action='store_true', help='omite la prueba de aguante')
    parser.add_argument('--lentos', action='store_true',
                        help='solo la comparación de servidores con clientes lentos')
    args = parser.parse_args(argv)

    from abandono.integridad import RUTA_MODELO, cargar_modelo

    if not (args.rapido or args.clon or args.lentos or args.solo_calificador or args.solo_taller):
        # Una ejecución entera queda en docs/bench.md: las cifras de la documentación salen de
        # ahí, de una sola ejecución (tests/bench/test_bench.py comprueba que coinciden).
        sys.stdout = Copia(sys.stdout, INFORME.open('w', encoding='utf-8'))
    print(f'# Banco de pruebas del taller ({datetime.date.today().isoformat()})\n')
    print(f'Máquina: {medidas.maquina()}.')
    ocupada = psutil.cpu_percent(interval=0.5)
    print(f'CPU ocupada justo antes de medir: {ocupada:.0f} %.'
          + (' Hay otros procesos trabajando: las cifras saldrán más bajas de lo normal.' if ocupada > 20 else ''))
    if os.environ.get('OPENBLAS_CORETYPE'):
        print(f'OPENBLAS_CORETYPE={os.environ["OPENBLAS_CORETYPE"]} (afecta a predict y predict_cliente).')
    print()
    if args.clon:
        apartado_clon()
        return 0
    if args.lentos:
        apartado_lentos(args.rapido)
        return 0
    if args.solo_calificador:
        apartado_calificador(args.entregas, args.n_entregas)
        return 0
    if args.solo_taller:
        apartado_pruebas()
        apartado_clon()
        return 0
    dv, modelo = cargar_modelo(RUTA_MODELO)
    apartado_modelo(dv, modelo, args.rapido)
    apartado_servicio(args.rapido, con_aguante=not args.sin_aguante)
    observabilidad.apartado(dv, modelo, args.rapido, tabla, numero, OBJETIVO_RATIO)
    tipos.apartado(args.rapido, tabla, numero)
    if not args.rapido:
        apartado_lentos(rapido=False)
    apartado_calificador(args.entregas, 4 if args.rapido else args.n_entregas)
    if args.completo:
        apartado_pruebas()
        apartado_clon()
    return 0


if __name__ == '__main__':
    sys.exit(main())
