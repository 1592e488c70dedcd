"""servicio1.py con el puntuador roto: cada predicción lanza una excepción.

Se arranca igual que el servicio de verdad (``python servicio_que_falla.py
--port N`` o ``gunicorn servicio_que_falla:app``) para comprobar qué ve quien
llama cuando algo falla dentro: nunca el depurador de Werkzeug ni una traza.
"""
from abandono.puntuador import Puntuador


def _falla(self, *args, **kwargs):
    raise RuntimeError('fallo provocado por la prueba: secreto-interno-1234')


Puntuador.probabilidad = _falla
Puntuador.probabilidades = _falla

import servicio1  # noqa: E402  (después del parche, como haría un error real)

app = servicio1.app

if __name__ == '__main__':
    servicio1.main()
