"""Los dos caminos del servicio: la suma de pesos (regresión logística) y predict_proba (árbol, bosque)."""
import json

from bench.medidas import por_llamada


def medir(rapido=False):
    """Lista de (tipo, clase, µs por cliente como en /predict, µs por cliente en un lote de 1000)."""
    from abandono import modelos
    from abandono.datos import CLIENTE_LECCION, cargar_clientes
    from abandono.entrenamiento import dividir, entrenar
    from abandono.esquema import Validador

    df = dividir(cargar_clientes())[0]
    if rapido:
        df = df.head(500)
    cuerpo = json.dumps(CLIENTE_LECCION).encode()
    repeticiones, minimo = (2, 0.02) if rapido else (5, 0.2)
    filas = []
    for tipo in modelos.TIPOS:
        dv, modelo = entrenar(df, tipo=tipo)
        validador, puntuador = Validador(dv), modelos.puntuador(dv, modelo)
        lote = [validador.cliente(cuerpo)] * 1000
        uno = por_llamada(lambda: puntuador.probabilidad(validador.cliente(cuerpo)), repeticiones, minimo)
        mil = por_llamada(lambda: puntuador.probabilidades(lote), repeticiones, minimo) / len(lote)
        filas.append((tipo, type(modelo).__name__, type(puntuador).__name__, uno, mil))
    return filas


def apartado(rapido, tabla, numero):
    """Imprime el apartado; ``tabla`` y ``numero`` son los de ``bench.__main__``."""
    print('## Tipos de modelo: los dos caminos del servicio\n')
    print('`python -m abandono.entrenamiento --modelo arbol|bosque` entrena los del capítulo siguiente. '
          'La regresión logística se puntúa como una suma de pesos; el resto, con `predict_proba`.\n')
    filas = medir(rapido)
    tabla(['--modelo', 'clase', 'puntuador', 'µs por cliente (validar + puntuar)', 'µs por cliente en un lote de 1000'],
          [(t, c, f'`{p}`', numero(uno, 1), numero(mil, 2)) for t, c, p, uno, mil in filas])
    return filas
