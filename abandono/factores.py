"""Por qué el modelo da esa probabilidad: los aportes de cada campo del cliente.

En una regresión logística el logit es una suma exacta,
``logit = sesgo + Σ aporte``, donde cada texto aporta el peso de
``campo=valor`` y cada número ``peso × valor``. Los aportes positivos empujan
hacia el abandono y los negativos hacia quedarse; sus valores están en
unidades de logit (sumar 0,7 multiplica por dos las probabilidades a favor).
No es una aproximación: las pruebas comprueban que la suma reproduce
``decision_function`` para los 7043 clientes.

El servicio los da solo si se piden (``POST /predict?factores=3``), para no
encarecer la respuesta de siempre. Un árbol o un bosque no son una suma de
pesos: su probabilidad sale de la hoja a la que llega el cliente. Repartirla
entre los campos del camino (lo que hacen treeinterpreter o SHAP) depende del
orden de los cortes o es otra estimación, así que para ellos ``?factores`` es
un 422 que lo explica.
"""
from abandono.esquema import ErrorDeEntrada
from abandono.puntuador import Puntuador


def aportes(puntuador, cliente):
    """Todos los aportes de un cliente ya validado: [{'campo', 'valor', 'aporte'}, ...].

    Sumados al ``puntuador.sesgo`` dan el logit que puntúa el servicio.
    """
    lista = [{'campo': campo, 'valor': cliente[campo], 'aporte': pesos[cliente[campo]]}
             for campo, pesos in puntuador.categoricas.items()]
    lista += [{'campo': campo, 'valor': cliente[campo], 'aporte': peso * cliente[campo]}
              for campo, peso in puntuador.numericas.items()]
    return lista


def principales(puntuador, cliente, n):
    """Los ``n`` aportes de más peso (en valor absoluto), del mayor al menor."""
    return sorted(aportes(puntuador, cliente), key=lambda f: abs(f['aporte']), reverse=True)[:n]


def cuantos(peticion, puntuador):
    """Cuántos factores pide la petición de Flask (``?factores=3``): 0 si no pide ninguno.

    Un valor que no es un entero entre 1 y el número de campos del modelo es
    un error del que llama, con un mensaje en español.
    """
    # Sin consulta no hace falta analizarla: request.args cuesta unos µs en cada /predict.
    if not peticion.environ.get('QUERY_STRING'):
        return 0
    texto = peticion.args.get('factores')
    if texto is None:
        return 0
    if not isinstance(puntuador, Puntuador):
        mensaje = ('este modelo no es una suma de pesos: los factores (aportes exactos al logit) '
                   'solo existen para la regresión logística')
        raise ErrorDeEntrada(422, f'Parámetro no válido. factores: {mensaje}',
                             [{'campo': 'factores', 'mensaje': mensaje}])
    maximo = len(puntuador.categoricas) + len(puntuador.numericas)
    if not (texto.isdigit() and 1 <= int(texto) <= maximo):
        mensaje = f'debe ser un número entero entre 1 y {maximo}'
        raise ErrorDeEntrada(422, f'Parámetro no válido. factores: {mensaje}',
                             [{'campo': 'factores', 'mensaje': mensaje}])
    return int(texto)
