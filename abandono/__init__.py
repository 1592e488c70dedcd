"""Código compartido del cuaderno de despliegue: datos, modelo, servicio y calificador."""
