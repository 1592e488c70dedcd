"""Qué datos de un cliente acepta el servicio, y errores en español que nombran el campo.

Las categorías permitidas salen del ``DictVectorizer`` entrenado, así que el
esquema siempre describe justo lo que el modelo conoce: un valor que el modelo
no vio al entrenar se rechaza en vez de puntuarse en silencio (``dv`` lo
ignoraría y daría una probabilidad equivocada).
"""
import functools
import re
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import NotRequired, TypedDict

from abandono.datos import COLUMNAS_NUMERICAS

# Lo que puede traer una petición, además de las categorías que conoce dv: cada campo con su tipo
# y sus límites, generosos pero finitos (un número absurdo es un error del que llama, no un
# cliente). Las columnas numéricas del modelo (datos.COLUMNAS_NUMERICAS) son obligatorias; los
# demás campos, opcionales: el modelo no los usa. Añadir uno opcional es una línea aquí.
CAMPOS = {
    'seniorcitizen': Annotated[int, Field(ge=0, le=1)],
    'tenure': Annotated[int, Field(ge=0, le=1200)],
    'monthlycharges': Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)],
    'totalcharges': Annotated[float, Field(ge=0, le=100_000_000, allow_inf_nan=False)],
    # Lo repite la respuesta.
    'customerid': Annotated[str | None, Field(max_length=100)],
}
MAX_CLIENTES_LOTE = 10_000

_MENSAJES = {
    'missing': 'falta este campo',
    'string_type': 'debe ser un texto',
    'int_type': 'debe ser un número entero',
    'float_type': 'debe ser un número',
    'finite_number': 'debe ser un número finito',
    'model_type': 'debe ser un objeto JSON con los datos de un cliente',
    'dict_type': 'debe ser un objeto JSON con los datos de un cliente',
    'list_type': 'debe ser una lista de clientes',
    'too_short': 'la lista de clientes está vacía',
    'too_long': f'como mucho se aceptan {MAX_CLIENTES_LOTE} clientes por petición',
    'string_too_long': 'es demasiado largo',
}


# El mensaje de error nombra los primeros campos que fallan; «detalles» los trae todos.
_EN_EL_RESUMEN = 5

_POSICION = re.compile(r'line (\d+) column (\d+)')
_CLAVE = re.compile(rb'"([^"\\]{1,100})"\s*:')


def _campo_cercano(cuerpo, error):
    """La última clave JSON antes de donde falla el análisis ('tenure'), o ''."""
    posicion = _POSICION.search(error)
    if not posicion or not isinstance(cuerpo, bytes):
        return ''
    linea, columna = int(posicion[1]), int(posicion[2])
    inicio = 0
    for _ in range(linea - 1):
        inicio = cuerpo.find(b'\n', inicio) + 1
    claves = _CLAVE.findall(cuerpo, 0, inicio + columna)
    return claves[-1].decode(errors='replace') if claves else ''


def _sin_nulos(cliente):
    # "customerid": null equivale a no mandarlo (la respuesta no lo repite).
    if 'customerid' in cliente and cliente['customerid'] is None:
        del cliente['customerid']
    return cliente


# --- Lo que responde el servicio. Estos tipos son también el documento OpenAPI
# (openapi.py genera de ellos sus esquemas), así que no pueden decir otra cosa.
# extra='forbid': el documento dice «additionalProperties: false», y una clave que
# el código añada sin declararla aquí hace fallar la prueba de schemathesis.
_CERRADO = with_config(ConfigDict(extra='forbid'))


@_CERRADO
class Detalle(TypedDict):
    campo: str
    mensaje: str


@_CERRADO
class Error(TypedDict):
    """El cuerpo de cualquier error: ``error`` primero, para quien lo lea, y luego cada campo."""
    error: str
    detalles: list[Detalle]


@_CERRADO
class Factor(TypedDict):
    campo: str
    valor: str | int | float
    aporte: float


@_CERRADO
class Resultado(TypedDict):
    probabilidad_abandono: Annotated[float, Field(ge=0, le=1)]
    abandono: bool
    customerid: NotRequired[str]
    factores: NotRequired[list[Factor]]


@_CERRADO
class Salud(TypedDict):
    estado: Literal['ok']
    modelo: Annotated[str, Field(pattern='^[0-9a-f]{12}$')]


class ErrorDeEntrada(Exception):
    """Datos que el servicio no puede puntuar; ``estado`` es el código HTTP."""

    def __init__(self, estado, mensaje, detalles=()):
        super().__init__(mensaje)
        self.estado = estado
        self.mensaje = mensaje
        self.detalles = list(detalles)

    def como_json(self) -> Error:
        return Error(error=self.mensaje, detalles=self.detalles)


def categorias_del_modelo(dv):
    """{'contract': ['month-to-month', 'one_year', 'two_year'], ...} según ``dv``."""
    categorias = {}
    for nombre in dv.feature_names_:
        if dv.separator in nombre:
            campo, valor = nombre.split(dv.separator, 1)
            categorias.setdefault(campo, []).append(valor)
    return categorias


class Validador:
    """Valida JSON crudo (bytes) contra las características de ``dv``."""

    def __init__(self, dv):
        self.categorias = categorias_del_modelo(dv)
        campos = {campo: Literal[tuple(valores)] for campo, valores in self.categorias.items()}
        # Cada columna numérica del modelo, obligatoria: sin ella, dv pondría un 0 sin avisar.
        campos.update({campo: CAMPOS[campo] for campo in COLUMNAS_NUMERICAS})
        campos.update({campo: NotRequired[tipo] for campo, tipo in CAMPOS.items() if campo not in campos})
        # Un TypedDict y no un BaseModel: pydantic devuelve directamente un dict
        # (sin model_dump), la mitad de trabajo por cliente con las mismas reglas.
        self.Cliente = TypedDict('Cliente', campos)
        # strict: "41" no es 41, ni true es 1; extra='ignore': otras claves no estorban.
        self.Cliente.__pydantic_config__ = ConfigDict(strict=True, extra='ignore')
        self._uno = TypeAdapter(self.Cliente)

    @functools.cached_property
    def _lote(self):
        # Al primer lote: el servicio de prueba del calificador solo valida clientes sueltos.
        return TypeAdapter(Annotated[list[self.Cliente], Field(min_length=1, max_length=MAX_CLIENTES_LOTE)])

    def esquema_json(self, ref_template='#/components/schemas/{model}'):
        """El JSON Schema de un cliente, el mismo con el que se valida."""
        return self._uno.json_schema(ref_template=ref_template)

    def cliente(self, cuerpo):
        """Un cliente como dict con solo las características del modelo y los campos de CAMPOS que traiga."""
        return _sin_nulos(self._validar(self._uno, cuerpo))

    def lote(self, cuerpo):
        return [_sin_nulos(c) for c in self._validar(self._lote, cuerpo)]

    def _validar(self, adaptador, cuerpo):
        try:
            return adaptador.validate_json(cuerpo)
        except ValidationError as error:
            errores = error.errors(include_url=False)
            invalido = next((e for e in errores if e['type'] == 'json_invalid'), None)
            if invalido is not None:
                campo = _campo_cercano(cuerpo, invalido.get('ctx', {}).get('error', ''))
                donde = f' (cerca del campo {campo})' if campo else ''
                raise ErrorDeEntrada(
                    400, f'El cuerpo de la petición no es JSON válido{donde}. '
                    'Envía el cliente con requests.post(url, json=cliente).',
                    [{'campo': campo or 'cuerpo', 'mensaje': 'JSON no válido'}]) from None
            detalles = [self._detalle(e) for e in errores]
            resumen = '; '.join(f"{d['campo']}: {d['mensaje']}" for d in detalles[:_EN_EL_RESUMEN])
            if len(detalles) > _EN_EL_RESUMEN:
                resumen += f'; … ({len(detalles) - _EN_EL_RESUMEN} más en detalles)'
            raise ErrorDeEntrada(422, f'Datos del cliente no válidos. {resumen}', detalles) from None

    def _detalle(self, error):
        loc = [str(p) for p in error['loc']]
        # En un lote el primer elemento es la posición: clientes[3].contract
        if loc and loc[0].isdigit():
            loc[0] = f'clientes[{loc[0]}]'
        campo = '.'.join(loc) or 'cuerpo'
        nombre = loc[-1] if loc else ''
        if error['type'] == 'literal_error' and nombre in self.categorias:
            permitidos = ', '.join(self.categorias[nombre])
            mensaje = f"valor desconocido {error['input']!r}; valores permitidos: {permitidos}"
        elif error['type'] in ('greater_than_equal', 'less_than_equal'):
            limite = error['ctx'].get('ge', error['ctx'].get('le'))
            if isinstance(limite, float) and limite.is_integer():
                limite = int(limite)  # «<= 100000», no «<= 100000.0»
            signo = '>=' if error['type'] == 'greater_than_equal' else '<='
            mensaje = f'debe ser {signo} {limite}'
        else:
            mensaje = _MENSAJES.get(error['type'], f"valor no válido ({error['msg']})")
        return {'campo': campo, 'mensaje': mensaje}
