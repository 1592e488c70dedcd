# El servicio de abandono en un contenedor.
#   docker build -t abandono .
#   docker run --rm -p 9696:9696 abandono
# Sirve gunicorn con workers gevent: cada conexión es una corrutina, así que
# conexiones lentas u ociosas no dejan sin respuesta a los demás clientes. La
# orden de abajo aguanta 5000 cuerpos lentos, 200 cabeceras lentas y 2 conexiones
# ociosas mientras un cliente normal recibe el 99 % de sus respuestas en menos de
# 1 s (tests/servicio/test_lentos.py; el diseño, en docs/produccion.md).
# Más allá de eso, y para internet, pon delante un proxy que limite conexiones por
# cliente y dé HTTPS (despliegue/nginx/ o el balanceador de la nube).

# Etapa 1: entrena el modelo con las versiones de requirements/entrenamiento.txt.
# La etiqueta exacta fija la imagen base (sin red al escribir esto no se pudo
# comprobar su digest sha256; añadirlo con «docker buildx imagetools inspect»).
FROM python:3.11.7-slim-bookworm AS entrenamiento
WORKDIR /taller
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/entrenamiento.txt
COPY abandono/ abandono/
RUN python -m abandono.entrenamiento

# Etapa 2: solo lo que sirve: requirements/servicio.txt, la app, el modelo y su huella.
FROM python:3.11.7-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements/servicio.txt requirements/
RUN pip install --no-cache-dir -r requirements/servicio.txt \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin servicio
COPY abandono/ abandono/
COPY servicio1.py gunicorn.conf.py ./
COPY --from=entrenamiento /taller/modelo_trabajo.bin /taller/modelo_trabajo.bin.sha256 ./
# Un usuario sin privilegios, por número: Kubernetes (runAsNonRoot) solo comprueba números.
USER 10001
EXPOSE 9696
# En Python porque la imagen slim no trae curl ni wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9696/salud', timeout=4)"]
# El proceso 1 es dumb-init (de requirements/servicio.txt): reenvía SIGTERM a gunicorn
# y recoge huérfanos. gunicorn como proceso 1 ignoraba un «docker stop» que llegara
# antes de instalar sus manejadores, y la parada acababa en SIGKILL a los 10 s.
# --single-child: la señal va solo al maestro, que ordena la parada de sus workers.
ENTRYPOINT ["dumb-init", "--single-child", "--"]
# El comando de producción de abandono/lanzador.py (una prueba comprueba que coinciden).
# --graceful-timeout 5: «docker stop» espera 10 s antes de matar el proceso.
CMD ["gunicorn", "--worker-class", "gevent", "--workers", "2", "--worker-connections", "5000", "--backlog", "4096", "--preload", "--graceful-timeout", "5", "--no-control-socket", "--bind", "0.0.0.0:9696", "servicio1:app"]
