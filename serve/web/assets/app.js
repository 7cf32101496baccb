// PiFinder web page: plain ES2020, no framework, no build step.
// The status comes from the event stream GET /api/events only; changes are
// same-origin requests carrying the session cookie (POST /api/session).
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const num = (x) => typeof x === 'number' && isFinite(x);
  const S = {
    tab: 'status',
    pointing: null,   // PointingView of the last "pointing" event
    solver: null,     // SolverEvent
    target: null,     // TargetView or null
    state: null,      // StateView of GET /api/state (site, time, GPS, IMU)
    clockOffset: null, // finder time minus phone time, ms
    attempts: [],     // times (ms) of recent solve attempts
    session: null,    // {authenticated, mutations_enabled}
    live: false,
  };

  // ---------- storage (may be unavailable, e.g. private mode) ----------
  function store(key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      localStorage.setItem(key, value);
    } catch (e) { /* no storage: keep defaults */ }
    return null;
  }

  // ---------- formatting ----------
  const pad = (n, w) => String(n).padStart(w, '0');
  function fmtRA(deg) {
    if (!num(deg)) return '—';
    let s = ((deg % 360) + 360) % 360 / 15 * 3600;
    s = Math.round(s * 10) / 10;
    if (s >= 86400) s -= 86400;
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s - h * 3600 - m * 60;
    return `${pad(h, 2)}h${pad(m, 2)}m${sec.toFixed(1).padStart(4, '0')}s`;
  }
  function fmtDec(deg) {
    if (!num(deg)) return '—';
    const sign = deg < 0 ? '−' : '+';
    let s = Math.round(Math.abs(deg) * 3600);
    const d = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    s -= d * 3600 + m * 60;
    return `${sign}${pad(d, 2)}°${pad(m, 2)}′${pad(s, 2)}″`;
  }
  const fmtDeg = (d, p = 1) => (num(d) ? d.toFixed(p) + '°' : '—');
  function fmtSep(d) {
    if (!num(d)) return '—';
    if (d < 1) return (d * 60).toFixed(d < 0.1 ? 1 : 0) + '′';
    return d.toFixed(d < 10 ? 1 : 0) + '°';
  }
  function fmtTime(iso) {
    const t = Date.parse(iso || '');
    if (!isFinite(t)) return '—';
    return new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  }
  function fmtAgo(iso) {
    const t = Date.parse(iso || '');
    if (!isFinite(t)) return '';
    const s = Math.round((Date.now() + (S.clockOffset || 0) - t) / 1000);
    return s < 2 ? 'now' : s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
  }
  const SOURCES = { CAM: 'camera solve', CAM_FAILED: 'solve failed', IMU: 'IMU', '': 'no pointing' };
  function setText(id, text) {
    const el = $(id);
    if (el && el.textContent !== text) el.textContent = text;
  }

  // ---------- messages ----------
  let msgTimer = null;
  function say(text) {
    setText('msg', text);
    clearTimeout(msgTimer);
    if (text) msgTimer = setTimeout(() => setText('msg', ''), 8000);
  }

  // ---------- HTTP ----------
  // request never throws: {ok, status, data, error, headers}.
  async function request(method, url, body) {
    const opt = { method, credentials: 'same-origin', cache: 'no-store', headers: {} };
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(url, opt);
    } catch (e) {
      return { ok: false, status: 0, data: null, error: 'the finder does not answer (network error)' };
    }
    let data = null;
    try {
      const text = resp.status === 204 ? '' : await resp.text();
      if (text) data = JSON.parse(text);
    } catch (e) { data = null; }
    const error = resp.ok ? '' : (data && data.error) || `HTTP ${resp.status}`;
    return { ok: resp.ok, status: resp.status, data, error, headers: resp.headers };
  }
  const mutating = (m) => m !== 'GET' && m !== 'HEAD';
  // api is request with the login: a change refused with 401 asks for the
  // token, logs in and tries once more.
  async function api(method, url, body) {
    // Logged out with changes enabled: ask first, so the change is not
    // sent to be refused (a 401 is also a console error in the browser).
    const sess = S.session;
    if (mutating(method) && sess && sess.mutations_enabled && !sess.authenticated) {
      if (!(await askLogin('This change needs the API token.'))) return { ok: false, status: 401, error: 'not logged in' };
    }
    let r = await request(method, url, body);
    if (r.status === 401 && mutating(method)) {
      if (await askLogin('This change needs the API token.')) r = await request(method, url, body);
    }
    return r;
  }

  // ---------- login ----------
  let loginWait = null; // {promise, resolve}
  function askLogin(why) {
    setText('login-why', why);
    $('login-box').hidden = false;
    try { $('token').focus(); } catch (e) { /* ignore */ }
    if (!loginWait) {
      let resolve;
      const promise = new Promise((res) => { resolve = res; });
      loginWait = { promise, resolve };
    }
    return loginWait.promise;
  }
  function endLogin(ok) {
    $('login-box').hidden = true;
    $('token').value = '';
    if (loginWait) { loginWait.resolve(ok); loginWait = null; }
  }
  async function login() {
    const token = $('token').value;
    if (!token) { setText('login-why', 'Type the API token (--api-token of the finder).'); return; }
    const r = await request('POST', '/api/session', { token });
    if (r.ok) {
      showSession(r.data);
      endLogin(true);
      say('Logged in.');
    } else {
      setText('login-why', r.status === 401 ? 'Wrong token: try again.' : r.error);
      if (r.status === 403 && !/cross-site/.test(r.error)) endLogin(false);
    }
  }
  async function logout() {
    const r = await request('DELETE', '/api/session');
    if (r.ok) { showSession(r.data); say('Logged out.'); } else say(r.error);
  }
  async function loadSession() {
    const r = await request('GET', '/api/session');
    if (r.ok) showSession(r.data);
    else setText('auth-state', 'session unknown: ' + r.error);
  }
  function showSession(s) {
    if (!s) return;
    S.session = s;
    let text;
    if (!s.mutations_enabled) text = 'Read-only: changes are disabled (no API token set); keys work only on the Pi itself.';
    else if (s.authenticated) text = 'Logged in.';
    else text = 'Not logged in: changes will ask for the token.';
    setText('auth-state', text);
    $('login-open').hidden = !s.mutations_enabled || s.authenticated;
    $('logout').hidden = !s.mutations_enabled || !s.authenticated;
  }

  // ---------- theme ----------
  const theme = () => (document.documentElement.classList.contains('day') ? 'day' : 'night');
  function setTheme(t) {
    document.documentElement.classList.toggle('day', t === 'day');
    store('pifinder-theme', t);
    setText('theme', t === 'day' ? 'Night' : 'Day');
    const meta = document.querySelector('meta[name="theme-color"]');
    if (meta) meta.setAttribute('content', t === 'day' ? '#f4f1ea' : '#000000');
    if (S.tab === 'chart') refreshChart();
  }
  const toggleTheme = () => setTheme(theme() === 'day' ? 'night' : 'day');

  const finderNow = () => Date.now() + (S.clockOffset || 0);

  // ---------- status rendering ----------
  function renderPointing() {
    const p = S.pointing;
    if (!p) return;
    const a = (p.aligned && (p.aligned.estimate || p.aligned.solve)) || null;
    const c = (p.camera && (p.camera.estimate || p.camera.solve)) || null;
    setText('ra', a ? fmtRA(a.ra_deg) : '—');
    setText('dec', a ? fmtDec(a.dec_deg) : '—');
    setText('alt', fmtDeg(p.alt_deg));
    setText('az', fmtDeg(p.az_deg));
    setText('const', p.constellation || '—');
    setText('source', SOURCES[p.source || ''] || p.source);
    setText('ra2000', a ? fmtRA(a.ra_deg) : '—');
    setText('dec2000', a ? fmtDec(a.dec_deg) : '');
    // JNow (true equator and equinox of date, as SkySafari gets it over
    // LX200) is the server's, at the finder's clock.
    if (p.jnow) {
      setText('ranow', fmtRA(p.jnow.ra_deg));
      setText('decnow', fmtDec(p.jnow.dec_deg));
    } else {
      setText('ranow', '—');
      setText('decnow', '');
    }
    setText('roll', a ? fmtDeg(a.roll_deg) : '—');
    setText('camera-pos', c ? `${fmtRA(c.ra_deg)} ${fmtDec(c.dec_deg)}` : '—');
    setText('est-time', p.estimate_time ? `${fmtTime(p.estimate_time)} (${fmtAgo(p.estimate_time)})` : '—');
  }
  function renderSolver() {
    const d = S.solver;
    if (!d) return;
    setText('matched', String(d.matches) + (d.success ? '' : ' ✗'));
    const rmse = num(d.rmse_arcsec) ? `, RMS ${d.rmse_arcsec.toFixed(1)}″` : '';
    setText('solver', `${d.success ? 'solved' : 'failed'}${d.status ? ' — ' + d.status : ''}${rmse}`);
    setText('detected', `${d.stars_detected} stars detected, ${d.matches} matched`);
    const t = Date.parse(d.attempt || '');
    const at = isFinite(t) ? t : Date.now();
    const list = S.attempts;
    if (!list.length || list[list.length - 1] !== at) list.push(at);
    while (list.length > 20 || (list.length && at - list[0] > 30000)) list.shift();
    if (list.length >= 2 && list[list.length - 1] > list[0]) {
      const rate = (list.length - 1) / ((list[list.length - 1] - list[0]) / 1000);
      setText('rate', `${rate.toFixed(rate < 1 ? 2 : 1)} /s`);
    }
  }
  function renderPower(power) {
    setText('power', power || '—');
  }
  function renderClock() {
    const st = S.state;
    if (!st) return;
    const src = st.time.source || 'unknown';
    if (S.clockOffset === null) {
      setText('time', `unknown (${src})`);
      return;
    }
    const t = new Date(finderNow()).toISOString().replace('T', ' ').slice(0, 19);
    const off = Math.round(S.clockOffset / 1000);
    const diff = Math.abs(off) >= 2 ? `, phone ${off > 0 ? 'behind' : 'ahead'} by ${Math.abs(off)} s` : '';
    setText('time', `${t} UTC (${src}${st.time.manual ? ', manual' : ''}${diff})`);
  }
  function renderState() {
    const st = S.state;
    if (!st) return;
    const l = st.location || {};
    if (num(l.lat_deg) && num(l.lon_deg) && (l.lat_deg !== 0 || l.lon_deg !== 0)) {
      const lat = `${Math.abs(l.lat_deg).toFixed(4)}°${l.lat_deg < 0 ? 'S' : 'N'}`;
      const lon = `${Math.abs(l.lon_deg).toFixed(4)}°${l.lon_deg < 0 ? 'W' : 'E'}`;
      const alt = num(l.altitude_m) ? ` ${Math.round(l.altitude_m)} m` : '';
      const err = num(l.error_m) && l.error_m > 0 ? ` ±${Math.round(l.error_m)} m` : '';
      setText('site', `${lat} ${lon}${alt}${err} (${l.source || 'unknown source'})`);
    } else {
      setText('site', 'unknown: set it in Settings');
    }
    const g = st.gps || {};
    setText('gps', g.connected ? (g.status || `mode ${g.mode}`) : 'no GPS receiver (gpsd not connected)');
    const imu = st.imu || {};
    setText('imu', imu.present ? `calibration ${imu.status}/3${imu.moving ? ', moving' : ''}` : 'no IMU');
    setText('camtype', [st.camera_type, st.lens].filter(Boolean).join(', ') || '—');
    const s = st.stats || {};
    if (num(s.frames)) setText('stats', `${s.frames} frames (${s.dropped_frames} dropped), ${s.solves} solves, ${s.solve_failures} failures`);
    const utc = Date.parse((st.time && st.time.utc) || '');
    S.clockOffset = isFinite(utc) ? utc - S.stateAt : null;
    renderClock();
    renderPower(st.power);
  }
  async function loadState() {
    const sent = Date.now();
    const r = await request('GET', '/api/state');
    if (!r.ok || !r.data) return;
    S.state = r.data;
    S.stateAt = (sent + Date.now()) / 2;
    if (!S.pointing) { S.pointing = r.data.pointing; renderPointing(); }
    if (!S.solver) setText('matched', String(r.data.diagnostics.matches));
    renderState();
    if (S.targetUnknown) { S.target = r.data.target; renderTarget(); }
  }

  // ---------- event stream ----------
  let es = null, esRetry = null;
  function setLive(live) {
    S.live = live;
    setText('conn', live ? 'live' : 'reconnecting…');
    $('conn').classList.toggle('live', live);
    document.body.classList.toggle('stale', !live);
  }
  function parse(e) {
    try { return JSON.parse(e.data); } catch (err) { return undefined; }
  }
  function connect() {
    clearTimeout(esRetry);
    if (es) es.close();
    if (typeof EventSource === 'undefined') { setText('conn', 'no live updates in this browser'); return; }
    es = new EventSource('/api/events');
    es.onopen = () => { setLive(true); loadState(); };
    es.onerror = () => {
      setLive(false);
      // EventSource retries by itself (sending Last-Event-ID) unless the
      // server refused the stream (a 503 when too many are open).
      if (es.readyState === 2) esRetry = setTimeout(connect, 5000);
    };
    es.addEventListener('pointing', (e) => {
      const d = parse(e);
      if (d) { S.pointing = d; renderPointing(); }
    });
    es.addEventListener('solver', (e) => {
      const d = parse(e);
      if (d) { S.solver = d; renderSolver(); maybeRefreshFrame(); }
    });
    es.addEventListener('status', (e) => {
      // Site, datetime, GPS and IMU, sent when they change.
      const d = parse(e);
      if (!d) return;
      if (!S.state) S.state = { stats: {}, imu: {} };
      S.state.location = d.location;
      S.state.time = d.time;
      S.state.gps = d.gps;
      S.state.imu = Object.assign({}, S.state.imu, d.imu);
      S.stateAt = Date.now();
      renderState();
    });
    es.addEventListener('power', (e) => {
      const d = parse(e);
      if (d) { renderPower(d.power); if (S.state) S.state.power = d.power; }
    });
    es.addEventListener('target', (e) => {
      const d = parse(e);
      if (d !== undefined) { S.target = d; S.targetUnknown = false; renderTarget(); }
    });
  }

  // ---------- tabs ----------
  function showTab(name) {
    if (!$('tab-' + name)) name = 'status';
    S.tab = name;
    document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
    document.querySelectorAll('main > section').forEach((s) => { s.hidden = s.id !== 'tab-' + name; });
    store('pifinder-tab', name);
    stopChart();
    stopScreen();
    if (name === 'camera') maybeRefreshFrame(true);
    if (name === 'chart') startChart();
    if (name === 'remote') { startScreen(); try { $('tab-remote').focus({ preventScroll: true }); } catch (e) { /* ignore */ } }
    if (name === 'settings') loadSettings();
    if (name === 'log') loadLog();
    if (name === 'targets' && !$('results').children.length) doSearch();
    if (name === 'status') loadState();
  }

  // ---------- camera ----------
  const cam = { loading: false, lastLoad: 0, seq: -1, w: 512, h: 512, timer: null, zoom: 1, pending: null };
  function loadImage(url) {
    return new Promise((resolve, reject) => {
      const im = new Image();
      im.onload = () => resolve(im);
      im.onerror = () => reject(new Error('image did not load'));
      im.src = url;
    });
  }
  function maybeRefreshFrame(force) {
    if (S.tab !== 'camera' || document.hidden || cam.loading) return;
    const wait = 1000 - (Date.now() - cam.lastLoad);
    if (wait > 0) {
      if (!cam.timer) cam.timer = setTimeout(() => { cam.timer = null; maybeRefreshFrame(force); }, wait);
      return;
    }
    refreshFrame(force);
  }
  async function refreshFrame(force) {
    cam.loading = true;
    cam.lastLoad = Date.now();
    try {
      const r = await request('GET', '/api/frame.json');
      if (!r.ok || !r.data) {
        setText('cam-msg', r.status === 404 ? 'No camera frame yet.' : r.error);
        return;
      }
      const o = r.data;
      if (o.seq === cam.seq && !force) return;
      const im = await loadImage('/api/frame.png?seq=' + encodeURIComponent(o.seq));
      $('frame').src = im.src;
      $('frame').hidden = false;
      cam.seq = o.seq;
      drawOverlay(o);
      if (/^No camera|frame/.test($('cam-msg').textContent)) setText('cam-msg', 'Tap a star to align the eyepiece on it.');
    } catch (e) {
      setText('cam-msg', 'The frame did not load.');
    } finally {
      cam.loading = false;
    }
  }
  function svgEl(name, attrs, text) {
    const el = document.createElementNS($('overlay').namespaceURI, name);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    if (text) el.textContent = text;
    return el;
  }
  function cross(g, x, y, r, cls) {
    g.appendChild(svgEl('path', { d: `M${x - r} ${y}H${x - 3}M${x + 3} ${y}H${x + r}M${x} ${y - r}V${y - 3}M${x} ${y + 3}V${y + r}`, class: cls }));
  }
  function drawOverlay(o) {
    const svg = $('overlay');
    cam.w = o.width > 0 ? o.width : 512;
    cam.h = o.height > 0 ? o.height : 512;
    svg.setAttribute('viewBox', `0 0 ${cam.w} ${cam.h}`);
    const g = svgEl('g', {});
    for (const s of o.stars || []) {
      if (num(s.x) && num(s.y)) g.appendChild(svgEl('circle', { cx: s.x, cy: s.y, r: 6 }));
    }
    for (const m of o.matched || []) {
      if (!num(m.x) || !num(m.y)) continue;
      g.appendChild(svgEl('circle', { cx: m.x, cy: m.y, r: 9, class: 'match' }));
      const label = m.name || (m.hip ? 'HIP ' + m.hip : '');
      if (label) g.appendChild(svgEl('text', { x: m.x + 11, y: m.y - 8 }, label));
    }
    const tp = o.target_pixel;
    if (tp && num(tp.x) && num(tp.y)) cross(g, tp.x, tp.y, 14, 'cross');
    const t = o.target;
    if (t && num(t.x) && num(t.y)) {
      if (t.in_frame) {
        g.appendChild(svgEl('circle', { cx: t.x, cy: t.y, r: 16, class: 'target' }));
        g.appendChild(svgEl('text', { x: t.x + 18, y: t.y + 18, class: 'target-text' }, 'target'));
      } else {
        const x = Math.max(12, Math.min(cam.w - 12, t.x)), y = Math.max(12, Math.min(cam.h - 12, t.y));
        g.appendChild(svgEl('circle', { cx: x, cy: y, r: 8, class: 'target' }));
        g.appendChild(svgEl('text', { x: Math.min(x, cam.w - 90), y: y > cam.h / 2 ? y - 12 : y + 24, class: 'target-text' }, 'target beyond'));
      }
    }
    if (cam.tap) cross(g, cam.tap.x, cam.tap.y, 10, 'target');
    svg.replaceChildren(g);
    cam.last = o;
  }
  function setZoom(z) {
    cam.zoom = Math.max(1, Math.min(4, z));
    $('zoom').value = String(cam.zoom);
    $('cam-inner').style.transform = cam.zoom === 1 ? '' : `scale(${cam.zoom})`;
    setText('zoom-val', cam.zoom + '×');
  }
  function confirmAlign(question, action) {
    cam.pending = action;
    setText('align-q', question);
    $('align-bar').hidden = false;
  }
  function cancelAlign() {
    cam.pending = null;
    cam.tap = null;
    $('align-bar').hidden = true;
    if (cam.last) drawOverlay(cam.last);
  }
  function tapFrame(e) {
    const rect = $('cam-inner').getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    const x = Math.round(((e.clientX - rect.left) / rect.width) * cam.w * 10) / 10;
    const y = Math.round(((e.clientY - rect.top) / rect.height) * cam.h * 10) / 10;
    if (x < 0 || y < 0 || x > cam.w || y > cam.h) return;
    cam.tap = { x, y };
    if (cam.last) drawOverlay(cam.last);
    confirmAlign(`Align on the star at (${Math.round(x)}, ${Math.round(y)})?`, { x, y });
  }
  async function doAlign() {
    const body = cam.pending;
    cancelAlign();
    if (!body) return;
    const r = await api('POST', '/api/align', body);
    if (r.ok && r.data) {
      const p = r.data.target_pixel;
      setText('cam-msg', `Aligned: the eyepiece is at pixel (${p.x.toFixed(1)}, ${p.y.toFixed(1)})${r.data.persisted ? ', saved' : ' (not saved to the settings file)'}.`);
      maybeRefreshFrame(true);
    } else {
      setText('cam-msg', r.status === 409 ? r.error.replace(/^cannot align: /, 'Cannot align: ') : r.error);
    }
  }

  // ---------- chart ----------
  const chart = { fov: 20, northUp: false, timer: null, busy: false, url: null };
  function startChart() {
    refreshChart();
    chart.timer = setInterval(refreshChart, 2000);
  }
  function stopChart() {
    clearInterval(chart.timer);
    chart.timer = null;
  }
  async function fetchImage(url, opts) {
    try {
      const resp = await fetch(url, Object.assign({ credentials: 'same-origin' }, opts));
      if (!resp.ok) {
        let error = `HTTP ${resp.status}`;
        try { error = (await resp.json()).error || error; } catch (e) { /* not JSON */ }
        return { ok: false, status: resp.status, error };
      }
      return { ok: true, status: resp.status, etag: resp.headers.get('ETag'), blob: await resp.blob() };
    } catch (e) {
      return { ok: false, status: 0, error: 'the finder does not answer (network error)' };
    }
  }
  async function swapBlob(img, holder, blob) {
    const url = URL.createObjectURL(blob);
    try {
      await loadImage(url);
    } catch (e) {
      URL.revokeObjectURL(url);
      return false;
    }
    img.src = url;
    img.hidden = false;
    if (holder.url) URL.revokeObjectURL(holder.url);
    holder.url = url;
    return true;
  }
  async function refreshChart() {
    if (S.tab !== 'chart' || document.hidden || chart.busy) return;
    chart.busy = true;
    try {
      const q = `/api/chart.svg?fov=${chart.fov}&theme=${theme()}&size=512${chart.northUp ? '&north_up=1' : ''}`;
      const r = await fetchImage(q, { cache: 'no-store' });
      if (!r.ok) {
        setText('chart-msg', r.status === 503 ? 'No pointing yet: the chart follows the first solve.' : r.error);
        return;
      }
      if (await swapBlob($('chart'), chart, r.blob)) setText('chart-msg', '');
    } finally {
      chart.busy = false;
    }
  }

  // ---------- remote screen and keys ----------
  const scr = { timer: null, etag: null, url: null, busy: false };
  function startScreen() {
    stopScreen();
    refreshScreen();
  }
  function stopScreen() {
    clearTimeout(scr.timer);
    scr.timer = null;
  }
  function nextScreen(ms) {
    clearTimeout(scr.timer);
    scr.timer = S.tab === 'remote' ? setTimeout(refreshScreen, ms) : null;
  }
  async function refreshScreen() {
    if (S.tab !== 'remote' || scr.busy) return;
    if (document.hidden) { nextScreen(1000); return; }
    scr.busy = true;
    let wait = 250;
    try {
      const r = await fetchImage('/api/screen.png', { cache: 'no-cache' });
      if (!r.ok) {
        if (r.status === 404) { setText('screen-msg', 'No device screen on this finder.'); wait = 5000; }
        else if (r.status === 503) { setText('screen-msg', 'The screen has not been drawn yet.'); wait = 1000; }
        else { setText('screen-msg', r.error); wait = 2000; }
        return;
      }
      if (r.etag && r.etag === scr.etag) return;
      if (await swapBlob($('screen'), scr, r.blob)) {
        scr.etag = r.etag;
        setText('screen-msg', '');
      }
    } finally {
      scr.busy = false;
      nextScreen(wait);
    }
  }
  async function sendKey(key, kind) {
    const r = await api('POST', '/api/keys', { key, kind });
    if (!r.ok) say(`Key ${key}: ${r.error}`);
    else nextScreen(60);
  }
  function setupKeys() {
    document.querySelectorAll('.key').forEach((b) => {
      let timer = null, fired = false, down = false;
      b.addEventListener('pointerdown', (e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        down = true;
        fired = false;
        try { b.setPointerCapture(e.pointerId); } catch (err) { /* ignore */ }
        b.classList.add('active');
        timer = setTimeout(() => { timer = null; fired = true; sendKey(b.dataset.key, 'long'); }, 1000);
      });
      const end = (send) => {
        if (!down) return;
        down = false;
        b.classList.remove('active');
        if (timer) { clearTimeout(timer); timer = null; if (send && !fired) sendKey(b.dataset.key, 'press'); }
      };
      b.addEventListener('pointerup', () => end(true));
      b.addEventListener('pointercancel', () => end(false));
      b.addEventListener('contextmenu', (e) => e.preventDefault());
      // Enter or space on a focused key (no pointer).
      b.addEventListener('click', (e) => { if (e.detail === 0) sendKey(b.dataset.key, 'press'); });
    });
    const keymap = { ArrowLeft: 'left', ArrowUp: 'up', ArrowDown: 'down', ArrowRight: 'right', '+': 'plus', '-': 'minus', Enter: 'square' };
    document.addEventListener('keydown', (e) => {
      if (S.tab !== 'remote' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.tagName === 'BUTTON')) return;
      const key = /^[0-9]$/.test(e.key) ? e.key : keymap[e.key];
      if (!key) return;
      e.preventDefault();
      if (e.repeat && key !== 'up' && key !== 'down') return;
      sendKey(key, e.repeat ? 'repeat' : 'press');
    });
  }

  // ---------- targets ----------
  let searchTimer = null, searchSeq = 0, listed = [];
  function filterParams() {
    const p = new URLSearchParams();
    p.set('limit', '20');
    if ($('f-type').value) p.set('type', $('f-type').value);
    if ($('f-mag').value) p.set('mag', $('f-mag').value);
    if ($('f-above').checked) p.set('above', '1');
    return p;
  }
  async function runList(url, key, empty) {
    const seq = ++searchSeq;
    const r = await request('GET', url);
    if (seq !== searchSeq) return; // a newer search answered first
    if (!r.ok || !r.data) {
      setText('results-msg', r.error);
      renderResults([]);
      return;
    }
    const items = r.data[key] || [];
    setText('results-msg', items.length ? '' : empty);
    renderResults(items);
  }
  function doSearch() {
    const q = $('search').value.trim();
    if (!q) { doRecent(); return; } // nothing typed: the recent targets
    const p = filterParams();
    p.set('q', q);
    runList('/api/search?' + p, 'results', 'Nothing matches.');
  }
  function doNearby() {
    const p = filterParams();
    p.set('radius', '5');
    runList('/api/nearby?' + p, 'nearby', 'Nothing within 5° of the eyepiece.');
  }
  function doRecent() {
    runList('/api/targets/recent', 'recent', 'No recent targets.');
  }
  function renderResults(items) {
    listed = items;
    const ul = $('results');
    const lis = items.map((o, i) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'result';
      b.dataset.i = String(i);
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = o.name || `${fmtRA(o.ra_deg)} ${fmtDec(o.dec_deg)}`;
      const meta = document.createElement('span');
      meta.className = 'meta';
      const parts = [o.kind, num(o.mag) ? 'mag ' + o.mag.toFixed(1) : '', o.constellation];
      if (num(o.alt_deg)) parts.push('alt ' + fmtDeg(o.alt_deg, 0));
      if (num(o.separation_deg)) parts.push(fmtSep(o.separation_deg) + ' away');
      meta.textContent = parts.filter(Boolean).join(' · ');
      b.append(name, meta);
      li.appendChild(b);
      return li;
    });
    ul.replaceChildren(...lis);
  }
  async function chooseTarget(o) {
    // The primary designation ("M 5") is what the catalogue looks up best.
    const id = (o.designations && o.designations[0]) || o.name;
    const body = id && o.kind !== 'coordinates' ? { name: id } : { ra_deg: o.ra_deg, dec_deg: o.dec_deg };
    const r = await api('POST', '/api/target', body);
    if (r.ok && r.data) {
      S.target = r.data.target;
      renderTarget();
      say('Target: ' + ((S.target && S.target.name) || 'position'));
      try { $('guidance').scrollIntoView({ block: 'start', behavior: 'smooth' }); } catch (e) { /* ignore */ }
    } else say(r.error);
  }
  const ARROWS = { right: '→', left: '←', up: '↑', down: '↓', east: '←', west: '→', north: '↑', south: '↓' };
  function renderMove(i, deg, dir, axis) {
    setText('g-arrow' + i, ARROWS[dir] || '·');
    setText('g-deg' + i, num(deg) ? fmtSep(Math.abs(deg)) : '—');
    setText('g-word' + i, dir ? `${dir} (${axis})` : `${axis}: on target`);
  }
  function renderTarget() {
    const t = S.target;
    $('guidance').hidden = !t;
    if (!t) return;
    setText('g-name', t.name || `${fmtRA(t.ra_deg)} ${fmtDec(t.dec_deg)}`);
    setText('g-info', [t.kind, num(t.mag) ? 'mag ' + t.mag.toFixed(1) : '', t.constellation].filter(Boolean).join(' · '));
    const g = t.guidance;
    if (!g) {
      renderMove(1, null, '', 'az');
      renderMove(2, null, '', 'alt');
      setText('sep', '—');
      $('infield').hidden = true;
      setText('g-note', 'No guidance yet: waiting for an aligned pointing.');
      return;
    }
    const dirs = g.directions || ['', ''];
    if (g.ra_move_deg !== null && g.ra_move_deg !== undefined) {
      renderMove(1, g.ra_move_deg, dirs[0], 'RA');
      renderMove(2, g.dec_move_deg, dirs[1], 'Dec');
    } else {
      renderMove(1, g.azimuth_deg, dirs[0], 'az');
      renderMove(2, g.altitude_deg, dirs[1], 'alt');
    }
    setText('sep', fmtSep(g.separation_deg));
    $('infield').hidden = !g.in_field;
    const notes = [];
    if (g.no_site) notes.push('No site known: guiding in RA/Dec.');
    if (num(g.target_alt_deg)) notes.push(`Target at alt ${fmtDeg(g.target_alt_deg, 0)}, az ${fmtDeg(g.target_az_deg, 0)}${g.target_alt_deg < 0 ? ' — below the horizon' : ''}.`);
    setText('g-note', notes.join(' '));
  }
  async function clearTarget() {
    const r = await api('DELETE', '/api/target');
    if (r.ok) { S.target = null; renderTarget(); say('Target cleared.'); } else say(r.error);
  }
  async function markObserved() {
    const body = { notes: $('obs-notes').value.trim() };
    if (S.target && S.target.name) body.name = S.target.name;
    const r = await api('POST', '/api/log', body);
    if (r.ok) {
      $('obs-notes').value = '';
      say(`Logged${r.data && r.data.entry ? ' #' + r.data.entry.id : ''}: ${body.name || 'observation'}.`);
    } else say(r.error);
  }

  // ---------- settings ----------
  let settings = null;
  function fillSelect(sel, choices, value) {
    const list = (choices || []).slice();
    if (value && !list.includes(value)) list.unshift(value);
    const opts = list.map((c) => {
      const o = document.createElement('option');
      o.value = c;
      o.textContent = c;
      return o;
    });
    sel.replaceChildren(...opts);
    sel.value = value || '';
  }
  function fillSettings(v) {
    settings = v;
    const ch = v.choices || {};
    fillSelect($('s-sleep'), ch.sleep_timeout, v.sleep_timeout);
    fillSelect($('s-lens'), ch.lens, v.lens);
    fillSelect($('s-mount'), ch.mount, v.mount);
    const auto = v.exposure === 'auto';
    $('s-exp-auto').checked = auto;
    $('s-exp').disabled = auto;
    if (!auto && num(v.exposure)) $('s-exp').value = String(v.exposure);
    $('s-bright').value = String(v.screen_brightness);
    setText('s-sensor', v.sensor || '—');
    setText('s-fov', num(v.fov_deg) && v.fov_deg > 0 ? fmtDeg(v.fov_deg, 1) : '—');
    setText('s-persist', v.persisted ? '' : 'No settings file: changes last until the next start.');
  }
  async function loadSettings() {
    const r = await request('GET', '/api/settings');
    const form = $('settings-form');
    if (r.ok && r.data) {
      form.hidden = false;
      fillSettings(r.data);
    } else {
      form.hidden = r.status === 404;
      setText('settings-msg', r.status === 404 ? 'No live settings on this finder.' : r.error);
    }
  }
  async function patch(body) {
    const r = await api('PATCH', '/api/settings', body);
    if (r.ok && r.data) {
      fillSettings(r.data);
      setText('settings-msg', 'Saved' + (r.data.persisted ? '.' : ' until the next start.'));
    } else {
      setText('settings-msg', r.error);
      if (settings) fillSettings(settings);
    }
  }
  function setupSettings() {
    $('settings-form').addEventListener('submit', (e) => e.preventDefault());
    $('s-sleep').addEventListener('change', (e) => patch({ sleep_timeout: e.target.value }));
    $('s-lens').addEventListener('change', (e) => patch({ lens: e.target.value }));
    $('s-mount').addEventListener('change', (e) => patch({ mount: e.target.value }));
    $('s-bright').addEventListener('change', (e) => patch({ screen_brightness: Number(e.target.value) }));
    $('s-exp-auto').addEventListener('change', (e) => {
      if (e.target.checked) { patch({ exposure: 'auto' }); return; }
      const us = Math.round(Number($('s-exp').value)) || 100000;
      patch({ exposure: us });
    });
    $('s-exp').addEventListener('change', (e) => {
      const us = Math.round(Number(e.target.value));
      if (us >= 1) patch({ exposure: us });
      else setText('settings-msg', 'Exposure: whole microseconds, 1 or more.');
    });
  }
  async function postSite(body) {
    const r = await api('POST', '/api/site', body);
    if (r.ok && r.data) {
      const d = r.data;
      setText('settings-msg', `Site set: ${d.lat.toFixed(4)}, ${d.lon.toFixed(4)}, ${Math.round(d.alt_m)} m${d.error_m ? ` ±${Math.round(d.error_m)} m` : ''} (${d.source}).`);
      loadState();
    } else setText('settings-msg', r.error);
  }
  function usePhoneLocation() {
    if (!navigator.geolocation || !window.isSecureContext) {
      setText('settings-msg', 'This browser gives no location to a plain-http page: type the site instead.');
      return;
    }
    setText('settings-msg', 'Asking the phone for its location…');
    navigator.geolocation.getCurrentPosition((pos) => {
      const c = pos.coords;
      $('lat').value = c.latitude.toFixed(5);
      $('lon').value = c.longitude.toFixed(5);
      if (num(c.altitude)) $('altm').value = String(Math.round(c.altitude));
      postSite({ lat: c.latitude, lon: c.longitude, alt_m: num(c.altitude) ? c.altitude : 0, source: 'phone', accuracy_m: num(c.accuracy) ? c.accuracy : 0 });
    }, (err) => {
      setText('settings-msg', 'No location: ' + (err && err.message ? err.message : 'refused') + '. Type the site instead.');
    }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
  }
  function manualSite() {
    const lat = parseFloat($('lat').value), lon = parseFloat($('lon').value);
    const alt = $('altm').value === '' ? 0 : parseFloat($('altm').value);
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 360) || !isFinite(alt)) {
      setText('settings-msg', 'Latitude −90..90, longitude −180..360 (east positive), altitude in metres.');
      return;
    }
    postSite({ lat, lon, alt_m: alt, source: 'manual', accuracy_m: 0 });
  }
  async function setTime() {
    const r = await api('POST', '/api/time', { unix_ms: Date.now(), force: $('time-force').checked });
    if (r.ok && r.data) {
      const d = r.data;
      setText('settings-msg', d.taken ? `Time set: ${fmtTime(d.time)} (${d.source}).`
        : `The finder kept its time ${fmtTime(d.time)} (${d.source}); tick "even over GPS" to override.`);
      loadState();
    } else setText('settings-msg', r.error);
  }

  // ---------- log ----------
  async function loadLog() {
    const r = await request('GET', '/api/log');
    if (!r.ok || !r.data) {
      setText('log-msg', r.status === 503 ? 'The observing log is off on this finder (--obslog FILE).' : r.error);
      $('log-list').replaceChildren();
      return;
    }
    const entries = r.data.entries || [];
    setText('log-msg', entries.length ? `${r.data.total} observations${r.data.total > entries.length ? `, newest ${entries.length} shown` : ''}.` : 'No observations yet.');
    $('log-list').replaceChildren(...entries.map((e) => {
      const li = document.createElement('li');
      const when = document.createElement('div');
      when.className = 'when';
      when.textContent = new Date(Date.parse(e.time)).toLocaleString() + (e.stars ? ` · ${e.stars} stars` : '');
      const what = document.createElement('div');
      what.textContent = (e.target && e.target.name) || (e.pointing ? `${fmtRA(e.pointing.ra_deg)} ${fmtDec(e.pointing.dec_deg)}` : 'observation');
      li.append(when, what);
      if (e.notes) {
        const n = document.createElement('div');
        n.className = 'hint';
        n.textContent = e.notes;
        li.appendChild(n);
      }
      return li;
    }));
  }

  // ---------- wiring ----------
  function on(id, ev, fn) {
    const el = $(id);
    if (el) el.addEventListener(ev, fn);
  }
  function init() {
    setTheme(store('pifinder-theme') === 'day' ? 'day' : 'night');
    document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
    on('theme', 'click', toggleTheme);
    on('theme2', 'click', toggleTheme);
    on('login-box', 'submit', (e) => { e.preventDefault(); login(); });
    on('login-cancel', 'click', () => endLogin(false));
    on('login-open', 'click', () => { askLogin('Log in to make changes.'); });
    on('logout', 'click', logout);
    // Camera
    on('cam-inner', 'click', tapFrame);
    on('zoom', 'input', (e) => setZoom(Number(e.target.value)));
    on('zoom-in', 'click', () => setZoom(cam.zoom + 0.5));
    on('zoom-out', 'click', () => setZoom(cam.zoom - 0.5));
    on('align-yes', 'click', doAlign);
    on('align-no', 'click', cancelAlign);
    on('align-target', 'click', () => confirmAlign('Is the target centred in the eyepiece now? Align on it?', { target: true }));
    $('frame').addEventListener('error', () => setText('cam-msg', 'The frame did not load.'));
    // Chart
    document.querySelectorAll('.fov').forEach((b) => b.addEventListener('click', () => {
      chart.fov = Number(b.dataset.fov);
      document.querySelectorAll('.fov').forEach((x) => x.classList.toggle('active', x === b));
      refreshChart();
    }));
    on('north-up', 'click', (e) => {
      chart.northUp = !chart.northUp;
      e.currentTarget.setAttribute('aria-pressed', String(chart.northUp));
      refreshChart();
    });
    // Targets
    on('search', 'input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(doSearch, 200); });
    ['f-type', 'f-mag', 'f-above'].forEach((id) => on(id, 'change', doSearch));
    on('nearby', 'click', doNearby);
    on('recent', 'click', doRecent);
    on('results', 'click', (e) => {
      const b = e.target.closest('button.result');
      if (b && listed[Number(b.dataset.i)]) chooseTarget(listed[Number(b.dataset.i)]);
    });
    on('clear-target', 'click', clearTarget);
    on('observe', 'click', markObserved);
    // Settings, log, remote
    setupSettings();
    on('geo', 'click', usePhoneLocation);
    on('site-set', 'click', manualSite);
    on('time-set', 'click', setTime);
    on('log-refresh', 'click', loadLog);
    setupKeys();
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) return;
      if (S.tab === 'chart') refreshChart();
      if (S.tab === 'remote') refreshScreen();
      if (S.tab === 'camera') maybeRefreshFrame(true);
    });
    // A safety net: nothing a request does may end as an unhandled rejection.
    window.addEventListener('unhandledrejection', (e) => { e.preventDefault(); say(String((e.reason && e.reason.message) || e.reason)); });
    setInterval(() => { renderClock(); if (S.pointing) setText('est-time', S.pointing.estimate_time ? `${fmtTime(S.pointing.estimate_time)} (${fmtAgo(S.pointing.estimate_time)})` : '—'); }, 1000);
    S.targetUnknown = true;
    setLive(false);
    setText('conn', 'connecting…');
    loadSession();
    connect();
    showTab(location.hash.slice(1) || store('pifinder-tab') || 'status');
    window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
