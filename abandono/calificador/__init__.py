"""El calificador de los ejercicios: pytest es el juez.

- ``ejercicios``: genera ``exercises/`` a partir de ``solutions/``.
- ``ejecutor``: el proceso hijo que ejecuta el código de una entrega, aislado.
- ``aislamiento``: la copia temporal de la entrega y el arranque de ese hijo.
- ``referencia``: los clientes y probabilidades con los que se compara.
- ``complemento``: el complemento de pytest (``--entrega``, puntos, resumen).
- ``clase``: califica una carpeta con todas las entregas de una clase.
"""
