"""Lo que usan los cuadernos de notebooks/, un módulo por tarea.

- ``preparacion``: la primera celda de cada cuaderno (en Colab trae el taller e instala lo necesario).
- ``revisar``: las celdas que comprueban tu código y te dicen, en español, qué está bien y qué corregir.
- ``tu_carpeta``: qué carpeta se ejecuta (la tuya, ``mi_trabajo``, o la referencia, ``solutions``)
  y tu servicio frente al de la referencia.
- ``procesos``: un script o un servidor en segundo plano, con su salida y su 9696 desviado a un puerto libre.
- ``servicio_del_taller``: el servicio de producción de la raíz, buscado o arrancado (cuaderno 08 y apéndices).
- ``ejecutar``: ``make cuadernos``, vuelve a ejecutarlos y guarda sus salidas.
- ``exportar``: ``make html``, los cuadernos con sus salidas como páginas web.
"""
