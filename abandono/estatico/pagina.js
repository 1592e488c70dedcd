// Envía el formulario a POST /predict y muestra la respuesta del servicio tal cual llega.
'use strict';

// Un número escrito como número (admite coma decimal); cualquier otro texto se
// manda como texto para que el servicio diga qué está mal.
function valorDe(control) {
  const texto = control.value.trim();
  if (!control.dataset.tipo) return texto;
  const numero = Number(texto.replace(',', '.'));
  return texto !== '' && Number.isFinite(numero) ? numero : texto;
}

function cliente(formulario) {
  const datos = {};
  for (const control of formulario.elements) {
    // Un campo vacío no se manda: el servicio responde «falta este campo».
    if (control.name && control.value.trim() !== '') datos[control.name] = valorDe(control);
  }
  return datos;
}

function limpiarErrores(formulario) {
  for (const control of formulario.elements) control.removeAttribute('aria-invalid');
  for (const span of formulario.querySelectorAll('.error-campo')) span.textContent = '';
}

function porcentaje(p) {
  return (p * 100).toLocaleString('es', {maximumFractionDigits: 1}) + ' %';
}

function mostrarResultado(datos) {
  document.getElementById('probabilidad').textContent = porcentaje(datos.probabilidad_abandono);
  document.getElementById('decision').textContent = datos.abandono ? 'abandona' : 'se queda';
  const filas = document.getElementById('factores');
  // Sin tabla (el modelo no da factores) no hay nada que rellenar.
  if (filas) filas.replaceChildren();
  for (const factor of datos.factores || []) {
    const fila = filas.insertRow();
    fila.insertCell().textContent = factor.campo;
    fila.insertCell().textContent = String(factor.valor);
    fila.insertCell().textContent = factor.aporte.toLocaleString('es', {signDisplay: 'always', maximumFractionDigits: 3});
    fila.insertCell().textContent = factor.aporte > 0 ? 'el abandono' : 'quedarse';
  }
  document.getElementById('error').hidden = true;
  document.getElementById('resultado').hidden = false;
  document.getElementById('titulo-resultado').focus();
}

function mostrarError(formulario, datos) {
  document.getElementById('mensaje-error').textContent = datos.error;
  const lista = document.getElementById('detalles-error');
  lista.replaceChildren();
  for (const detalle of datos.detalles || []) {
    const item = document.createElement('li');
    item.textContent = `${detalle.campo}: ${detalle.mensaje}`;
    lista.append(item);
    const control = formulario.elements.namedItem(detalle.campo);
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      document.getElementById(`error-${detalle.campo}`).textContent = detalle.mensaje;
    }
  }
  document.getElementById('resultado').hidden = true;
  document.getElementById('error').hidden = false;
  document.getElementById('titulo-error').focus();
}

document.getElementById('formulario').addEventListener('submit', async (evento) => {
  evento.preventDefault();
  const formulario = evento.target;
  limpiarErrores(formulario);
  let respuesta, datos;
  try {
    const factores = Number(formulario.dataset.factores);
    respuesta = await fetch(factores ? `predict?factores=${factores}` : 'predict', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(cliente(formulario)),
    });
    datos = await respuesta.json();
  } catch (fallo) {
    datos = {error: `No se pudo hablar con el servicio (${fallo.message}). ¿Sigue en marcha?`, detalles: []};
  }
  if (respuesta && respuesta.ok) mostrarResultado(datos);
  else mostrarError(formulario, datos);
});
