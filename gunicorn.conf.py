"""Lo que gunicorn lee solo al arrancar desde esta carpeta: los ganchos de abandono/ganchos.py.

Las opciones van en el comando (abandono/lanzador.py, el Dockerfile,
docs/produccion.md), salvo una, ``preload_app``: el maestro carga la app, y
con ella el modelo, antes de crear ningún worker aunque el comando no lleve
--preload. Sin ella, cada worker cargaría el modelo por su cuenta: si el modelo
no vale, todos salen a la vez con el código 3 y gunicorn 27 a veces se
tropieza al recoger el segundo (su propia traza en inglés, y el código 1). Con
ella, cualquier orden termina como con --preload: el mensaje en español de
servicio1.py y su código 3.
"""
from abandono.ganchos import on_starting, post_fork, post_worker_init, pre_request  # noqa: F401

preload_app = True
