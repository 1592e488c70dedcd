"""Cuánto tarda una llamada, medido como lo miden los cuadernos y ``bench/``."""
import timeit


def por_llamada(funcion, repeticiones=5, minimo=0.02):
    """Segundos por llamada de ``funcion()``: el mejor de ``repeticiones`` tandas de al menos ``minimo`` s.

    El mínimo de varias tandas es la medida menos afectada por lo que haga a la
    vez el resto de la máquina.
    """
    temporizador = timeit.Timer(funcion)
    veces = 1
    while temporizador.timeit(veces) < minimo:
        veces *= 2
    return min(temporizador.repeat(repeticiones, veces)) / veces
