"""El calificador de los ejercicios: pytest es el juez, y el código del estudiante corre en cajas.

- ``ejercicios``: la tabla de ejercicios (archivos, cómo se ejecutan, puntos de cada comprobación).
- ``generador``: genera ``exercises/`` a partir de ``solutions/``.
- ``referencia``: el modelo movido y los clientes nuevos de cada calificación.
- ``caja``: cada entrega en una caja de bubblewrap (con ``pasarela`` y ``sonda`` dentro), con el
  filtro seccomp de ``filtro`` y, sin cgroups, el ``vigilante`` de su memoria.
- ``observacion``: abre la caja de una entrega y recoge lo que se ve desde fuera.
- ``juicio``: mensajes de suspenso y lectura de lo observado; cada causa de fallo, un bloque.
- ``diagnostico``: la línea de un error del estudiante y el arreglo de los tropiezos conocidos.
- ``complemento``: el complemento de pytest (``--entrega``, puntos, resumen).
- ``clase``: califica una clase entera; ``comprobar``: un estudiante su propia carpeta.
- ``similitud``: los pares de entregas parecidas, y con ``revision``, lo que mirar a mano.
- ``aula``: de dónde vienen las entregas de una clase (una carpeta, o el zip de Moodle o de Canvas)
  y las hojas de calificaciones que vuelven al aula.
- ``notas``: la carpeta de notas de una clase, con el contenido que arma ``informes``, los nombres
  de archivo de ``nombres`` y los ajustes a mano de ``ajustes``.
"""
