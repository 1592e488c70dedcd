"""Los límites con los que se ejecuta el código de una entrega, todos en un sitio.

Los tiempos encajan unos dentro de otros: una fase del hijo (importar, ejecutar
como script, probar funciones) cabe en la espera de arranque del padre, las
fases juntas caben en la vida del hijo y todo cabe en el tiempo de una entrega.
"""
# En el proceso hijo (abandono.calificador.ejecutor).
MEMORIA = 1536 * 1024 ** 2   # bytes de memoria virtual (RLIMIT_AS): sklearn y Flask caben de sobra
CPU = 60                     # segundos de CPU (RLIMIT_CPU): un bucle infinito acaba muriendo
ARCHIVO = 16 * 1024 ** 2     # tamaño máximo de un archivo escrito (RLIMIT_FSIZE)
FASE = 10.0                  # segundos para importar, ejecutar como script o probar una función
VIDA = 150.0                 # segundos que vive el hijo pase lo que pase

# En el proceso de pytest que califica (abandono.calificador.complemento).
ARRANQUE = 3 * FASE + 10.0   # espera a que el hijo termine sus fases y abra su puerto
PETICION = 3.0               # segundos para cada petición HTTP al servicio del estudiante

# En la orden de clase (abandono.calificador.clase).
ENTREGA = 180.0              # segundos para calificar una entrega entera
