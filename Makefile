# Cada objetivo prepara lo que necesita: un entorno virtual en .venv con las
# versiones fijadas en requirements/ y, si hace falta, el modelo entrenado.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ENTREGAS ?= entregas

.PHONY: servicio test test-lento jupyter cuadernos modelo calificar ejercicios bench limpiar sistema empezar html comprobar requisitos

## servicio: instala lo mínimo, entrena el modelo y arranca servicio1.py en el puerto de la lección (o PUERTO=...)
servicio: $(VENV)/.entrenamiento modelo_trabajo.bin
	$(PY) servicio1.py $(if $(PUERTO),--port $(PUERTO))

## test: instala todo el taller, entrena el modelo y pasa las pruebas (sin las lentas)
test: sistema $(VENV)/.taller modelo_trabajo.bin
	$(PY) -m pytest -n 2 --dist loadfile

## test-lento: las pruebas lentas (la clase entera de muestras, clientes lentos, carga); CI también las pasa
test-lento: sistema $(VENV)/.taller modelo_trabajo.bin
	$(PY) -m pytest -n 2 --dist loadfile -m lento

## jupyter: instala lo del estudiante (requirements/jupyter.txt) y abre los cuadernos (ocupa la terminal;
## como root, en un contenedor, añade --allow-root). Con el entorno primero en el PATH: el «python» de
## las terminales de Jupyter y de las celdas con «!» es el del taller.
jupyter: $(VENV)/.jupyter modelo_trabajo.bin
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

## cuadernos: vuelve a ejecutar los cuadernos y guarda sus salidas (CUADERNOS=06 rehace solo el 06)
cuadernos: $(VENV)/.taller modelo_trabajo.bin
	$(PY) -m abandono.cuadernos.ejecutar $(CUADERNOS)

## empezar: copia los esqueletos de exercises/ en mi_trabajo/, tu carpeta (nunca sobrescribe nada)
empezar:
	@$(PYTHON) -m abandono.empezar $(CARPETA)

## html: los cuadernos con sus salidas guardadas como páginas web, en html/ (ábrelas sin Jupyter)
html: $(VENV)/.jupyter
	$(PY) -m abandono.cuadernos.exportar html

## modelo: entrena modelo_trabajo.bin (y su huella SHA-256)
modelo: modelo_trabajo.bin

modelo_trabajo.bin: $(VENV)/.entrenamiento abandono/datos.py abandono/entrenamiento.py
	$(PY) -m abandono.entrenamiento

## comprobar: califica tu carpeta (mi_trabajo/ o CARPETA=...) y te dice qué corregir
comprobar: $(VENV)/.estudiante modelo_trabajo.bin
	@$(PY) -m abandono.calificador.comprobar $(CARPETA)

## calificar: califica la clase de ENTREGAS (una subcarpeta por estudiante, o el zip de Moodle o de Canvas); notas en notas_ENTREGAS/. HOJA= la rellena, SOLO= recalifica una, TAREA= (Canvas), SALIDA=
calificar: $(VENV)/.taller modelo_trabajo.bin
	$(PY) -m abandono.calificador.clase "$(ENTREGAS)" $(if $(HOJA),--hoja "$(HOJA)") $(if $(SOLO),--solo "$(SOLO)") \
		$(if $(TAREA),--tarea "$(TAREA)") $(if $(SALIDA),--salida "$(SALIDA)")

## ejercicios: regenera exercises/ a partir de solutions/
ejercicios: $(VENV)/.taller
	$(PY) -m abandono.calificador.generador

## bench: mide la velocidad (predict frente a predict_cliente, servicio, lotes, carga); BENCH=--completo añade más
bench: $(VENV)/.taller modelo_trabajo.bin
	$(PY) -m bench $(BENCH)

## limpiar: borra el entorno, el modelo y las salidas (nunca mi_trabajo/)
limpiar:
	rm -rf $(VENV) modelo_trabajo.bin modelo_trabajo.bin.sha256 notas_*/ html

## requisitos: vuelve a fijar requirements/*.txt desde los *.in (pip-compile); SUBIR=1 sube versiones
requisitos: $(VENV)/.taller
	cd requirements && for capa in servicio entrenamiento estudiante jupyter taller; do \
		CUSTOM_COMPILE_COMMAND="make requisitos" ../$(VENV)/bin/pip-compile --quiet --no-strip-extras \
			--no-emit-index-url --no-emit-find-links $(if $(SUBIR),--upgrade) -o $$capa.txt $$capa.in || exit 1; \
	done

## sistema: instala los paquetes de Debian de requirements/debian.txt que falten (hace falta ser root)
sistema:
	@faltan=""; for paquete in $$(grep -v '^#' requirements/debian.txt); do \
		dpkg-query -W -f='$${Status}' $$paquete 2>/dev/null | grep -q 'ok installed' || faltan="$$faltan $$paquete"; \
	done; \
	if [ -z "$$faltan" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$faltan; \
	else \
		echo "Faltan paquetes del sistema:$$faltan. Instálalos con: sudo apt-get install$$faltan" >&2; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.entrenamiento: requirements/servicio.txt requirements/entrenamiento.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/entrenamiento.txt
	touch $@

$(VENV)/.estudiante: requirements/estudiante.txt $(VENV)/.entrenamiento
	$(PY) -m pip install --quiet -r requirements/estudiante.txt
	touch $@

$(VENV)/.jupyter: requirements/jupyter.txt $(VENV)/.estudiante
	$(PY) -m pip install --quiet -r requirements/jupyter.txt
	touch $@

$(VENV)/.taller: requirements/taller.txt $(VENV)/.jupyter
	$(PY) -m pip install --quiet -r requirements/taller.txt
	touch $@
