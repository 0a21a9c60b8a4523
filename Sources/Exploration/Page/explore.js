// latent explore: the codes of a fitted autoencoder in a plane of its latent space.
// A point (u, v) of the plane is the code z = o + u·a₁ + v·a₂ (the server's PlaneAxes); hovering
// a drawn code shows its sample, clicking anywhere asks the server for DECODE(z) and the samples
// nearest to z, and a drawn path is decoded at evenly spaced points. The page is written to
// pixels directly (ImageData), so 100 000 points redraw within a frame.
"use strict";

// Tableau's ten categorical colours: distinct for the usual ten classes, and also in print.
const PALETTE = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
const UNLABELLED = [31, 119, 180];
const HOVER_RADIUS = 8;      // CSS pixels within which a point counts as hovered
const PATH_POINTS = 12;      // decodings along a drawn path
const NEIGHBOURS = 8;
const DENSITY_CELL = 4;      // device pixels per cell of the prior's density

const state = {
  data: null, u: null, v: null, labels: null, hidden: new Set(),
  view: { cx: 0, cy: 0, scale: 1 }, hovered: -1, anchor: -1,
  drag: null, path: [], frameRequested: false, drawTimes: [],
  lastDecode: null, strip: [], grid: null,
};

const $ = (id) => document.getElementById(id);
const canvas = $("scatter");
const context = canvas.getContext("2d");

function fail(message) {
  const box = $("errors");
  box.hidden = false;
  box.textContent = message;
}

async function fetchJSON(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

function colourOf(i) {
  return state.labels ? PALETTE[state.labels[i] % PALETTE.length] : UNLABELLED;
}

// --- Domains: a translator decodes into each of its domains ----------------------------------

function targetDomain() {
  const select = $("domain");
  return state.data.domains.length > 1 ? Number(select.value) : state.data.data_domain;
}

// The query parameter that names a domain, for a translator only.
function domainParameter(domain) {
  return state.data.domains.length > 1 ? `&domain=${encodeURIComponent(state.data.domains[domain].name)}` : "";
}

// The domain a hover shows the sample's translation into: the one decoded into, else the partner.
function partnerDomain() {
  const domains = state.data.domains;
  if (domains.length < 2) return -1;
  const target = targetDomain();
  if (target !== state.data.data_domain) return target;
  return domains.findIndex((_, k) => k !== state.data.data_domain);
}

// The query that names a point of the plane: its code z (the codes' plane), or the point
// itself (a principal graph's plane lies in the data's space; the server encodes it).
function pointQuery(u, v) {
  if (state.data.plane === "data") return `plane=${shortest(u)},${shortest(v)}`;
  return `z=${codeAt(u, v).join(",")}`;
}

function decodeURL(query, domain) {
  return `/api/decode?${query}${domainParameter(domain)}`;
}

// --- The plane ------------------------------------------------------------------------------

function dot(a, b) { let s = 0; for (let j = 0; j < a.length; j++) s += a[j] * b[j]; return s; }

// o = c − (c·a₁)a₁ − (c·a₂)a₂ (PlaneAxes.rest).
function restAt(c) {
  const { first, second } = state.data.axes;
  const u = dot(c, first), v = dot(c, second);
  return c.map((x, j) => x - u * first[j] - v * second[j]);
}

function currentRest() {
  const d = state.data.code_size;
  if ($("rest").value === "hovered" && state.anchor >= 0) {
    const k = state.anchor;
    return restAt(Array.from(state.data.codes.slice(k * d, (k + 1) * d)));
  }
  return state.data.axes.origin;
}

// A number as the shortest text that reads back as the same Float32.
function shortest(number) {
  const value = Math.fround(number);
  for (let digits = 6; digits < 10; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

// z = o + u·a₁ + v·a₂, each value as the shortest text of its Float32.
function codeAt(u, v) {
  const { first, second } = state.data.axes;
  const o = currentRest();
  return o.map((x, j) => shortest(x + u * first[j] + v * second[j]));
}

// --- View: plane ↔ screen (device pixels) ---------------------------------------------------

function ratio() { return window.devicePixelRatio || 1; }

function toScreen(u, v) {
  const { cx, cy, scale } = state.view;
  return [(u - cx) * scale + canvas.width / 2, canvas.height / 2 - (v - cy) * scale];
}

function toPlane(x, y) {
  const { cx, cy, scale } = state.view;
  return [cx + (x - canvas.width / 2) / scale, cy - (y - canvas.height / 2) / scale];
}

function eventPoint(event) {
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * ratio(), (event.clientY - box.top) * ratio()];
}

function fitView() {
  const { u, v } = state;
  let [minU, maxU, minV, maxV] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < u.length; i++) {
    minU = Math.min(minU, u[i]); maxU = Math.max(maxU, u[i]);
    minV = Math.min(minV, v[i]); maxV = Math.max(maxV, v[i]);
  }
  const spanU = Math.max(maxU - minU, 1e-6), spanV = Math.max(maxV - minV, 1e-6);
  state.view = { cx: (minU + maxU) / 2, cy: (minV + maxV) / 2,
    scale: 0.9 * Math.min(canvas.width / spanU, canvas.height / spanV) };
  requestDraw();
}

function resize() {
  const box = canvas.getBoundingClientRect();
  const width = Math.round(box.width * ratio()), height = Math.round(box.height * ratio());
  if (canvas.width === width && canvas.height === height) return false;
  const scale = state.view.scale * (canvas.width ? width / canvas.width : 1);
  canvas.width = width; canvas.height = height;
  state.view.scale = scale;
  return true;
}

// --- Drawing ---------------------------------------------------------------------------------

function requestDraw() {
  if (state.frameRequested) return;
  state.frameRequested = true;
  requestAnimationFrame(() => { state.frameRequested = false; draw(); });
}

// The prior's density in the plane, as a light shade: for N(0, σ²I) and the mixture alike,
// Σₖ exp(−|z − μₖ|² / 2σ²) clipped to 1, where |z − μₖ|² = |o − μₖ|² + u² + v²
// + 2u (o − μₖ)·a₁ + 2v (o − μₖ)·a₂ because a₁, a₂ are orthonormal.
function densityShade(pixels, width, height) {
  const prior = state.data.prior;
  if (!prior || !$("density").checked) return;
  const { first, second } = state.data.axes;
  const o = currentRest();
  const terms = prior.means.map((mean) => {
    const diff = o.map((x, j) => x - mean[j]);
    return [dot(diff, diff), 2 * dot(diff, first), 2 * dot(diff, second)];
  });
  const inverse = 1 / (2 * prior.deviation * prior.deviation);
  for (let y = 0; y < height; y += DENSITY_CELL) {
    for (let x = 0; x < width; x += DENSITY_CELL) {
      const [u, v] = toPlane(x + DENSITY_CELL / 2, y + DENSITY_CELL / 2);
      let p = 0;
      for (const [c, bu, bv] of terms) p += Math.exp(-(c + u * u + v * v + bu * u + bv * v) * inverse);
      const shade = Math.min(p, 1);
      if (shade < 0.01) continue;
      // White towards a pale blue-grey where the prior puts its mass.
      const r = 255 - 75 * shade, g = 255 - 50 * shade, b = 255 - 12 * shade;
      const colour = (255 << 24) | (b << 16) | (g << 8) | r;
      for (let dy = 0; dy < DENSITY_CELL && y + dy < height; dy++) {
        const row = (y + dy) * width;
        for (let dx = 0; dx < DENSITY_CELL && x + dx < width; dx++) pixels[row + x + dx] = colour;
      }
    }
  }
}

function draw() {
  const started = performance.now();
  resize();
  const width = canvas.width, height = canvas.height;
  const image = context.createImageData(width, height);
  const pixels = new Uint32Array(image.data.buffer);
  pixels.fill(0xffffffff);
  densityShade(pixels, width, height);
  const { u, v } = state;
  const { cx, cy, scale } = state.view;
  const size = Math.max(2, Math.round(1.5 * ratio()));
  const packed = PALETTE.map(([r, g, b]) => (255 << 24) | (b << 16) | (g << 8) | r);
  const single = (255 << 24) | (UNLABELLED[2] << 16) | (UNLABELLED[1] << 8) | UNLABELLED[0];
  const halfW = width / 2, halfH = height / 2;
  for (let i = 0; i < u.length; i++) {
    const label = state.labels ? state.labels[i] : -1;
    if (label >= 0 && state.hidden.has(label)) continue;
    const x = Math.round((u[i] - cx) * scale + halfW), y = Math.round(halfH - (v[i] - cy) * scale);
    if (x < 0 || y < 0 || x + size > width || y + size > height) continue;
    const colour = label >= 0 ? packed[label % packed.length] : single;
    for (let dy = 0; dy < size; dy++) {
      const row = (y + dy) * width + x;
      for (let dx = 0; dx < size; dx++) pixels[row + dx] = colour;
    }
  }
  context.putImageData(image, 0, 0);
  drawOverlay();
  state.drawTimes.push(performance.now() - started);
  if (state.drawTimes.length > 240) state.drawTimes.shift();
}

function drawOverlay() {
  context.save();
  const graph = state.data.graph;
  if (graph) {
    // A principal graph: its edges, then its nodes, over the samples.
    context.strokeStyle = "#222";
    context.lineWidth = 2.5 * ratio();
    context.beginPath();
    for (const [a, b] of graph.edges) {
      const [xa, ya] = toScreen(...graph.nodes[a]), [xb, yb] = toScreen(...graph.nodes[b]);
      context.moveTo(xa, ya); context.lineTo(xb, yb);
    }
    context.stroke();
    context.fillStyle = "#222";
    for (const [u, v] of graph.nodes) {
      const [x, y] = toScreen(u, v);
      context.beginPath(); context.arc(x, y, 3.5 * ratio(), 0, 2 * Math.PI); context.fill();
    }
  }
  context.lineWidth = 2 * ratio();
  if (state.hovered >= 0) {
    const [x, y] = toScreen(state.u[state.hovered], state.v[state.hovered]);
    context.strokeStyle = "#000";
    context.beginPath(); context.arc(x + 1, y + 1, 6 * ratio(), 0, 2 * Math.PI); context.stroke();
  }
  if (state.path.length > 1) {
    context.strokeStyle = "#d62728";
    context.beginPath();
    state.path.forEach(([pu, pv], k) => { const [x, y] = toScreen(pu, pv); k ? context.lineTo(x, y) : context.moveTo(x, y); });
    context.stroke();
  }
  if (state.lastDecode) {
    const [x, y] = toScreen(state.lastDecode.u, state.lastDecode.v);
    context.strokeStyle = "#000";
    const r = 7 * ratio();
    context.beginPath();
    context.moveTo(x - r, y); context.lineTo(x + r, y); context.moveTo(x, y - r); context.lineTo(x, y + r);
    context.stroke();
  }
  context.restore();
}

// --- Hover: a uniform grid over the plane finds the nearest drawn point ----------------------

function buildGrid() {
  const { u, v } = state;
  const cells = 256;
  let [minU, maxU, minV, maxV] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < u.length; i++) {
    minU = Math.min(minU, u[i]); maxU = Math.max(maxU, u[i]);
    minV = Math.min(minV, v[i]); maxV = Math.max(maxV, v[i]);
  }
  const cellU = Math.max(maxU - minU, 1e-9) / cells, cellV = Math.max(maxV - minV, 1e-9) / cells;
  const cellOf = new Int32Array(u.length);
  const starts = new Int32Array(cells * cells + 1);
  for (let i = 0; i < u.length; i++) {
    const cu = Math.min(cells - 1, Math.floor((u[i] - minU) / cellU));
    const cv = Math.min(cells - 1, Math.floor((v[i] - minV) / cellV));
    cellOf[i] = cv * cells + cu;
    starts[cellOf[i] + 1]++;
  }
  for (let c = 0; c < cells * cells; c++) starts[c + 1] += starts[c];
  const members = new Int32Array(u.length), filled = starts.slice(0, -1);
  for (let i = 0; i < u.length; i++) members[filled[cellOf[i]]++] = i;
  state.grid = { cells, minU, minV, cellU, cellV, starts, members };
}

function nearestPoint(x, y) {
  const { cells, minU, minV, cellU, cellV, starts, members } = state.grid;
  const [pu, pv] = toPlane(x, y);
  const radius = HOVER_RADIUS * ratio() / state.view.scale;
  const clamp = (c) => Math.max(0, Math.min(cells - 1, c));
  const u0 = clamp(Math.floor((pu - radius - minU) / cellU)), u1 = clamp(Math.floor((pu + radius - minU) / cellU));
  const v0 = clamp(Math.floor((pv - radius - minV) / cellV)), v1 = clamp(Math.floor((pv + radius - minV) / cellV));
  let best = -1, bestDistance = radius * radius;
  for (let cv = v0; cv <= v1; cv++) {
    for (let cu = u0; cu <= u1; cu++) {
      const cell = cv * cells + cu;
      for (let m = starts[cell]; m < starts[cell + 1]; m++) {
        const i = members[m];
        if (state.labels && state.hidden.has(state.labels[i])) continue;
        const du = state.u[i] - pu, dv = state.v[i] - pv, distance = du * du + dv * dv;
        if (distance <= bestDistance) { best = i; bestDistance = distance; }
      }
    }
  }
  return best;
}

function labelText(label) {
  if (label === undefined || label === null) return "";
  return state.data.class_names ? state.data.class_names[label] : `class ${label}`;
}

function valuesTable(values, names, limit = 12) {
  const table = document.createElement("table");
  table.className = "values";
  values.slice(0, limit).forEach((value, j) => {
    const row = table.insertRow();
    row.insertCell().textContent = names ? names[j] : `x${j}`;
    row.insertCell().textContent = Number(value).toPrecision(4);
  });
  if (values.length > limit) table.insertRow().insertCell().textContent = `… ${values.length - limit} more`;
  return table;
}

async function showHover(point, event) {
  const box = $("hover");
  if (point < 0) { box.hidden = true; return; }
  const index = state.data.indices[point];
  const label = state.labels ? labelText(state.labels[point]) : "";
  $("hover-label").textContent = `#${index}${label ? " · " + label : ""}`;
  const plot = $("plot").getBoundingClientRect();
  box.style.left = `${Math.min(event.clientX - plot.left + 14, plot.width - 120)}px`;
  box.style.top = `${Math.max(event.clientY - plot.top - 110, 0)}px`;
  box.hidden = false;
  if (state.data.image) {
    $("hover-image").src = `/api/item/${index}`;
    $("hover-image").dataset.index = index;
  } else {
    const item = await fetchJSON(`/api/item/${index}?format=json`);
    if (state.hovered !== point) return;
    $("hover-table").replaceChildren(valuesTable(item.values, item.feature_names, 8));
  }
  const partner = partnerDomain();
  $("hover-translation").hidden = partner < 0;
  if (partner < 0) return;
  const domain = state.data.domains[partner];
  $("hover-translation-label").textContent = `→ ${domain.name}`;
  if (domain.image) {
    $("hover-translation-image").src = `/api/item/${index}?domain=${encodeURIComponent(domain.name)}`;
  } else {
    const item = await fetchJSON(`/api/item/${index}?format=json&domain=${encodeURIComponent(domain.name)}`);
    if (state.hovered !== point) return;
    $("hover-translation-table").replaceChildren(valuesTable(item.values, item.feature_names, 8));
  }
}

// --- Decoding --------------------------------------------------------------------------------

function decodedView(query, width) {
  const domain = targetDomain();
  if (state.data.domains[domain].image) {
    const image = document.createElement("img");
    image.src = decodeURL(query, domain);
    image.style.width = `${width}px`;
    return image;
  }
  const holder = document.createElement("div");
  fetchJSON(`${decodeURL(query, domain)}&format=json`)
    .then((decoded) => holder.replaceChildren(valuesTable(decoded.values, decoded.feature_names, 6)))
    .catch((error) => fail(error.message));
  return holder;
}

async function decodeAt(u, v) {
  const query = pointQuery(u, v);
  state.lastDecode = { u, v, z: state.data.plane === "data" ? null : codeAt(u, v), query };
  requestDraw();
  $("decoded").hidden = false;
  const domain = targetDomain();
  const into = state.data.domains.length > 1 ? ` into ${state.data.domains[domain].name}` : "";
  $("decoded-at").textContent = `(${u.toPrecision(4)}, ${v.toPrecision(4)}) in the plane${into}`;
  const image = Boolean(state.data.domains[domain].image);
  $("decoded-image").hidden = !image;
  $("decoded-table").hidden = image;
  if (image) {
    $("decoded-image").src = decodeURL(query, domain);
  } else {
    const decoded = await fetchJSON(`${decodeURL(query, domain)}&format=json`);
    $("decoded-table").replaceChildren(valuesTable(decoded.values, decoded.feature_names));
  }
  const found = await fetchJSON(`/api/neighbours?${query}&k=${NEIGHBOURS}`);
  $("neighbours").replaceChildren(...found.neighbours.map((neighbour) => {
    const figure = document.createElement("figure");
    if (state.data.image) {
      const image = document.createElement("img");
      image.src = `/api/item/${neighbour.index}`;
      figure.append(image);
    }
    const caption = document.createElement("figcaption");
    caption.textContent = `${neighbour.class_name || "#" + neighbour.index}\n${neighbour.distance.toPrecision(3)}`;
    caption.title = `sample ${neighbour.index}, at distance ${neighbour.distance} from the decoded code`;
    figure.append(caption);
    return figure;
  }));
}

// PATH_POINTS points evenly spaced along the drawn polyline, by arc length.
function resample(path, count) {
  const lengths = [0];
  for (let k = 1; k < path.length; k++) {
    lengths.push(lengths[k - 1] + Math.hypot(path[k][0] - path[k - 1][0], path[k][1] - path[k - 1][1]));
  }
  const total = lengths[lengths.length - 1];
  const points = [];
  for (let n = 0; n < count; n++) {
    const target = total * n / (count - 1);
    let k = 1;
    while (k < path.length - 1 && lengths[k] < target) k++;
    const span = lengths[k] - lengths[k - 1] || 1;
    const t = Math.min(1, Math.max(0, (target - lengths[k - 1]) / span));
    points.push([path[k - 1][0] + t * (path[k][0] - path[k - 1][0]), path[k - 1][1] + t * (path[k][1] - path[k - 1][1])]);
  }
  return points;
}

function decodePath() {
  if (state.path.length < 2) return;
  const points = resample(state.path, PATH_POINTS);
  state.strip = points.map(([u, v]) => pointQuery(u, v));
  $("strip").hidden = false;
  $("strip-images").replaceChildren(...state.strip.map((query, n) => {
    const figure = document.createElement("figure");
    figure.append(decodedView(query, 72));
    const caption = document.createElement("figcaption");
    caption.textContent = `${n + 1}`;
    figure.append(caption);
    return figure;
  }));
}

// --- Input -----------------------------------------------------------------------------------

function onPointerDown(event) {
  if (event.button !== 0) return;
  const [x, y] = eventPoint(event);
  const drawing = $("tool").value === "path" || event.shiftKey;
  state.drag = { x, y, moved: false, drawing, view: { ...state.view } };
  if (drawing) state.path = [toPlane(x, y)];
  canvas.setPointerCapture?.(event.pointerId);
}

function onPointerMove(event) {
  const [x, y] = eventPoint(event);
  const [pu, pv] = toPlane(x, y);
  $("position").textContent = `${state.data.axes.first_label}: ${pu.toPrecision(4)} · ${state.data.axes.second_label || "—"}: ${pv.toPrecision(4)}`;
  const drag = state.drag;
  if (drag) {
    if (Math.hypot(x - drag.x, y - drag.y) > 3 * ratio()) drag.moved = true;
    if (drag.drawing) {
      state.path.push([pu, pv]);
    } else if (drag.moved) {
      state.view.cx = drag.view.cx - (x - drag.x) / state.view.scale;
      state.view.cy = drag.view.cy + (y - drag.y) / state.view.scale;
    }
    requestDraw();
    return;
  }
  const point = nearestPoint(x, y);
  if (point !== state.hovered) {
    state.hovered = point;
    if (point >= 0) state.anchor = point;
    showHover(point, event).catch((error) => fail(error.message));
    requestDraw();
  } else if (point >= 0) {
    showHover(point, event).catch((error) => fail(error.message));
  }
}

function onPointerUp(event) {
  const drag = state.drag;
  state.drag = null;
  if (!drag) return;
  const [x, y] = eventPoint(event);
  if (drag.drawing && drag.moved) {
    decodePath();
  } else if (!drag.moved) {
    state.path = [];
    const [u, v] = toPlane(x, y);
    decodeAt(u, v).catch((error) => fail(error.message));
  }
  requestDraw();
}

function onWheel(event) {
  event.preventDefault();
  const [x, y] = eventPoint(event);
  const [pu, pv] = toPlane(x, y);
  const factor = Math.pow(1.2, -event.deltaY / 100);
  state.view.scale *= factor;
  // Keep the plane's point under the cursor where it is.
  state.view.cx = pu - (x - canvas.width / 2) / state.view.scale;
  state.view.cy = pv + (y - canvas.height / 2) / state.view.scale;
  requestDraw();
}

function buildLegend() {
  const legend = $("legend");
  const names = state.data.class_names;
  if (!state.labels) { legend.replaceChildren(Object.assign(document.createElement("li"), { textContent: "no labels" })); return; }
  const counts = new Map();
  for (const label of state.labels) counts.set(label, (counts.get(label) || 0) + 1);
  const labels = [...counts.keys()].sort((a, b) => a - b);
  legend.replaceChildren(...labels.map((label) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    const [r, g, b] = PALETTE[label % PALETTE.length];
    swatch.style.background = `rgb(${r},${g},${b})`;
    item.append(swatch, `${names ? names[label] : label} (${counts.get(label)})`);
    item.dataset.label = label;
    item.addEventListener("click", () => {
      state.hidden.has(label) ? state.hidden.delete(label) : state.hidden.add(label);
      item.classList.toggle("off", state.hidden.has(label));
      requestDraw();
    });
    return item;
  }));
}

// --- Start -----------------------------------------------------------------------------------

async function start() {
  const data = await fetchJSON("/api/codes");
  data.codes = Float32Array.from(data.codes);
  const n = data.indices.length, d = data.code_size;
  state.data = data;
  state.labels = data.labels ? Int32Array.from(data.labels) : null;
  state.u = new Float64Array(n); state.v = new Float64Array(n);
  for (let i = 0; i < n; i++) { state.u[i] = data.points[2 * i]; state.v[i] = data.points[2 * i + 1]; }
  document.title = `latent explore · ${data.model}`;
  $("title").textContent = `${data.model} · ${data.method}`;
  $("summary").textContent = `${n === data.samples ? n : `${n} of ${data.samples}`} samples, codes of ${d} dimension${d === 1 ? "" : "s"}` +
    (data.graph ? ` · a graph of ${data.graph.nodes.length} nodes, drawn with the samples in the data's plane` : "") +
    ` · x: ${data.axes.first_label}${data.axes.second_label ? ` · y: ${data.axes.second_label}` : ""}` +
    (data.prior ? ` · prior ${data.prior.description}` : "");
  $("rest-control").hidden = d <= 2 || data.plane === "data";
  if (data.domains.length > 1) {
    $("domain").replaceChildren(...data.domains.map((domain, k) => new Option(domain.name, String(k), k === data.data_domain, k === data.data_domain)));
    $("domain-control").hidden = false;
    $("domain").addEventListener("change", () => {
      if (state.lastDecode) decodeAt(state.lastDecode.u, state.lastDecode.v).catch((error) => fail(error.message));
      if (state.strip.length) decodePath();
    });
  }
  $("density-control").hidden = !data.prior;
  buildLegend();
  buildGrid();
  resize();
  fitView();
  canvas.addEventListener("pointerdown", onPointerDown);
  canvas.addEventListener("pointermove", onPointerMove);
  canvas.addEventListener("pointerup", onPointerUp);
  canvas.addEventListener("pointerleave", () => { state.hovered = -1; $("hover").hidden = true; requestDraw(); });
  canvas.addEventListener("wheel", onWheel, { passive: false });
  for (const id of ["density", "rest"]) $(id).addEventListener("change", requestDraw);
  $("reset").addEventListener("click", fitView);
  window.addEventListener("resize", requestDraw);
  draw();
  window.latentExplorer.ready = true;
}

// What a script (a test, a notebook's browser) can read of the page's state.
window.latentExplorer = {
  ready: false,
  get points() { return state.u ? state.u.length : 0; },
  // Where point k is drawn, in CSS pixels from the viewport's corner.
  screenPoint(k) {
    const [x, y] = toScreen(state.u[k], state.v[k]);
    const box = canvas.getBoundingClientRect();
    const size = Math.max(2, Math.round(1.5 * ratio()));
    return [box.left + (x + size / 2) / ratio(), box.top + (y + size / 2) / ratio()];
  },
  // The plane's point under the CSS pixel (x, y).
  planePoint(x, y) { const box = canvas.getBoundingClientRect(); return toPlane((x - box.left) * ratio(), (y - box.top) * ratio()); },
  get hovered() { return state.hovered; },
  get lastDecode() { return state.lastDecode; },
  get strip() { return state.strip; },
  get domain() { return state.data ? state.data.domains[targetDomain()].name : null; },
  get plane() { return state.data ? state.data.plane : null; },
  // Where node k of a principal graph is drawn, in CSS pixels from the viewport's corner.
  nodePoint(k) {
    const [x, y] = toScreen(...state.data.graph.nodes[k]);
    const box = canvas.getBoundingClientRect();
    return [box.left + x / ratio(), box.top + y / ratio()];
  },
  get drawTimes() { return state.drawTimes.slice(); },
  get colours() { return PALETTE; },
  codeAt,
  redraw: draw,
};

start().catch((error) => fail(`The codes could not be loaded: ${error.message}`));
