"""La similitud entre entregas: una copia se ve aunque cambie nombres, se esconda en módulos o en base64; el
esqueleto no acerca a nadie; las líneas que se muestran están en las dos; y es lineal, con topes, aparte."""
import os
import shutil
import time

import pytest

from abandono.calificador import similitud
from abandono.calificador.generador import EJERCICIOS, SOLUCIONES
from abandono.calificador.similitud import UMBRAL, comparar
from muestras import _PLANTADO, MUESTRAS

COPIAS = ('copia_renombrada', 'copia_en_modulos', 'copia_en_base64', 'acusacion_plantada')
CINCUENTA_MIL = next(m for m in MUESTRAS if m.nombre == 'cincuenta_mil_comentarios')


@pytest.fixture(scope='module')
def clase(tmp_path_factory):
    base = tmp_path_factory.mktemp('similitud')
    for muestra in MUESTRAS:
        if muestra.nombre in ('escrita_a_su_manera', 'pistas_al_pie_de_la_letra', 'debug_del_entorno', *COPIAS):
            muestra.construir(base)
    shutil.copytree(SOLUCIONES, base / 'solucion')
    shutil.copytree(EJERCICIOS, base / 'esqueleto')
    shutil.copytree(EJERCICIOS, base / 'otro_esqueleto')
    rara = base / 'fifo_y_enlace'   # una FIFO que nadie escribe, un enlace y una carpeta: ni cuelgan ni sacan nada
    rara.mkdir()
    os.mkfifo(rara / 'servicio1.py')
    (rara / 'flask_test.py').symlink_to(SOLUCIONES / 'flask_test.py')
    (rara / 'probar_servicio.py').mkdir()
    return base, comparar({p.name: p for p in base.iterdir()})


def parecido(pares, a, b):
    return next(p for p in pares if {p.a, p.b} == {a, b})


def test_una_copia_renombrada_es_el_par_mas_parecido_y_el_esqueleto_no_se_parece_a_nadie(clase):
    _, pares = clase
    assert not pares.aviso
    de_la_copia = [p for p in pares if 'copia_renombrada' in (p.a, p.b)]
    assert {de_la_copia[0].a, de_la_copia[0].b} == {'copia_renombrada', 'escrita_a_su_manera'}
    assert de_la_copia[0].parecido >= UMBRAL and de_la_copia[0].lineas
    assert not [p for p in pares if {p.a, p.b} & {'esqueleto', 'otro_esqueleto', 'fifo_y_enlace'}]


@pytest.mark.parametrize('copia', ['copia_en_modulos', 'copia_en_base64'])
def test_una_copia_en_modulos_de_ayuda_o_en_base64_tambien_se_ve(clase, copia):
    """Antes se comparaban solo los tres archivos de la lección, y como texto: las dos daban 0 %."""
    _, pares = clase
    # La copia es solo servicio1.py (sus otros dos archivos son los de la solución).
    par = parecido(pares, copia, 'escrita_a_su_manera')
    assert par.parecido >= 0.6, par


def test_las_lineas_que_se_muestran_estan_en_las_dos_con_su_sitio_en_cada_una(clase):
    base, pares = clase
    plantada = parecido(pares, 'acusacion_plantada', 'escrita_a_su_manera')
    assert plantada.parecido >= UMBRAL and plantada.lineas
    for par in pares:
        for linea in par.lineas:
            assert _PLANTADO not in linea.texto
            for entrega, donde in ((par.a, linea.donde_a), (par.b, linea.donde_b)):
                archivo, _, numero = donde.rpartition(':')
                if not archivo.endswith('(decodificado)'):
                    texto = (base / entrega / archivo).read_text(encoding='utf-8').splitlines()[int(numero) - 1]
                    assert texto.strip() == linea.texto, (entrega, donde)
    modulos = parecido(pares, 'copia_en_modulos', 'escrita_a_su_manera')
    assert any(l.donde_a.startswith('ayuda_modelo.py:') or l.donde_b.startswith('ayuda_modelo.py:')
               for l in modulos.lineas)


def test_lo_que_hay_que_revisar_a_mano(clase):
    _, pares = clase
    motivos = {(a.entrega, a.motivo) for a in pares.revisar}
    assert ('copia_en_base64', 'exec de texto decodificado') in motivos
    assert ('debug_del_entorno', 'debug= no es la constante False') in motivos
    # Lo que escribe la lección no se señala.
    assert not {e for e, _ in motivos} & {'solucion', 'escrita_a_su_manera', 'pistas_al_pie_de_la_letra'}


@pytest.mark.parametrize('codigo, motivo', [
    ("import codecs\nexec(codecs.decode('cevag(1)', 'rot13'))\n", 'exec de texto decodificado'),
    ("e = eval\nprint(e('1 + 1'))\n", 'eval guardado con otro nombre o pasado como valor'),
    ("import builtins\ngetattr(builtins, 'exec')('print(1)')\n", "el nombre 'exec' como texto (getattr, __builtins__)"),
    ("import os\nfrom flask import Flask\napp = Flask('a')\napp.debug = os.environ.get('D') == '1'\n",
     'el depurador se enciende con una asignación que no es False'),
    ("app.run(use_debugger=True)\n", 'use_debugger= no es la constante False'),
])
def test_cada_forma_de_esconder_se_señala(tmp_path, codigo, motivo):
    (tmp_path / 'entrega').mkdir()
    (tmp_path / 'entrega' / 'servicio1.py').write_text(codigo, encoding='utf-8')
    revisar = similitud.analizar({'entrega': tmp_path / 'entrega'}).revisar
    assert motivo in [a.motivo for a in revisar], revisar


def _clase_con(tmp_path, extra, honradas=3):
    for numero in range(honradas):
        shutil.copytree(SOLUCIONES, tmp_path / f'honrada_{numero}')
    shutil.copytree(SOLUCIONES, tmp_path / 'ultima')
    with open(tmp_path / 'ultima' / 'servicio1.py', 'a', encoding='utf-8') as archivo:
        archivo.write(extra)
    return {p.name: p for p in tmp_path.iterdir()}


def test_cincuenta_mil_comentarios_no_la_hacen_cuadratica(tmp_path):
    """La issue midió 46,7 s por par con 50 000 comentarios distintos dentro del código copiado; lineal, nada."""
    entregas = _clase_con(tmp_path, '')
    shutil.rmtree(entregas.pop('ultima'))
    entregas['cincuenta_mil_comentarios'] = CINCUENTA_MIL.construir(tmp_path)
    inicio = time.monotonic()
    pares = similitud.analizar(entregas)
    assert time.monotonic() - inicio < 10
    assert parecido(pares, 'cincuenta_mil_comentarios', 'honrada_0').parecido == 1.0


def test_el_codigo_de_mas_se_corta_y_se_dice(tmp_path):
    relleno = ''.join(f'x{i} = {i}\n' for i in range(similitud._MAX_CODIGO // 8))
    pares = similitud.analizar(_clase_con(tmp_path, relleno, honradas=0))
    assert [a.motivo for a in pares.revisar if a.entrega == 'ultima'] == [
        f'más de {similitud._MAX_CODIGO // 1024} KB de código: se compara solo el principio']


def test_al_plazo_entrega_lo_que_tiene_y_lo_dice(tmp_path):
    pares = similitud.analizar(_clase_con(tmp_path, ''), plazo=0)
    assert list(pares) == [] and 'no terminó en 0 s' in pares.aviso


def test_compara_en_otro_proceso_y_con_plazo(tmp_path, monkeypatch):
    """Ni un fallo ni un cuelgue del proceso que compara llegan al calificador: una comparación vacía que lo dice."""
    entregas = _clase_con(tmp_path, '')
    monkeypatch.setattr(similitud.sys, 'executable', '/bin/false')
    assert 'la comparación falló' in comparar(entregas).aviso
    monkeypatch.setattr(similitud.subprocess, 'run', _con_orden(similitud.subprocess.run, ['/bin/sleep', '60']))
    inicio = time.monotonic()
    vacia = comparar(entregas, plazo=-29)
    assert list(vacia) == [] and 'se detuvo' in vacia.aviso and time.monotonic() - inicio < 5


def _con_orden(correr, orden):
    def correr_otra(_, **opciones):
        return correr(orden, **opciones)
    return correr_otra
