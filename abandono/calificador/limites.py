"""Los límites con los que se ejecuta el código de una entrega, todos en un sitio.

Los tiempos encajan unos dentro de otros: una función probada cabe en la fase
de importar, la fase cabe en la espera de arranque, la espera cabe en la vida
de la caja y la vida de la caja (con todas sus ejecuciones a la vez) cabe en
el tiempo de una entrega.
"""
# Cada proceso dentro de la caja (caja.py los fija antes de ejecutar nada del estudiante).
MEMORIA = 1536 * 1024 ** 2   # bytes de memoria virtual (RLIMIT_AS): sklearn y Flask caben de sobra
CPU = 30                     # segundos de CPU por proceso (RLIMIT_CPU)
ARCHIVO = 8 * 1024 ** 2      # tamaño máximo de un archivo escrito, la salida incluida (RLIMIT_FSIZE)
PROCESOS = 64                # procesos e hilos de toda la caja, sus ejecuciones juntas (cgroup «pids»)
# Memoria de toda la caja junta (cgroup «memory», la zona tmpfs incluida). Medido: la caja de la
# solución, con sus cinco ejecuciones y scikit-learn precargado una vez, llega a unos 250 MiB; 1 GiB
# es cuatro veces eso, y a la vez se califican solo las cajas que caben con ese tope en la memoria
# disponible (clase.a_la_vez): el resto de la máquina no se queda sin ella.
MEMORIA_CAJA = 1024 ** 3
DESCRIPTORES = 256           # descriptores abiertos por proceso (RLIMIT_NOFILE): Flask y sklearn usan ~30
ZONA = 64 * 1024 ** 2        # bytes de la zona /zona (tmpfs): lo único escribible, con su copia
SHM = 8 * 1024 ** 2          # bytes de /dev/shm
CASA = 16 * 1024 ** 2        # bytes de la carpeta personal de la caja y de su /tmp (un tmpfs cada una)

# Lo que espera el calificador, fuera de la caja.
FUNCION = 3.0                # segundos para cada llamada a una función del estudiante (en la sonda)
FASE = 15.0                  # segundos para importar el archivo o para que el script termine
ARRANQUE = FASE + 5.0        # espera a que escuche o informe, desde que la caja la lanza (ya precargada)
PETICION = 3.0               # segundos para cada petición HTTP al servicio del estudiante
VIGILANCIA = 3.0             # segundos, como mínimo, que se vigilan los puertos después de importar
VIDA = 90.0                  # segundos que vive una caja pase lo que pase

# En el comando de clase.
ENTREGA = VIDA + 30.0        # segundos para calificar una entrega entera (sus ejecuciones van a la vez)
SIMILITUD = 300.0            # segundos para comparar la clase entera (similitud.py; va a la vez que calificar)
