// fbs-sensor dashboard: alerts (live over server-sent events), transmitters, and an offline SVG map.
// No external resources (CSP default-src 'self'); data only ever goes into the page as text.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const W = 800, H = 520;
  const params = new URLSearchParams(window.location.search);
  const token = params.get("token") || sessionStorage.getItem("fbs-dashboard-token") || "";
  if (params.get("token")) sessionStorage.setItem("fbs-dashboard-token", params.get("token"));
  const tiles = params.get("tiles") || "";
  const alertsById = new Set();
  let lastEventId = 0;
  let refreshTimer = null;
  let source = null;

  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function svg(tag, attrs, cls) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (cls) e.setAttribute("class", cls);
    return e;
  }

  function withToken(path) {
    return token ? path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : path;
  }

  async function api(path) {
    const r = await fetch(path, { headers: token ? { Authorization: "Bearer " + token } : {}, cache: "no-store" });
    if (!r.ok) throw new Error(path.split("?")[0] + ": HTTP " + r.status);
    return r.json();
  }

  function showError(e) {
    const box = $("error");
    if (e) { box.textContent = String(e.message || e); box.hidden = false; } else { box.hidden = true; }
  }

  const verdictClass = (v) => (["normal", "suspicious", "fake"].includes(v) ? v : "normal");
  const fmtTime = (t) => (t ? String(t).replace("T", " ").replace(/\.\d+Z?$|Z$/, "") : "–");
  const cellName = (x) => `${x.mcc ?? "?"}-${x.mnc ?? "?"} LAC ${x.lac ?? "?"} CI ${x.cell_id ?? "?"}`;

  function reasonList(reasons) {
    const ul = el("ul", "reasons");
    for (const r of reasons || []) {
      const li = el("li", null, r.detail || r.rule);
      li.title = `${r.rule} (weight ${r.weight})`;
      ul.append(li);
    }
    return ul;
  }

  // ------------------------------------------------------------------ alerts

  function alertItem(a, isNew) {
    const li = el("li", "alert " + verdictClass(a.verdict) + (isNew ? " new" : ""));
    li.dataset.id = a.id;
    const head = el("div", "head");
    head.append(el("span", "badge " + verdictClass(a.verdict), a.verdict), " ",
      `ARFCN ${a.arfcn} BSIC ${a.bsic ?? "?"} — ${cellName(a)}`);
    const score = typeof a.score === "number" ? `, score ${a.score.toFixed(2)}` : "";
    const where = a.position && a.position.lat != null ? ` at ${a.position.lat.toFixed(5)}, ${a.position.lon.toFixed(5)}` : "";
    li.append(head, el("div", "meta", `${fmtTime(a.time_utc)} UTC, sensor ${a.sensor}${where}${score}`), reasonList(a.reasons));
    return li;
  }

  function addAlert(a, isNew) {
    if (alertsById.has(a.id)) return;
    alertsById.add(a.id);
    $("alerts").prepend(alertItem(a, isNew));  // newest first
    $("no-alerts").hidden = true;
    $("alert-count").textContent = `(${alertsById.size})`;
  }

  async function loadAlerts() {
    const data = await api("/api/alerts?limit=500");
    for (const a of data.alerts) addAlert(a, false);
    lastEventId = data.last_event_id;
    if (!alertsById.size) $("no-alerts").hidden = false;
  }

  function openEvents() {
    if (source) source.close();
    // After a drop the browser reconnects by itself and resumes with Last-Event-ID.
    source = new EventSource(withToken("/api/events?after=" + lastEventId));
    source.addEventListener("open", () => { $("live").textContent = "live"; $("live").className = "live on"; });
    source.addEventListener("error", () => { $("live").textContent = "reconnecting…"; $("live").className = "live off"; });
    source.addEventListener("detection", (ev) => {
      lastEventId = Number(ev.lastEventId) || lastEventId;
      addAlert(JSON.parse(ev.data), true);
      scheduleRefresh(1000);
    });
  }

  // ------------------------------------------------------------------ transmitters

  function renderTable(txs) {
    const body = document.querySelector("#transmitters tbody");
    body.replaceChildren();
    for (const t of txs) {
      const tr = el("tr");
      tr.dataset.key = t.key;
      const v = el("td"); v.append(el("span", "badge " + verdictClass(t.verdict), t.verdict));
      const counts = Object.entries(t.verdicts).map(([k, n]) => `${n} ${k}`).join(", ");
      let where;
      if (t.estimate) {
        const e = t.estimate;
        where = `${e.lat.toFixed(5)}, ${e.lon.toFixed(5)} ± ${Math.round(e.radius_m)} m (${e.n_positions} positions)` +
          (e.mirror_ambiguous ? ", or across the road" : "");
      } else {
        where = t.refusal ? "not located: " + t.refusal.reason : (t.verdict === "normal" ? "real cell: not located" : "–");
      }
      if (t.next_look) where += "; " + lookWords(t.next_look);
      const reasons = el("td"); reasons.append(reasonList(t.reasons));
      tr.append(v, el("td", null, t.arfcn), el("td", null, t.bsic ?? "?"), el("td", null, cellName(t)),
        el("td", null, `${t.n_readings} (${counts}) from ${t.sensors.join(", ")}`), el("td", null, fmtTime(t.last_seen_utc)),
        el("td", null, where), reasons);
      body.append(tr);
    }
  }

  function lookWords(k) {  // sensor/locate/guidance.look_words
    return `next reading best ${Math.round(k.distance_m)} m ${k.direction} of the estimate` +
      (k.gap_deg >= 120 ? `; readings leave a ${Math.round(k.gap_deg)}° gap` : "");
  }

  // ------------------------------------------------------------------ map (local equirectangular projection)

  function projection(points) {
    let minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
    for (const [lat, lon] of points) {
      minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
      minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
    }
    const lat0 = (minLat + maxLat) / 2, lon0 = (minLon + maxLon) / 2;
    const kx = 111320 * Math.cos(lat0 * Math.PI / 180), ky = 110540;  // metres per degree
    const spanX = Math.max((maxLon - minLon) * kx, 200) * 1.15, spanY = Math.max((maxLat - minLat) * ky, 200) * 1.15;
    const scale = Math.min(W / spanX, H / spanY);  // pixels per metre
    return {
      scale, lat0,
      xy: (lat, lon) => [W / 2 + (lon - lon0) * kx * scale, H / 2 - (lat - lat0) * ky * scale],
      ll: (x, y) => [lat0 - (y - H / 2) / scale / ky, lon0 + (x - W / 2) / scale / kx],
    };
  }

  function drawTiles(p, group) {
    // Optional slippy-map tiles under the drawing (a small area is close enough to Mercator).
    if (!/^https?:\/\/[^\s"'<>]+$/.test(tiles) || !tiles.includes("{z}")) return;
    const z = Math.max(0, Math.min(19, Math.round(Math.log2(40075016.686 * Math.cos(p.lat0 * Math.PI / 180) * p.scale / 256))));
    const n = 2 ** z;
    const tx = (lon) => (lon + 180) / 360 * n;
    const ty = (lat) => (1 - Math.asinh(Math.tan(lat * Math.PI / 180)) / Math.PI) / 2 * n;
    const lonOf = (x) => x / n * 360 - 180;
    const latOf = (y) => Math.atan(Math.sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
    const [latTop, lonLeft] = p.ll(0, 0), [latBottom, lonRight] = p.ll(W, H);
    const x0 = Math.floor(tx(lonLeft)), x1 = Math.floor(tx(lonRight)), y0 = Math.floor(ty(latTop)), y1 = Math.floor(ty(latBottom));
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > 64) return;
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        if (y < 0 || y >= n) continue;
        const [ax, ay] = p.xy(latOf(y), lonOf(x)), [bx, by] = p.xy(latOf(y + 1), lonOf(x + 1));
        const url = tiles.replace("{z}", z).replace("{x}", ((x % n) + n) % n).replace("{y}", y);
        group.append(svg("image", { href: url, x: ax, y: ay, width: bx - ax, height: by - ay, preserveAspectRatio: "none" }));
      }
    }
    $("attribution").textContent = "Tiles: " + new URL(tiles.replace(/[{}]/g, "")).host;
  }

  function drawScale(p, group) {
    const target = W / 5 / p.scale;  // metres
    const pow = 10 ** Math.floor(Math.log10(target));
    const m = [1, 2, 5, 10].map((k) => k * pow).filter((d) => d <= target).pop() || pow;
    const px = m * p.scale, x = 16, y = H - 16;
    const g = svg("g", {}, "scale");
    g.append(svg("path", { d: `M${x},${y - 5}V${y}H${x + px}V${y - 5}` }));
    const label = svg("text", { x: x, y: y - 8 });
    label.textContent = m >= 1000 ? `${m / 1000} km` : `${m} m`;
    g.append(label);
    group.append(g);
  }

  function renderMap(txs, readings) {
    const groups = ["map-tiles", "map-regions", "map-readings", "map-estimates", "map-overlay"].map((id) => $(id));
    groups.forEach((g) => g.replaceChildren());
    const [gTiles, gRegions, gReadings, gEstimates, gOverlay] = groups;
    const points = readings.filter((r) => r.lat != null && r.lon != null).map((r) => [r.lat, r.lon]);
    for (const t of txs) {
      if (t.next_look) points.push([t.next_look.lat_deg, t.next_look.lon_deg]);
      if (!t.estimate) continue;
      points.push([t.estimate.lat, t.estimate.lon]);
      for (const poly of t.estimate.region) points.push(...poly);
    }
    if (!points.length) {
      const note = svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "map-note");
      note.textContent = "No positions yet.";
      gOverlay.append(note);
      return;
    }
    const p = projection(points);
    drawTiles(p, gTiles);
    const rank = { normal: 0, suspicious: 1, fake: 2 };
    const sorted = readings.filter((r) => r.lat != null && r.lon != null)
      .sort((a, b) => (rank[a.verdict] || 0) - (rank[b.verdict] || 0));  // the grave ones on top
    for (const r of sorted) {
      const [x, y] = p.xy(r.lat, r.lon);
      const c = svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 3.5 }, "reading v-" + verdictClass(r.verdict));
      const title = svg("title");
      title.textContent = `ARFCN ${r.arfcn} BSIC ${r.bsic ?? "?"}: ${r.verdict}, ${r.rssi_dbm ?? r.rssi_dbfs} ${r.rssi_dbm != null ? "dBm" : "dBFS"} (${r.sensor}, ${fmtTime(r.time_utc)})`;
      c.append(title);
      gReadings.append(c);
    }
    for (const t of txs) {
      if (!t.estimate) continue;
      const cls = "v-" + verdictClass(t.verdict);
      for (const poly of t.estimate.region) {
        const pts = poly.map(([lat, lon]) => p.xy(lat, lon).map((v) => v.toFixed(1)).join(",")).join(" ");
        gRegions.append(svg("polygon", { points: pts, "data-key": t.key }, "region " + cls));
      }
      const [x, y] = p.xy(t.estimate.lat, t.estimate.lon);
      const g = svg("g", { transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`, "data-key": t.key }, "estimate " + cls);
      g.append(svg("circle", { r: 7 }), svg("path", { d: "M-4,-4L4,4M-4,4L4,-4" }));
      const label = svg("text", { x: 10, y: 4 });
      label.textContent = `ARFCN ${t.arfcn}`;
      const title = svg("title");
      title.textContent = `${t.verdict}: ARFCN ${t.arfcn} BSIC ${t.bsic ?? "?"}, ± ${Math.round(t.estimate.radius_m)} m (95 %)`;
      g.append(label, title);
      gEstimates.append(g);
    }
    for (const t of txs) {  // where one more reading would narrow the region most
      if (!t.next_look || t.verdict === "normal") continue;
      const [x, y] = p.xy(t.next_look.lat_deg, t.next_look.lon_deg);
      const g = svg("g", { transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`, "data-key": t.key },
        "next-look v-" + verdictClass(t.verdict));
      g.append(svg("path", { d: "M0,-7L7,0L0,7L-7,0Z" }));
      const title = svg("title");
      title.textContent = `ARFCN ${t.arfcn} BSIC ${t.bsic ?? "?"}: ${lookWords(t.next_look)}`;
      g.append(title);
      gEstimates.append(g);
    }
    drawScale(p, gOverlay);
  }

  // ------------------------------------------------------------------ refresh

  async function refresh() {
    refreshTimer = null;
    try {
      const [tx, rd] = await Promise.all([api("/api/transmitters"), api("/api/readings?limit=5000")]);
      renderTable(tx.transmitters);
      renderMap(tx.transmitters, rd.readings);
      $("updated").textContent = "updated " + new Date().toLocaleTimeString();
      showError(null);
    } catch (e) {
      showError(e);
    }
  }

  function scheduleRefresh(delayMs) {
    if (refreshTimer === null) refreshTimer = setTimeout(refresh, delayMs);
  }

  async function start() {
    try {
      await loadAlerts();
    } catch (e) {
      showError(e);
    }
    openEvents();
    await refresh();
    setInterval(() => scheduleRefresh(0), 30000);
  }

  start();
})();
