"""La similitud entre entregas: una copia con otros nombres y comentarios se ve; el esqueleto no acerca a nadie."""
import os
import shutil

from abandono.calificador.generador import EJERCICIOS, SOLUCIONES
from abandono.calificador.similitud import UMBRAL, comparar
from muestras import MUESTRAS


def test_una_copia_renombrada_es_el_par_mas_parecido_y_el_esqueleto_no_se_parece_a_nadie(tmp_path):
    for muestra in MUESTRAS:
        if muestra.nombre in ('escrita_a_su_manera', 'copia_renombrada', 'pistas_al_pie_de_la_letra'):
            muestra.construir(tmp_path)
    shutil.copytree(SOLUCIONES, tmp_path / 'solucion')
    shutil.copytree(EJERCICIOS, tmp_path / 'esqueleto')
    shutil.copytree(EJERCICIOS, tmp_path / 'otro_esqueleto')
    rara = tmp_path / 'fifo_y_enlace'   # una FIFO que nadie escribe, un enlace y una carpeta: ni cuelgan ni sacan nada
    rara.mkdir()
    os.mkfifo(rara / 'servicio1.py')
    (rara / 'flask_test.py').symlink_to(SOLUCIONES / 'flask_test.py')
    (rara / 'probar_servicio.py').mkdir()
    pares = comparar({p.name: p for p in tmp_path.iterdir()})
    assert (pares[0].a, pares[0].b) == ('copia_renombrada', 'escrita_a_su_manera')
    assert pares[0].parecido >= UMBRAL and pares[0].lineas
    assert not [p for p in pares if {p.a, p.b} & {'esqueleto', 'otro_esqueleto', 'fifo_y_enlace'}]
