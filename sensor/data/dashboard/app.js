// fbs-sensor dashboard: alerts (live over server-sent events), transmitters, and a map (Leaflet and
// the pmtiles reader, vendored: /vendor/) over the dashboard's own offline basemap, if it has one.
// No external resources (CSP default-src 'self'); data only ever goes into the page as text.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
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

  function span(iv) {  // an evidence interval [seen, at most] as "40–50" (or "40" when known exactly)
    const [lo, hi] = iv.map((n) => n.toLocaleString("en"));
    return iv[0] === iv[1] ? lo : `${lo}–${hi}`;
  }

  function campaignList(a) {  // templates as text (textContent), links already defanged by the collector
    const ul = el("ul", "campaigns");
    for (const c of a.campaigns) {
      const li = el("li", "campaign");
      const all = c.sms_all !== c.sms ? ` (${c.sms_all.toLocaleString("en")} in all)` : "";
      li.append(el("span", "template", c.template),
        el("span", "meta", ` — ${c.sms.toLocaleString("en")} SMS${all}, first ${fmtTime(c.first_utc)}, ` +
          `last ${fmtTime(c.last_utc)} UTC, ${c.sensors} sensor${c.sensors === 1 ? "" : "s"}`));
      ul.append(li);
    }
    if (a.campaigns_more) ul.append(el("li", "more", `+${a.campaigns_more} more`));
    return ul;
  }

  function activityBlock(a) {
    const box = el("div", "activity");
    if (!a) return box;
    const ev = a.evidence;
    const rate = a.phones_per_hour == null ? "" : ` (${a.phones_per_hour} an hour while active` +
      (a.phones_last_hour == null ? ")" : `; ${a.phones_last_hour} in the hour to ${fmtTime(a.last_hour_end_utc)} UTC)`);
    const phones = ev ? span(ev.phones) : String(a.phones), sms = ev ? span(ev.sms) : String(a.sms);
    box.append(el("div", "phones", `phones reached ${phones}${rate}, sessions ${a.sessions}, SMS pushed ${sms}`));
    if (ev) {  // seen, and at most what the receiver may have missed (sensor/intel/evidence.py)
      box.append(el("div", "threshold" + (ev.status === "not reached" ? "" : " serious"),
        `SMS ${span(ev.sms)} (serious: ${span(ev.serious)} of ${ev.threshold.toLocaleString("en")}, ${ev.status}; ` +
        "情节严重 threshold)"));
    } else {
      box.append(el("div", "threshold" + (a.sms >= a.sms_serious ? " serious" : ""),
        `${a.sms.toLocaleString("en")} of ${a.sms_serious.toLocaleString("en")} messages (情节严重 threshold)`));
    }
    if (a.campaigns && a.campaigns.length) box.append(el("div", "label", "campaigns"), campaignList(a));
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

  function renderAlerts(txs) {  // distances from the cars' last positions (updateCars)
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
    if (!a) return "–";
    const ev = a.evidence, rate = a.phones_per_hour == null ? "" : ` (${a.phones_per_hour}/h)`;
    return ev ? `${span(ev.phones)} phones${rate}, ${a.sessions} sessions, SMS ${span(ev.sms)} ` +
      `(serious ${span(ev.serious)} of ${ev.threshold.toLocaleString("en")}, ${ev.status})` +
      (a.campaigns && a.campaigns.length ? `, ${a.campaigns.length + a.campaigns_more} campaigns` : "") :
      `${a.phones} phones${rate}, ${a.sessions} sessions, ${a.sms} SMS (of ${a.sms_serious.toLocaleString("en")})`;
  }

  function lookWords(k) {  // sensor/locate/guidance.look_words
    return `next reading best ${Math.round(k.distance_m)} m ${k.direction} of the estimate` +
      (k.gap_deg >= 120 ? `; readings leave a ${Math.round(k.gap_deg)}° gap` : "");
  }

  // ------------------------------------------------------------------ map (Leaflet, offline basemap)
  // The basemap is the dashboard's own /basemap.pmtiles (a raster PMTiles archive read in byte
  // ranges by the vendored pmtiles reader; /api/basemap says whether there is one); without it the
  // plain background of today. Readings and regions are SVG paths in the overlay pane, estimates,
  // next looks and the cars are markers above them: everything stays on top of the tiles.

  let map = null;
  let layers = null;  // {regions, readings, marks, car}
  let fitted = false;
  const cars = new Map();  // sensor -> its newest positioned reading
  let following = localStorage.getItem("fbs-dashboard-follow") !== "off";

  const palette = () => {
    const css = getComputedStyle(document.documentElement);
    return Object.fromEntries(["normal", "suspicious", "fake"].map((v) => [v, css.getPropertyValue("--" + v).trim()]));
  };

  async function setupMap() {
    map = L.map("map", { attributionControl: false, zoomSnap: 1, maxZoom: 20, worldCopyJump: false });
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    map.setView([0, 0], 2);
    layers = { regions: L.layerGroup().addTo(map), readings: L.layerGroup().addTo(map),
      marks: L.layerGroup().addTo(map), car: L.layerGroup().addTo(map) };
    // the panel's width follows the cards and the table as they fill: keep Leaflet's idea of its size true
    new ResizeObserver(() => { map.invalidateSize({ pan: false }); followCar(true); }).observe($("map"));
    map.on("dragstart", () => setFollow(false));  // the officer looks elsewhere: stop pulling the map back
    const box = $("follow");
    box.checked = following;
    box.addEventListener("change", () => setFollow(box.checked));
    $("follow-sensor").addEventListener("change", () => { drawCar(); if (following) followCar(true); });
    let info = null;
    try {
      info = (await api("/api/basemap")).basemap;
    } catch (e) {
      showError(e);
    }
    if (info) {
      const source = new pmtiles.FetchSource(info.url, new Headers(token ? { Authorization: "Bearer " + token } : {}));
      const b = info.bounds;
      pmtiles.leafletRasterLayer(new pmtiles.PMTiles(source), {
        minNativeZoom: info.min_zoom, maxNativeZoom: info.max_zoom, maxZoom: 20,
        bounds: L.latLngBounds([b.south, b.west], [b.north, b.east]),
      }).addTo(map);
      map.setView([info.center.lat, info.center.lon], info.center.zoom);
      $("attribution").textContent = `Basemap: ${info.name}${info.attribution ? " — " + info.attribution : ""} (Leaflet, PMTiles)`;
      $("map").classList.add("with-basemap");
    } else if (/^https?:\/\/[^\s"'<>]+$/.test(tiles) && tiles.includes("{z}")) {
      L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);  // ?tiles=URL: a tile server the officer named
      $("attribution").textContent = "Tiles: " + new URL(tiles.replace(/[{}]/g, "")).host;
    }
  }

  function setFollow(on) {
    following = on;
    $("follow").checked = on;
    localStorage.setItem("fbs-dashboard-follow", on ? "on" : "off");
    if (on) followCar(true);
  }

  function followedSensor() { return $("follow-sensor").value; }

  function updateCars(readings) {  // merge the newest positioned reading of each sensor (the cars' last positions)
    for (const [s, r] of carPositions(readings)) {
      const had = cars.get(s);
      if (!had || String(r.time_utc) >= String(had.time_utc)) cars.set(s, r);
    }
    const select = $("follow-sensor");
    const names = [...cars.keys()].sort();
    if (names.join("\n") !== [...select.options].map((o) => o.value).join("\n")) {
      const keep = select.value;
      const newest = [...cars.values()].reduce((a, b) => (!a || String(b.time_utc) > String(a.time_utc) ? b : a), null);
      select.replaceChildren(...names.map((n) => { const o = el("option", null, n); o.value = n; return o; }));
      select.value = names.includes(keep) ? keep : (newest ? newest.sensor : "");
    }
  }

  function drawCar() {
    layers.car.clearLayers();
    for (const [s, r] of cars) {
      const chosen = s === followedSensor();
      const icon = L.divIcon({ html: el("span", null, "▲"), className: "car" + (chosen ? " followed" : ""), iconSize: [16, 16] });
      L.marker([r.lat, r.lon], { icon, title: `${s}: last position ${fmtTime(r.time_utc)} UTC`, keyboard: false,
        zIndexOffset: chosen ? 1000 : 0 }).addTo(layers.car).getElement().dataset.sensor = s;
    }
  }

  function followCar(now) {
    const car = cars.get(followedSensor());
    if (!following || !car || !map) return;
    const here = map.getCenter();
    if (now || here.distanceTo([car.lat, car.lon]) > 1) map.panTo([car.lat, car.lon], { animate: !now });
  }

  function svgIcon(cls, build, size, label) {
    const s = svg("svg", { width: size, height: size, viewBox: `${-size / 2} ${-size / 2} ${size} ${size}` });
    build(s);
    const box = el("span");
    box.append(s);
    if (label) box.append(el("span", "label", label));
    return L.divIcon({ html: box, className: cls, iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
  }

  function mark(icon, at, title, key) {
    const m = L.marker(at, { icon, title, keyboard: false }).addTo(layers.marks);
    m.getElement().dataset.key = key;
    return m;
  }

  function renderMap(txs, readings) {
    const colour = palette();
    Object.values(layers).forEach((g) => g.clearLayers());
    const positioned = readings.filter((r) => r.lat != null && r.lon != null);
    const points = positioned.map((r) => [r.lat, r.lon]);
    for (const t of txs) {
      if (t.next_look) points.push([t.next_look.lat_deg, t.next_look.lon_deg]);
      if (!t.estimate) continue;
      points.push([t.estimate.lat, t.estimate.lon]);
      for (const poly of t.estimate.region) points.push(...poly);
    }
    $("map-note").hidden = points.length > 0;
    const rank = { normal: 0, suspicious: 1, fake: 2 };
    positioned.sort((a, b) => (rank[a.verdict] || 0) - (rank[b.verdict] || 0));  // the grave ones on top
    for (const r of positioned) {
      const v = verdictClass(r.verdict);
      L.circleMarker([r.lat, r.lon], { radius: 3.5, className: "reading v-" + v, color: "#fff", weight: 0.5,
        fillColor: colour[v], fillOpacity: 1 })
        .bindTooltip(`ARFCN ${r.arfcn} BSIC ${r.bsic ?? "?"}: ${r.verdict}, ${r.rssi_dbm ?? r.rssi_dbfs} ` +
          `${r.rssi_dbm != null ? "dBm" : "dBFS"} (${r.sensor}, ${fmtTime(r.time_utc)})`)
        .addTo(layers.readings);
    }
    for (const t of txs) {
      if (!t.estimate) continue;
      const v = verdictClass(t.verdict);
      for (const poly of t.estimate.region) {
        const p = L.polygon(poly, { className: "region v-" + v, color: colour[v], weight: 1.5, dashArray: "4 3",
          fillColor: colour[v], fillOpacity: 0.15, interactive: false }).addTo(layers.regions);
        p.getElement().dataset.key = t.key;
      }
      const icon = svgIcon("estimate v-" + v, (s) => s.append(svg("circle", { r: 7 }), svg("path", { d: "M-4,-4L4,4M-4,4L4,-4" })),
        22, `ARFCN ${t.arfcn}`);
      mark(icon, [t.estimate.lat, t.estimate.lon],
        `${t.verdict}: ARFCN ${t.arfcn} BSIC ${t.bsic ?? "?"}, ± ${Math.round(t.estimate.radius_m)} m (95 %)`, t.key);
    }
    for (const t of txs) {  // where one more reading would narrow the region most
      if (!t.next_look || t.verdict === "normal") continue;
      const icon = svgIcon("next-look v-" + verdictClass(t.verdict), (s) => s.append(svg("path", { d: "M0,-7L7,0L0,7L-7,0Z" })), 18);
      mark(icon, [t.next_look.lat_deg, t.next_look.lon_deg], `ARFCN ${t.arfcn} BSIC ${t.bsic ?? "?"}: ${lookWords(t.next_look)}`, t.key);
    }
    drawCar();
    if (!fitted && points.length) {  // the first view shows everything; then the followed car leads
      map.fitBounds(L.latLngBounds(points), { maxZoom: 17, padding: [20, 20], animate: false });
      fitted = true;
    }
    followCar(false);
  }

  async function trackCars() {  // between full refreshes: the cars' newest positions only (the map follows if asked)
    try {
      updateCars((await api("/api/readings?limit=50")).readings);
      drawCar();
      followCar(false);
    } catch (e) {
      showError(e);
    }
  }

  // ------------------------------------------------------------------ refresh

  async function refresh() {
    refreshTimer = null;
    try {
      const [tx, rd, se] = await Promise.all([api("/api/transmitters"), api("/api/readings?limit=5000"), api("/api/sensors")]);
      renderCoverage(se.sensors);
      updateCars(rd.readings);
      renderAlerts(tx.transmitters);
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
    await setupMap();
    try {
      await loadAlerts();
    } catch (e) {
      showError(e);
    }
    openEvents();
    await refresh();
    setInterval(() => scheduleRefresh(0), 30000);
    setInterval(trackCars, 3000);
  }

  start();
})();
