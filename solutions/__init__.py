"""Las respuestas de referencia de los ejercicios (la única copia de cada respuesta).

``python -m abandono.calificador.ejercicios`` genera ``exercises/`` a partir de
estos archivos cambiando cada región ``# BEGIN SOLUCION`` … ``# END SOLUCION``
por un ``TODO`` con una pista.
"""
