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

  // ------------------------------------------------------------------ alerts: one card per transmitter
  // Cards are the suspicious and fake transmitters of /api/transmitters (partial identities already
  // merged by the collector), updated in place and sorted by what needs action: fake before
  // suspicious, then the most recently heard first. The detection stream only makes the page look
  // again sooner. A transmitter that appears, or whose verdict hardens, is announced once (and with
  // a tone only when the officer switched sound on: browsers allow sound after a click, never before).

  const RANK = { normal: 0, suspicious: 1, fake: 2 };
  const cards = new Map();  // key -> {li, verdict, changes: [{from, to, at}]}
  let firstRender = true;
  let audio = null;

  function soundOn() { return localStorage.getItem("fbs-dashboard-sound") === "on"; }

  function setupSound() {
    const box = $("sound");
    box.checked = soundOn();
    box.addEventListener("change", () => {
      localStorage.setItem("fbs-dashboard-sound", box.checked ? "on" : "off");
      if (box.checked) {  // created on the officer's click: the only moment a browser lets a page make sound
        audio = audio || new AudioContext();
        audio.resume();
      }
    });
  }

  function beep() {
    if (!soundOn() || !audio) return;
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  }

  function announce(text) {
    const box = $("announce");
    const line = el("div", "announcement", `${new Date().toLocaleTimeString()}: ${text}`);
    box.prepend(line);
    while (box.children.length > 5) box.lastChild.remove();
    beep();
  }

  // Great-circle distance (m) and initial bearing (degrees from north) from a to b.
  function distanceBearing(lat1, lon1, lat2, lon2) {
    const r = Math.PI / 180, R = 6371008.8;
    const dLat = (lat2 - lat1) * r, dLon = (lon2 - lon1) * r;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
    const y = Math.sin(dLon) * Math.cos(lat2 * r);
    const x = Math.cos(lat1 * r) * Math.sin(lat2 * r) - Math.sin(lat1 * r) * Math.cos(lat2 * r) * Math.cos(dLon);
    return [2 * R * Math.asin(Math.sqrt(h)), (Math.atan2(y, x) / r + 360) % 360];
  }
  const compass = (deg) => ["N", "NE", "E", "SE", "S", "SW", "W", "NW"][Math.round(deg / 45) % 8];

  function carPositions(readings) {  // the newest positioned reading of each sensor: where that car last was
    const out = new Map();
    for (const r of readings) {
      if (r.lat == null || r.lon == null) continue;
      const had = out.get(r.sensor);
      if (!had || String(r.time_utc) >= String(had.time_utc)) out.set(r.sensor, r);
    }
    return out;
  }

  function fromCar(t, cars) {
    if (!t.estimate) return null;
    let car = null;
    for (const s of t.sensors) {
      const c = cars.get(s);
      if (c && (!car || String(c.time_utc) > String(car.time_utc))) car = c;
    }
    if (!car) return null;
    const [d, b] = distanceBearing(car.lat, car.lon, t.estimate.lat, t.estimate.lon);
    return `drive ${d >= 1000 ? (d / 1000).toFixed(1) + " km" : Math.round(d) + " m"} ${compass(b)} (bearing ${Math.round(b)}°) ` +
      `from ${car.sensor}'s last position (${fmtTime(car.time_utc)} UTC) to the estimate (± ${Math.round(t.estimate.radius_m)} m)`;
  }

  function activityBlock(a) {
    const box = el("div", "activity");
    if (!a) return box;
    const serious = a.sms >= a.sms_serious;
    box.append(el("div", null, `phones reached ${a.phones}, sessions ${a.sessions}, SMS pushed ${a.sms}`),
      el("div", "threshold" + (serious ? " serious" : ""),
        `${a.sms.toLocaleString("en")} of ${a.sms_serious.toLocaleString("en")} messages (情节严重 threshold)`));
    if (a.latest_sms && a.latest_sms.length) {
      const ul = el("ul", "sms");
      for (const m of a.latest_sms) {
        const li = el("li");
        li.append(el("span", "sender", m.sender), ": ", el("span", "text", m.text ?? "(8-bit data)"),
          el("span", "meta", ` — ${fmtTime(m.time_utc)} UTC${m.category ? ", " + m.category : ""}`));
        ul.append(li);
      }
      box.append(ul);
    }
    return box;
  }

  function fillCard(card, t, cars, isNew) {
    const li = card.li;
    li.className = "alert " + verdictClass(t.verdict) + (isNew ? " new" : "");
    const head = el("div", "head");
    head.append(el("span", "badge " + verdictClass(t.verdict), t.verdict), " ",
      `ARFCN ${t.arfcn} BSIC ${t.bsic ?? "?"} — ${cellName(t)}`);
    const counts = Object.entries(t.verdicts).map(([k, n]) => `${n} ${k}`).join(", ");
    const parts = [head,
      el("div", "meta", `first seen ${fmtTime(t.first_seen_utc)}, last seen ${fmtTime(t.last_seen_utc)} UTC`),
      el("div", "meta readings", `${t.n_readings} readings (${counts}) from ${t.sensors.join(", ")}`)];
    for (const c of card.changes) parts.push(el("div", "change", `verdict ${c.from} → ${c.to} at ${c.at}`));
    const where = fromCar(t, cars);
    parts.push(el("div", "where", where || (t.refusal ? "not located yet: " + t.refusal.reason : "not located yet")));
    parts.push(reasonList(t.reasons), activityBlock(t.activity));
    li.replaceChildren(...parts);
  }

  function completes(partial, full) {  // keys "mcc/mnc/lac/ci/arfcn/bsic", "-" where unknown
    const p = partial.split("/"), f = full.split("/");
    return p.length === 6 && f.length === 6 && p[4] === f[4] && p[5] === f[5] && p[5] !== "-" &&
      p.slice(0, 4).every((x, i) => x === "-" || x === f[i]);
  }

  function renderAlerts(txs, readings) {
    const cars = carPositions(readings);
    const suspects = txs.filter((t) => t.verdict !== "normal")
      .sort((a, b) => (RANK[b.verdict] || 0) - (RANK[a.verdict] || 0) ||
        String(b.last_seen_utc).localeCompare(String(a.last_seen_utc)));
    const list = $("alerts");
    const seen = new Set();
    const current = new Set(suspects.map((t) => t.key));
    for (const t of suspects) {
      seen.add(t.key);
      let card = cards.get(t.key), isNew = false;
      const earlier = card ? null : [...cards.keys()].find((k) => !current.has(k) && completes(k, t.key));
      if (earlier) {  // its identity decoded since (CI ? → CI 3301): the same transmitter, the same card
        card = cards.get(earlier);
        cards.delete(earlier);
        card.li.dataset.key = t.key;
        cards.set(t.key, card);
      }
      if (!card) {
        card = { li: el("li"), verdict: t.verdict, changes: [] };
        card.li.dataset.key = t.key;
        cards.set(t.key, card);
        isNew = !firstRender;
        if (isNew) announce(`new ${t.verdict} transmitter: ARFCN ${t.arfcn} BSIC ${t.bsic ?? "?"} (${cellName(t)})`);
      } else if ((RANK[t.verdict] || 0) > (RANK[card.verdict] || 0)) {
        card.changes.push({ from: card.verdict, to: t.verdict, at: new Date().toLocaleTimeString() });
        announce(`ARFCN ${t.arfcn} BSIC ${t.bsic ?? "?"} is now judged ${t.verdict} (was ${card.verdict})`);
        card.verdict = t.verdict;
        isNew = true;
      } else {
        card.verdict = t.verdict;
      }
      fillCard(card, t, cars, isNew);
      list.append(card.li);  // moves it into sorted place; the same element, updated in place
    }
    for (const [key, card] of cards) {
      if (!seen.has(key)) { card.li.remove(); cards.delete(key); }
    }
    firstRender = false;
    $("no-alerts").hidden = cards.size > 0;
    $("alert-count").textContent = `(${cards.size} transmitter${cards.size === 1 ? "" : "s"})`;
  }

  function renderCoverage(sensors) {
    const ul = $("coverage");
    ul.replaceChildren(...sensors.map((s) =>
      el("li", "state-" + String(s.state), `${s.sensor}: ${s.summary ?? "?"} (${String(s.state).replace("_", " ")}, ${fmtTime(s.sent_utc)} UTC)`)));
  }

  async function loadAlerts() {
    const data = await api("/api/alerts?limit=1");
    lastEventId = data.last_event_id;
  }

  function openEvents() {
    if (source) source.close();
    // After a drop the browser reconnects by itself and resumes with Last-Event-ID.
    source = new EventSource(withToken("/api/events?after=" + lastEventId));
    source.addEventListener("open", () => { $("live").textContent = "live"; $("live").className = "live on"; });
    source.addEventListener("error", () => { $("live").textContent = "reconnecting…"; $("live").className = "live off"; });
    source.addEventListener("detection", (ev) => {
      lastEventId = Number(ev.lastEventId) || lastEventId;
      scheduleRefresh(300);  // the cards come from the transmitters: one per transmitter, not per reading
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
        el("td", null, where), el("td", null, activityWords(t.activity)), reasons);
      body.append(tr);
    }
  }

  function activityWords(a) {
    return a ? `${a.phones} phones, ${a.sessions} sessions, ${a.sms} SMS (of ${a.sms_serious.toLocaleString("en")})` : "–";
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
      const [tx, rd, se] = await Promise.all([api("/api/transmitters"), api("/api/readings?limit=5000"), api("/api/sensors")]);
      renderCoverage(se.sensors);
      renderAlerts(tx.transmitters, rd.readings);
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
    setupSound();
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
