"""Qué núcleo de OpenBLAS hace las cuentas, y la receta del curso entrenada bajo otro.

Al arrancar, OpenBLAS elige el núcleo (las rutinas en ensamblador) que mejor
le va a la CPU: SkylakeX y sus sucesores en una CPU con AVX-512, Haswell en una
con AVX2. La variable ``OPENBLAS_CORETYPE`` fuerza uno. liblinear se para sin
converger con la receta del curso, así que los últimos dígitos del modelo
dependen de cómo sume el núcleo: el cliente de la lección da un número con
SkylakeX (el del libro) y otro con Haswell (``PROBABILIDADES_CONOCIDAS``);
convergida, la receta da otro más, el mismo con los dos (``PROBABILIDAD_CONVERGIDA``).

Nada de este módulo cambia el núcleo del proceso que lo importa: otro núcleo
solo se usa en un subproceso que pone la variable para él solo
(:func:`en_nucleo`), porque hay máquinas que la fijan para esquivar núcleos con
fallos.

    python -m abandono.nucleo    # {"nucleo": ..., "probabilidad": ..., "iteraciones": ...} de este proceso
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from abandono.taller import RAIZ, archivos

VARIABLE = 'OPENBLAS_CORETYPE'
HASWELL = 'Haswell'    # AVX2: funciona en cualquier CPU x86-64 con AVX2
SKYLAKEX = 'SkylakeX'  # AVX-512, el del libro
# La probabilidad del cliente de la lección con cada núcleo, el único sitio donde se
# escriben: la comprueba tests/modelo/test_modelo.py y el apéndice A1 la usa para decir
# a cuál se parece el número de tu computadora.
PROBABILIDADES_CONOCIDAS = {SKYLAKEX: 0.0596057, HASWELL: 0.0618757}
# Convergida (con una tol más fina que la del curso), la receta da este número con cualquier
# núcleo, a 4 decimales: lo comprueba test_modelo.py y el apéndice A1 lo calcula.
PROBABILIDAD_CONVERGIDA = 0.0676
# Lo que OpenBLAS necesita de la CPU para usar cada núcleo que se fuerza aquí.
BANDERAS = {HASWELL: {'avx2', 'fma'}, SKYLAKEX: {'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'}}


def nucleo():
    """El núcleo de OpenBLAS de este proceso, según ``threadpoolctl`` (p. ej. 'Haswell')."""
    import scipy.linalg  # noqa: F401  carga el OpenBLAS de SciPy, el que usa scikit-learn
    import threadpoolctl

    nombres = {i['architecture'] for i in threadpoolctl.threadpool_info()
               if i.get('internal_api') == 'openblas' and i.get('architecture')}
    return ' y '.join(sorted(nombres)) or 'desconocido'


def banderas_cpu():
    """Las capacidades de la CPU que anuncia Linux en /proc/cpuinfo (vacío en otros sistemas)."""
    try:
        texto = Path('/proc/cpuinfo').read_text()
    except OSError:
        return set()
    return {b for linea in texto.splitlines() if linea.startswith('flags') for b in linea.partition(':')[2].split()}


def falta_para(nombre):
    """Por qué esta CPU no puede usar el núcleo ``nombre`` (None si puede)."""
    faltan = BANDERAS.get(nombre, set()) - banderas_cpu()
    if faltan:
        return f'esta CPU no tiene {", ".join(sorted(faltan))}: OpenBLAS no puede usar el núcleo {nombre}'
    return None


def conocido(probabilidad):
    """El núcleo cuya probabilidad conocida es ``probabilidad`` (a 7 decimales), o None."""
    return next((n for n, p in PROBABILIDADES_CONOCIDAS.items() if abs(p - probabilidad) < 5e-8), None)


def otro_nucleo(actual=None):
    """El núcleo que suma distinto del de este proceso y que esta CPU puede usar (o None)."""
    actual = actual or nucleo()
    candidato = SKYLAKEX if actual == HASWELL else HASWELL
    return None if falta_para(candidato) else candidato


def cuentas():
    """Entrena la receta del curso en este proceso y dice su núcleo y la probabilidad del cliente de la lección."""
    from abandono.datos import CLIENTE_LECCION, cargar_clientes
    from abandono.entrenamiento import dividir, entrenar
    from abandono.prediccion import predict_cliente

    dv, modelo = entrenar(dividir(cargar_clientes())[0])
    return {'nucleo': nucleo(), 'probabilidad': float(predict_cliente(CLIENTE_LECCION, dv, modelo)),
            'iteraciones': int(modelo.n_iter_[0])}


def entorno(nombre):
    """El entorno de este proceso con ``OPENBLAS_CORETYPE=nombre`` (sin la variable con None, el que elige OpenBLAS)."""
    variables = {k: v for k, v in os.environ.items() if k != VARIABLE}
    return variables if nombre is None else {**variables, VARIABLE: nombre}


def copia_con_modelo(destino, nombre):
    """Una copia del taller (lo que sigue git) en ``destino`` con modelo_trabajo.bin entrenado con el núcleo ``nombre``.

    Para ejecutar en ella, con ``entorno(nombre)``, las pruebas y los cuadernos cuyos
    números dependen del núcleo, sin tocar el modelo ni el entorno de este taller.
    """
    destino = Path(destino)
    for relativa in archivos():
        (destino / relativa).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(RAIZ / relativa, destino / relativa)
    variables = entorno(nombre)
    variables.pop('ABANDONO_MODELO', None)  # el de la copia, no otro
    entrenado = subprocess.run([sys.executable, '-m', 'abandono.entrenamiento'], cwd=destino, env=variables,
                               capture_output=True, text=True, timeout=300)
    if entrenado.returncode:
        raise RuntimeError(f'No se pudo entrenar el modelo con el núcleo {nombre}:\n{entrenado.stderr[-2000:]}')
    return destino


def en_nucleo(nombre):
    """:func:`cuentas` en un subproceso con el núcleo ``nombre`` (None: el que elige OpenBLAS), unos 4 s."""
    resultado = subprocess.run([sys.executable, '-m', 'abandono.nucleo'], env=entorno(nombre), cwd=RAIZ,
                               capture_output=True, text=True, timeout=300)
    if resultado.returncode:
        raise RuntimeError(f'La receta no se pudo entrenar con el núcleo {nombre}:\n{resultado.stderr[-2000:]}')
    return json.loads(resultado.stdout)


if __name__ == '__main__':
    print(json.dumps(cuentas()))
