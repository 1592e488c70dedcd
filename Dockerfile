# El servicio de abandono bajo gunicorn.
#   docker build -t abandono . && docker run -p 9696:9696 abandono
FROM python:3.11-slim

WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/entrenamiento.txt

COPY abandono/ abandono/
COPY servicio1.py ./
# El modelo se entrena al construir la imagen, con las mismas versiones que lo sirven.
RUN python -m abandono.entrenamiento

RUN useradd --no-create-home servicio
USER servicio
EXPOSE 9696
CMD ["gunicorn", "--workers", "2", "--preload", "--no-control-socket", "--bind", "0.0.0.0:9696", "servicio1:app"]
