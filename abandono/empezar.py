"""Empieza tu carpeta de trabajo: copia los esqueletos de exercises/ en mi_trabajo/ sin sobrescribir nada.

    make empezar
    python -m abandono.empezar          # lo mismo sin make (Windows: .venv\\Scripts\\python -m abandono.empezar)

Solo usa la biblioteca estándar: funciona con cualquier Python 3.11, antes de crear el entorno.
"""
import shutil
import sys
from pathlib import Path

from abandono.ayuda import analizador
from abandono.lanzador import RAIZ

EJERCICIOS = RAIZ / 'exercises'

SIGUIENTES_PASOS = """
Tu carpeta de trabajo es {carpeta}/ (git no la sigue; los archivos de la raíz no se tocan).
  1. Los cuadernos 04 a 06 te guían por cada ejercicio: completa los TODO de {archivos}
     (cada TODO dice qué debe hacer el código; los enunciados también están en exercises/LEEME.md).
  2. Ejecútalos desde la raíz del taller, con el entorno activado
     (source .venv/bin/activate; en Windows, .venv\\Scripts\\activate):
     python {carpeta}/servicio1.py
     El entorno y modelo_trabajo.bin los crean make jupyter, make comprobar o make modelo.
  3. Comprueba tu trabajo con: make comprobar   (puntos por ejercicio y una pista por fallo)
     Sin make: python -m abandono.calificador.comprobar {carpeta}
  4. En los cuadernos, la celda de parámetros dice qué carpeta es la tuya: CARPETA = '{carpeta}'
     (mi_trabajo, si no le diste otra)."""


def empezar(carpeta, salida=sys.stdout):
    carpeta.mkdir(parents=True, exist_ok=True)
    esqueletos = sorted(EJERCICIOS.glob('*.py'))
    for esqueleto in esqueletos:
        destino = carpeta / esqueleto.name
        if destino.exists():
            print(f'  {_legible(destino)} ya existe: no lo toco', file=salida)
        else:
            shutil.copyfile(esqueleto, destino)
            print(f'  {_legible(destino)}', file=salida)
    archivos = ', '.join(_legible(carpeta / e.name) for e in esqueletos)
    print(SIGUIENTES_PASOS.format(carpeta=_legible(carpeta), archivos=archivos), file=salida)


def _legible(carpeta):
    """La carpeta como la escribiría el estudiante: relativa a la raíz del taller si está dentro."""
    absoluta = carpeta.resolve()
    return absoluta.relative_to(RAIZ).as_posix() if RAIZ in absoluta.parents else str(carpeta)


def main(argv=None):
    parser = analizador(description='Copia los esqueletos de los ejercicios en tu carpeta de trabajo, '
                                    'sin sobrescribir nada.')
    parser.add_argument('carpeta', type=Path, nargs='?', default=RAIZ / 'mi_trabajo',
                        help='tu carpeta (por defecto mi_trabajo/, en la raíz del taller)')
    empezar(parser.parse_args(argv).carpeta)
    return 0


if __name__ == '__main__':
    sys.exit(main())
