// app.js — the page of `nnc serve` and `nnc train --serve`: draw (or fill in
// a table's row) and see the prediction; while a network trains, its curves,
// where the run stands and its first layer's weights. Everything comes from
// this server (Content-Security-Policy: default-src 'self').
'use strict';

const $ = (id) => document.getElementById(id);
let model = null;

async function getJSON(url, options) {
  const r = await fetch(url, options);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

// ---- predictions -----------------------------------------------------------

let busy = false, pending = null;

// One request in flight at a time; the newest waiting one goes next.
function predict(request) {
  if (busy) { pending = request; return; }
  busy = true;
  getJSON('/api/predict', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(request),
  }).then(show, (e) => { $('message').textContent = e.message; })
    .finally(() => {
      busy = false;
      if (pending) { const next = pending; pending = null; predict(next); }
    });
}

function show(res) {
  $('message').textContent = '';
  $('prediction').textContent = res.label !== undefined ? res.label
    : res.outputs.map((v) => v.toPrecision(4)).join(', ');
  const bars = $('bars');
  bars.replaceChildren();
  const best = res.class;
  const top = Math.max(1e-9, ...res.outputs.map(Math.abs));
  res.outputs.forEach((v, j) => {
    const label = document.createElement('div');
    label.className = 'bar-label';
    label.textContent = model.classes[j] !== undefined ? model.classes[j] : 'y' + j;
    const bar = document.createElement('div');
    bar.className = 'bar' + (j === best || (res.outputs.length === 1 && best === 1) ? ' best' : '');
    bar.style.width = (100 * Math.abs(v) / top).toFixed(1) + '%';
    const value = document.createElement('div');
    value.className = 'bar-value';
    value.textContent = v.toFixed(3);
    bars.append(label, bar, value);
  });
  if (model.input.kind === 'image') drawPrepared(res.prepared);
}

function drawPrepared(x) {
  const c = $('prepared'), w = model.input.width, h = model.input.height;
  c.width = w; c.height = h;
  const g = c.getContext('2d'), img = g.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.max(0, Math.min(255, Math.round(x[i] * 256)));
    img.data.set([v, v, v, 255], 4 * i);
  }
  g.putImageData(img, 0, 0);
}

// ---- drawing ---------------------------------------------------------------

const pad = $('draw');
const pen = pad.getContext('2d', {willReadFrequently: true});
let drawing = false, last = null, inked = false;

function clearPad() {
  pen.fillStyle = '#fff';
  pen.fillRect(0, 0, pad.width, pad.height);
  inked = false;
  $('prediction').textContent = '–';
  $('bars').replaceChildren();
  $('message').textContent = '';
  const p = $('prepared');
  p.getContext('2d').clearRect(0, 0, p.width, p.height);
}

function at(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
}

function stroke(from, to) {
  pen.strokeStyle = '#000';
  pen.lineWidth = pad.width / 14;
  pen.lineCap = 'round';
  pen.lineJoin = 'round';
  pen.beginPath();
  pen.moveTo(from[0], from[1]);
  pen.lineTo(to[0], to[1]);
  pen.stroke();
  inked = true;
}

function predictPad() {
  if (!inked) return;
  const data = pen.getImageData(0, 0, pad.width, pad.height).data;
  const pixels = new Array(pad.width * pad.height);
  for (let i = 0; i < pixels.length; i++)
    pixels[i] = Math.round((data[4 * i] + data[4 * i + 1] + data[4 * i + 2]) / 3);
  predict({image: {width: pad.width, height: pad.height, pixels}});
}

pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  drawing = true;
  last = at(e);
  stroke(last, last);
  predictPad();
  e.preventDefault();
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
  for (const ev of events.length ? events : [e]) {
    const p = at(ev);
    stroke(last, p);
    last = p;
  }
  predictPad();
});
for (const type of ['pointerup', 'pointercancel'])
  pad.addEventListener(type, () => { if (drawing) { drawing = false; predictPad(); } });
$('clear').addEventListener('click', clearPad);

// ---- a table's row ---------------------------------------------------------

function tableForm() {
  const form = $('table-form');
  model.input.names.forEach((name, j) => {
    const label = document.createElement('label');
    label.textContent = name;
    label.htmlFor = 'in' + j;
    const input = document.createElement('input');
    input.type = 'number';
    input.step = 'any';
    input.id = 'in' + j;
    input.value = '0';
    form.append(label, input);
  });
  form.addEventListener('input', predictRow);
  form.addEventListener('submit', (e) => { e.preventDefault(); predictRow(); });
  predictRow();
}

function predictRow() {
  const inputs = model.input.names.map((_, j) => Number($('in' + j).value));
  if (inputs.every(Number.isFinite)) predict({inputs});
}

// ---- training --------------------------------------------------------------

const epochs = [];
let trail = [];   // the epoch in progress: [epochs done, running cost] as it goes
const colours = ['#2f6fdf', '#d9482b', '#2a9d5b', '#9b51c9', '#c98a16', '#138a9c'];

function seconds(s) {
  if (!(s >= 0)) return '–';
  return s < 90 ? s.toFixed(0) + ' s' : (s / 60).toFixed(1) + ' min';
}

function drawCurves() {
  const c = $('curves'), g = c.getContext('2d'), W = c.width, H = c.height;
  c.dataset.points = String(epochs.length);
  g.clearRect(0, 0, W, H);
  const keys = [];
  for (const e of epochs)
    for (const k of Object.keys(e))
      if (!['epoch', 'seconds', 'eta'].includes(k) && !keys.includes(k)) keys.push(k);
  // the x axis counts epochs done: epoch i's measures at i + 1, the running
  // cost of the epoch in progress between its start and its end
  const L = 46, R = 46, T = 12, B = 26;
  const span = Math.max(1, epochs.length, ...trail.map((r) => Math.ceil(r[0])));
  const x = (i) => L + (W - L - R) * (i + 1) / span;
  const range = (ks) => {
    let lo = Infinity, hi = -Infinity;
    for (const e of epochs) for (const k of ks) if (e[k] !== undefined) {
      lo = Math.min(lo, e[k]); hi = Math.max(hi, e[k]);
    }
    if (ks.length && ks.every((k) => k.endsWith('_cost')))
      for (const r of trail) { lo = Math.min(lo, r[1]); hi = Math.max(hi, r[1]); }
    if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
    return [lo, hi];
  };
  const left = keys.filter((k) => !k.endsWith('_cost')), right = keys.filter((k) => k.endsWith('_cost'));
  if (trail.length && !right.length) right.push('running_cost');
  const scales = {left: range(left), right: range(right)};
  g.strokeStyle = '#d8dce5'; g.fillStyle = '#6b7385'; g.font = '11px system-ui, sans-serif';
  g.strokeRect(L, T, W - L - R, H - T - B);
  g.textAlign = 'center';
  for (let i = 0; i < epochs.length; i += Math.ceil(epochs.length / 10))
    g.fillText(String(epochs[i].epoch), x(i), H - 8);
  for (const [side, ks] of [['left', left], ['right', right]]) {
    if (!ks.length) continue;
    const [lo, hi] = scales[side];
    g.textAlign = side === 'left' ? 'right' : 'left';
    for (let t = 0; t <= 4; t++) {
      const v = lo + (hi - lo) * t / 4, y = H - B - (H - T - B) * t / 4;
      g.fillText(Math.abs(v) < 10 ? v.toFixed(3) : v.toPrecision(3), side === 'left' ? L - 4 : W - R + 4, y + 4);
    }
  }
  const legend = $('legend');
  legend.replaceChildren();
  if (trail.length) {   // thin, in grey: the running cost within the epoch
    const [lo, hi] = scales.right;
    const y = (v) => H - B - (H - T - B) * (v - lo) / (hi - lo);
    g.strokeStyle = '#8a90a0'; g.lineWidth = 1; g.setLineDash([]);
    g.beginPath();
    trail.forEach((r, i) => (i ? g.lineTo : g.moveTo).call(g, x(r[0] - 1), y(r[1])));
    g.stroke();
  }
  keys.forEach((k, ki) => {
    const [lo, hi] = scales[k.endsWith('_cost') ? 'right' : 'left'];
    const y = (v) => H - B - (H - T - B) * (v - lo) / (hi - lo);
    g.strokeStyle = g.fillStyle = colours[ki % colours.length];
    g.setLineDash(k.endsWith('_cost') ? [5, 4] : []);
    g.lineWidth = 2;
    g.beginPath();
    epochs.forEach((e, i) => {
      if (e[k] === undefined) return;
      if (i === 0 || epochs[i - 1][k] === undefined) g.moveTo(x(i), y(e[k])); else g.lineTo(x(i), y(e[k]));
    });
    g.stroke();
    epochs.forEach((e, i) => { if (e[k] !== undefined) g.fillRect(x(i) - 2, y(e[k]) - 2, 4, 4); });
    const item = document.createElement('span'), sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = colours[ki % colours.length];
    const last = epochs.length ? epochs[epochs.length - 1][k] : undefined;
    item.append(sw, k.replace('_', ' ') + (last !== undefined ? ' ' + last.toFixed(4) : ''));
    legend.append(item);
  });
  g.setLineDash([]);
  if (trail.length) {
    const item = document.createElement('span'), sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = '#8a90a0';
    item.append(sw, 'running cost ' + trail[trail.length - 1][1].toFixed(4));
    legend.append(item);
  }
}

async function drawWeights() {
  const w = await getJSON('/api/weights');
  const bytes = Uint8Array.from(atob(w.tiles), (ch) => ch.charCodeAt(0));
  const cols = Math.max(1, Math.min(w.units, Math.ceil(Math.sqrt(w.units * 2.5 * w.height / w.width))));
  const rows = Math.ceil(w.units / cols);
  const tw = w.width + 1, th = w.height + 1;
  const off = document.createElement('canvas');
  off.width = cols * tw; off.height = rows * th;
  const g = off.getContext('2d'), img = g.createImageData(off.width, off.height);
  for (let u = 0; u < w.units; u++)
    for (let i = 0; i < w.width * w.height; i++) {
      const v = ((bytes[u * w.width * w.height + i] << 24) >> 24) / 127;   // signed
      const px = (u % cols) * tw + i % w.width, py = Math.floor(u / cols) * th + Math.floor(i / w.width);
      const a = Math.round(255 * (1 - Math.abs(v)));
      img.data.set(v >= 0 ? [255, a, a, 255] : [a, a, 255, 255], 4 * (py * off.width + px));
    }
  g.putImageData(img, 0, 0);
  const c = $('weights'), scale = Math.max(1, Math.floor(Math.min(640 / off.width, 400 / off.height)));
  c.width = off.width * scale; c.height = off.height * scale;
  const cg = c.getContext('2d');
  cg.imageSmoothingEnabled = false;
  cg.drawImage(off, 0, 0, c.width, c.height);
}

function follow() {
  $('learn-panel').hidden = false;
  const events = new EventSource('/api/events');
  events.addEventListener('epoch', (e) => { epochs.push(JSON.parse(e.data)); drawCurves(); });
  events.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    const part = p.samples ? 100 * p.samples_done / p.samples : 0;
    if (p.running_cost !== undefined) {
      const at = p.epoch + (p.samples ? p.samples_done / p.samples : 0);
      if (trail.length && trail[0][0] < p.epoch) trail = [];   // a new epoch
      trail.push([at, p.running_cost]);
      drawCurves();
    }
    const running = p.running_accuracy !== undefined
      ? ` · running cost ${p.running_cost.toFixed(4)}, accuracy ${(100 * p.running_accuracy).toFixed(1)}%`
      : p.running_cost !== undefined ? ` · running cost ${p.running_cost.toFixed(4)}` : '';
    $('status').textContent = `epoch ${p.epoch + 1} of ${p.epochs} · ${part.toFixed(0)}% · ` +
      `${Math.round(p.samples_per_second).toLocaleString('en')} samples/s · ETA ${seconds(p.eta_seconds)}` +
      running;
  });
  events.addEventListener('weights', () => {
    drawWeights().catch(() => {});
    predictPad();   // the network changed: the drawing's prediction too
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED || epochs.length) {
      events.close();
      $('status').textContent = 'the run has ended (' + epochs.length + ' epochs)';
    }
  });
}

// ---- start -----------------------------------------------------------------

async function start() {
  model = await getJSON('/api/model');
  $('model').textContent = JSON.stringify(model, (k, v) => (k === 'names' && v.length > 20 ? `${v.length} names` : v)).replace(/,"/g, ',\n"');
  $('summary').textContent = `[${model.layers.join(', ')}] ${model.activations.join(', ')}, ` +
    `${model.cost} cost, ${model.parameters.toLocaleString('en')} parameters` + (model.training ? ' — training' : '');
  if (model.input.kind === 'image') {
    $('draw-box').hidden = false;
    $('prepared-box').hidden = false;
    clearPad();
  } else {
    $('predict-title').textContent = 'Inputs';
    $('table-form').hidden = false;
    tableForm();
  }
  if (model.training) follow();
  else drawWeights().then(() => {   // no run: the weights alone
    for (const id of ['status', 'curves', 'legend']) $(id).hidden = true;
    $('learn-panel').querySelector('h2').textContent = 'Weights';
    $('learn-panel').hidden = false;
  }, () => {});
}

start().catch((e) => { $('summary').textContent = 'cannot reach the server: ' + e.message; });
