// Browser tests of the PiFinder web page against the real binary on the
// simulated sky (started by ../e2e_test.go, which sets the environment):
// PIFINDER_URL is a finder with the simulated observer, PIFINDER_FAULT_URL
// one whose state owner dies 8 s after each start (and is restarted),
// PIFINDER_TOKEN the API token, PIFINDER_CHROMIUM the system Chromium,
// PIFINDER_ARTIFACTS where screenshots and metrics go.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const URL = process.env.PIFINDER_URL;
const FAULT_URL = process.env.PIFINDER_FAULT_URL;
const TOKEN = process.env.PIFINDER_TOKEN;
const ARTIFACTS = process.env.PIFINDER_ARTIFACTS;
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

let browser;
const problems = []; // console errors and page errors of every page
const metrics = {};

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.PIFINDER_CHROMIUM,
    headless: true,
    // As root in CI the sandbox cannot start; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
});

after(async () => {
  writeFileSync(join(ARTIFACTS, 'metrics.json'), JSON.stringify(metrics, null, 2));
  console.log('metrics: ' + JSON.stringify(metrics));
  if (browser) await browser.close();
});

// page opens a page that records every console error and uncaught error.
async function page(context, name) {
  const p = await context.newPage();
  p.on('console', (m) => { if (m.type() === 'error') problems.push(`${name}: console: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  return p;
}

const text = (p, id) => p.locator('#' + id).innerText();

// degrees parses the page's RA ("05h35m17.3s"), Dec ("−05°23′28″") and
// separations ("41.2°", "12′").
function degrees(s, isRA) {
  const n = (s.match(/[\d.]+/g) || []).map(Number);
  if (!n.length) return NaN;
  const neg = /^[−-]/.test(s.trim());
  if (isRA) return (n[0] + (n[1] || 0) / 60 + (n[2] || 0) / 3600) * 15;
  if (/[hm]/.test(s)) return NaN;
  let v;
  if (s.includes('°')) v = n[0] + (n[1] || 0) / 60 + (n[2] || 0) / 3600;
  else if (s.includes('′')) v = n[0] / 60;
  else v = n[0];
  return neg ? -v : v;
}

async function apiState(p) {
  return p.evaluate(async () => (await fetch('/api/state')).json());
}

async function login(p) {
  await p.locator('#login-box').waitFor({ state: 'visible', timeout: 5000 });
  await p.fill('#token', TOKEN);
  await p.click('#login');
  await p.locator('#login-box').waitFor({ state: 'hidden', timeout: 5000 });
}

let phone; // the logged-in phone context, shared by the scenarios that change things
let phonePage;

test('the page loads and shows the live pointing within 1 s, small', async () => {
  phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  phonePage = await page(phone, 'phone');
  const p = phonePage;
  const started = Date.now();
  await p.goto(URL);
  await p.waitForFunction(() => /\d/.test(document.getElementById('ra').textContent) &&
    document.getElementById('conn').textContent === 'live', null, { timeout: 5000 });
  const loadToPointingMS = Date.now() - started;
  // The same from the browser's own clock: navigation start to now.
  const inPage = await p.evaluate(() => performance.now());
  metrics.load_to_pointing_ms = loadToPointingMS;
  metrics.load_to_pointing_ms_in_page = Math.round(inPage);
  assert.ok(loadToPointingMS < 1000, `pointing shown ${loadToPointingMS} ms after the load began`);
  // Transfer before images: the document, the script, the style and the
  // JSON the page fetched (the event stream is open, so not counted).
  const sizes = await p.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const out = { document: nav.transferSize, assets: 0, json: 0, images: 0, count: 1 };
    for (const r of performance.getEntriesByType('resource')) {
      out.count++;
      if (r.initiatorType === 'img' || /\.(png|svg)/.test(r.name)) out.images += r.transferSize;
      else if (/\/api\//.test(r.name)) out.json += r.transferSize;
      else out.assets += r.transferSize;
    }
    return out;
  });
  metrics.transfer_bytes = sizes;
  const total = sizes.document + sizes.assets + sizes.json;
  metrics.transfer_before_images_bytes = total;
  assert.ok(total > 5000 && total <= 200 * 1024, `page transfer ${total} bytes (limit 200 KB)`);
  assert.equal(await p.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(0, 0, 0)');
});

test('the pointing on the page changes when the simulated telescope slews', async () => {
  const p = phonePage;
  const ra0 = degrees(await text(p, 'ra'), true), dec0 = degrees(await text(p, 'dec'));
  assert.ok(Number.isFinite(ra0) && Number.isFinite(dec0), 'pointing shown');
  // The simulated night slews at 3°/s between fields held 20-30 s.
  await p.waitForFunction(([ra0, dec0]) => {
    const n = (id) => (document.getElementById(id).textContent.match(/[\d.]+/g) || []).map(Number);
    const r = n('ra'), d = n('dec');
    const ra = (r[0] + r[1] / 60 + r[2] / 3600) * 15;
    const dec = (d[0] + d[1] / 60 + d[2] / 3600) * (/^[−-]/.test(document.getElementById('dec').textContent) ? -1 : 1);
    return Math.abs(ra - ra0) * Math.cos(dec * Math.PI / 180) + Math.abs(dec - dec0) > 1;
  }, [ra0, dec0], { timeout: 75000, polling: 250 });
  // And it is the finder's pointing, not a stale one.
  const st = await apiState(p);
  const a = st.pointing.aligned.estimate;
  const ra = degrees(await text(p, 'ra'), true), dec = degrees(await text(p, 'dec'));
  assert.ok(Math.abs(dec - a.dec_deg) < 5 && Math.abs(((ra - a.ra_deg + 540) % 360) - 180) < 10,
    `page ${ra.toFixed(2)} ${dec.toFixed(2)} vs state ${a.ra_deg.toFixed(2)} ${a.dec_deg.toFixed(2)}`);
});

test('search M42, choose it: the arrows point the right way and the separation shrinks', async () => {
  const p = phonePage;
  // Wait until the simulated night has taken the telescope well away from
  // M 42 (it starts there), then choose it.
  await p.waitForFunction(() => {
    const n = (id) => (document.getElementById(id).textContent.match(/[\d.]+/g) || []).map(Number);
    const r = n('ra'), d = n('dec');
    const ra = (r[0] + r[1] / 60 + r[2] / 3600) * 15 * Math.PI / 180;
    const dec = (d[0] + d[1] / 60 + d[2] / 3600) * (/^[−-]/.test(document.getElementById('dec').textContent) ? -1 : 1) * Math.PI / 180;
    const ra0 = 83.82 * Math.PI / 180, dec0 = -5.39 * Math.PI / 180;
    const c = Math.sin(dec) * Math.sin(dec0) + Math.cos(dec) * Math.cos(dec0) * Math.cos(ra - ra0);
    return Math.acos(Math.min(1, c)) * 180 / Math.PI > 15;
  }, null, { timeout: 120000, polling: 500 });
  await p.click('#tabs button[data-tab="targets"]');
  await p.fill('#search', 'M42');
  const first = p.locator('#results .result', { hasText: 'M 42' }).first();
  await first.waitFor({ timeout: 5000 });
  assert.match(await p.locator('#results .result').first().innerText(), /^M 42/, 'M 42 first among the results');
  await first.click();
  await login(p); // the first change asks for the token once
  await p.locator('#guidance').waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await text(p, 'g-name'), /M 42/);
  await p.waitForFunction(() => /\d/.test(document.getElementById('sep').textContent), null, { timeout: 10000 });

  // The arrows against the geometry of the state: the target above the
  // pointing is "up"; a larger azimuth (clockwise seen from above) is
  // "right", whichever way the observer faces.
  const st = await apiState(p);
  const g = st.target.guidance;
  assert.equal(g.mount, 'altaz');
  const dAlt = g.target_alt_deg - st.pointing.alt_deg;
  const dAz = ((g.target_az_deg - st.pointing.az_deg + 540) % 360) - 180;
  const arrows = [await text(p, 'g-arrow1'), await text(p, 'g-arrow2')];
  if (Math.abs(dAz) > 1) assert.equal(arrows[0], dAz > 0 ? '→' : '←', `azimuth arrow for Δaz ${dAz.toFixed(1)}°`);
  if (Math.abs(dAlt) > 1) assert.equal(arrows[1], dAlt > 0 ? '↑' : '↓', `altitude arrow for Δalt ${dAlt.toFixed(1)}°`);
  metrics.m42_first_arrows = arrows.join(' ');

  // The simulated observer follows the arrows: the separation shrinks to
  // "in the field".
  const seps = [];
  const begin = Date.now();
  let inField = false;
  while (Date.now() - begin < 90000) {
    seps.push(degrees(await text(p, 'sep')));
    if (await p.locator('#infield').isVisible()) { inField = true; if (seps[seps.length - 1] < 0.3) break; }
    await p.waitForTimeout(1000);
  }
  metrics.m42_separation_deg = seps.map((s) => Math.round(s * 1000) / 1000);
  metrics.m42_in_field_after_s = Math.round((Date.now() - begin) / 1000);
  assert.ok(seps[0] > 10, `first separation ${seps[0]}°`);
  assert.ok(inField, `never "in the field": separations ${seps.join(', ')}`);
  assert.ok(seps[seps.length - 1] < 0.3, `last separation ${seps[seps.length - 1]}°`);
  // Pushes over- and undershoot by up to 10 %, so the separation may
  // grow a little between two readings, never much.
  for (let i = 1; i < seps.length; i++) {
    assert.ok(seps[i] <= seps[i - 1] + Math.max(0.5, 0.25 * seps[0]), `separation grew from ${seps[i - 1]}° to ${seps[i]}°: ${seps.join(', ')}`);
  }
  await p.screenshot({ path: join(ARTIFACTS, 'phone-guidance.png'), fullPage: false });
});

test('tap a star in the camera view: the target pixel moves there', async () => {
  const p = phonePage;
  await p.click('#tabs button[data-tab="camera"]');
  await p.locator('#frame').waitFor({ state: 'visible', timeout: 10000 });
  await p.waitForFunction(() => document.getElementById('frame').naturalWidth > 0, null, { timeout: 10000 });
  // The simulated observer may still be nudging the telescope after the
  // guidance test: tap only once the pointing holds still, or the star
  // moves on in the frames between the tap and the server's snap to it.
  for (let prev = null, i = 0; i < 40; i++) {
    const a = (await apiState(p)).pointing.aligned.estimate;
    if (prev && Math.abs(a.dec_deg - prev.dec_deg) < 0.005 && Math.abs(((a.ra_deg - prev.ra_deg + 540) % 360) - 180) < 0.005) break;
    prev = a;
    await p.waitForTimeout(500);
  }
  const before = (await apiState(p)).target_pixel;
  const frame = await p.evaluate(async () => (await fetch('/api/frame.json')).json());
  // A detected star away from the edges and from the current target pixel.
  const star = frame.stars.find((s) => s.x > 40 && s.y > 40 && s.x < frame.width - 40 && s.y < frame.height - 40 &&
    Math.hypot(s.x - before.x, s.y - before.y) > 40);
  assert.ok(star, `a star to tap among ${frame.stars.length}`);
  const box = await p.locator('#cam-inner').boundingBox();
  await p.mouse.click(box.x + (star.x / frame.width) * box.width, box.y + (star.y / frame.height) * box.height);
  await p.locator('#align-bar').waitFor({ state: 'visible', timeout: 2000 });
  assert.match(await text(p, 'align-q'), /Align on the star at/);
  await p.click('#align-yes');
  await p.waitForFunction(() => /Aligned/.test(document.getElementById('cam-msg').textContent), null, { timeout: 5000 });
  const after = (await apiState(p)).target_pixel;
  metrics.align = { star, before, after };
  assert.ok(Math.hypot(after.x - star.x, after.y - star.y) < 1, `target pixel ${JSON.stringify(after)}, star ${JSON.stringify(star)}`);
  await p.screenshot({ path: join(ARTIFACTS, 'phone-camera.png') });
});

test('the remote view shows the device screen and its keypad drives it', async () => {
  const p = phonePage;
  await p.click('#tabs button[data-tab="remote"]');
  await p.waitForFunction(() => document.getElementById('screen').naturalWidth === 128, null, { timeout: 10000 });
  const etag = async () => p.evaluate(async () => (await fetch('/api/screen.png', { cache: 'no-store' })).headers.get('ETag'));
  const tag0 = await etag();
  await p.click('.key[data-key="right"]'); // from the status screen: into the menu
  await p.waitForFunction(async (t0) => (await fetch('/api/screen.png', { cache: 'no-store' })).headers.get('ETag') !== t0, tag0, { timeout: 5000, polling: 200 });
  await p.screenshot({ path: join(ARTIFACTS, 'phone-remote.png') });
});

test('a change without a session is refused, and the page asks for the token', async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const p = await page(ctx, 'anonymous');
  await p.goto(URL);
  // A script without the token or a session (not from the page: a 401
  // in the browser is a console error, which the last test forbids).
  const res = await fetch(new globalThis.URL('api/target', URL), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'M 13' }),
  });
  assert.equal(res.status, 401);
  assert.match((await res.json()).error, /token/);
  await p.click('#tabs button[data-tab="targets"]');
  await p.fill('#search', 'M13');
  await p.locator('#results .result', { hasText: 'M 13' }).first().click();
  await p.locator('#login-box').waitFor({ state: 'visible', timeout: 5000 });
  await p.click('#login-cancel');
  const t = (await apiState(p)).target;
  assert.ok(!t || !/M 13/.test(t.name), 'the target changed without a session');
  await ctx.close();
});

test('an owner death: the page shows "reconnecting", keeps the data, then is live again', async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const p = await page(ctx, 'restart');
  await p.goto(FAULT_URL);
  await p.waitForFunction(() => document.getElementById('conn').textContent === 'live' &&
    /\d/.test(document.getElementById('ra').textContent), null, { timeout: 30000 });
  await p.waitForFunction(() => /reconnecting/.test(document.getElementById('conn').textContent), null, { timeout: 30000, polling: 100 });
  const during = await text(p, 'ra');
  assert.match(during, /\d/, 'the pointing was blanked while reconnecting');
  const down = Date.now();
  await p.waitForFunction(() => document.getElementById('conn').textContent === 'live' &&
    /\d/.test(document.getElementById('ra').textContent), null, { timeout: 30000, polling: 100 });
  metrics.reconnect_ms = Date.now() - down;
  await ctx.close();
});

test('screenshots: a 360×740 phone and a 1280×800 desktop look right', async () => {
  const p = phonePage;
  await p.click('#tabs button[data-tab="status"]');
  await p.waitForTimeout(500);
  await p.screenshot({ path: join(ARTIFACTS, 'phone-status.png') });
  const phoneLayout = await p.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    smallestTab: Math.min(...[...document.querySelectorAll('#tabs button')].map((b) => b.getBoundingClientRect().height)),
    // Every tab in sight, none scrolled off to the side.
    tabsRight: Math.max(...[...document.querySelectorAll('#tabs button')].map((b) => b.getBoundingClientRect().right)),
    background: getComputedStyle(document.documentElement).backgroundColor,
    arrowPx: parseFloat(getComputedStyle(document.getElementById('g-arrow1')).fontSize),
  }));
  metrics.phone_layout = phoneLayout;
  assert.ok(phoneLayout.scrollWidth <= PHONE.width, `sideways scrolling at 360 px: ${phoneLayout.scrollWidth}`);
  assert.ok(phoneLayout.smallestTab >= 44, `tab buttons ${phoneLayout.smallestTab} px high`);
  assert.ok(phoneLayout.tabsRight <= PHONE.width, `a tab button ends at ${phoneLayout.tabsRight} px, beyond the 360 px screen`);
  assert.equal(phoneLayout.background, 'rgb(0, 0, 0)');
  assert.ok(phoneLayout.arrowPx >= 48, `guidance arrows at ${phoneLayout.arrowPx} px`);

  const desk = await browser.newContext({ viewport: DESKTOP });
  const d = await page(desk, 'desktop');
  await d.goto(URL);
  await d.waitForFunction(() => /\d/.test(document.getElementById('ra').textContent), null, { timeout: 5000 });
  await d.screenshot({ path: join(ARTIFACTS, 'desktop-status.png') });
  await d.click('#tabs button[data-tab="chart"]');
  await d.waitForFunction(() => document.getElementById('chart').naturalWidth > 0, null, { timeout: 10000 });
  await d.screenshot({ path: join(ARTIFACTS, 'desktop-chart.png') });
  const deskLayout = await d.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth }));
  assert.ok(deskLayout.scrollWidth <= DESKTOP.width);
  await desk.close();
});

test("go run .'s defaults: every tab opens, changes are off, the remote keypad works on the Pi itself", async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const p = await page(ctx, 'plain');
  await p.goto(process.env.PIFINDER_PLAIN_URL);
  await p.waitForFunction(() => /\d/.test(document.getElementById('ra').textContent), null, { timeout: 10000 });
  assert.match(await text(p, 'auth-state'), /disabled/);
  for (const tab of ['status', 'camera', 'chart', 'targets', 'settings', 'log', 'remote']) {
    await p.click(`#tabs button[data-tab="${tab}"]`);
    await p.locator('#tab-' + tab).waitFor({ state: 'visible', timeout: 2000 });
    await p.waitForTimeout(700);
  }
  // No token: keys are taken from the machine itself (the remote view
  // of `go run .` on a desktop), so the screen follows them.
  await p.waitForFunction(() => document.getElementById('screen').naturalWidth === 128, null, { timeout: 10000 });
  const etag = () => p.evaluate(async () => (await fetch('/api/screen.png', { cache: 'no-store' })).headers.get('ETag'));
  const tag0 = await etag();
  await p.click('.key[data-key="right"]');
  await p.waitForFunction(async (t0) => (await fetch('/api/screen.png', { cache: 'no-store' })).headers.get('ETag') !== t0, tag0, { timeout: 5000, polling: 200 });
  await ctx.close();
});

test('no console errors on any page', () => {
  assert.deepEqual(problems, []);
});
