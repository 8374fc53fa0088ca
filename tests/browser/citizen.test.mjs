// A citizen on a cheap phone (360x640, touch), as a visitor who has no account: the public pages fit the
// screen and stay small on a slow line (figures printed as diagnostics), the complaint form's choices
// and the catalogue's service names are big enough to tap, and a complaint refused for one field,
// sent with JavaScript off, comes back with the text kept and the reason next to that field; the
// reporter's e-mail address and phone number are two fields, the number typed on the phone keypad.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, newContext } from './lib.mjs';

const SMALL_PHONE = { width: 360, height: 640 };
// what one page may weigh on the wire (HTML, CSS and scripts, compressed) with an empty cache, and
// how many requests it may make; the heaviest is a provinsi's complaint form with every village of
// the province in its list (about 27 KB)
const MAX_PAGE_BYTES = 40 * 1024;
const MAX_REQUESTS = 8;

async function smallPhone(t, options = {}) {
  const context = await newContext({ viewport: SMALL_PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'id-ID', ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function send(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// The bytes on the wire (headers and compressed bodies) and the requests of one page load, read
// from the DevTools protocol; with cache: false the browser cache is bypassed (a first visit).
async function weigh(page, url, { cache = false } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: !cache });
  const seen = new Map();
  let bytes = 0;
  cdp.on('Network.requestWillBeSent', (e) => seen.set(e.requestId, e.request.url));
  cdp.on('Network.requestServedFromCache', (e) => seen.delete(e.requestId));
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  const started = Date.now();
  const res = await page.goto(BASE + url, { waitUntil: 'load' });
  const ms = Date.now() - started;
  await cdp.detach();
  return { status: res.status(), bytes, requests: seen.size, urls: [...seen.values()], ms };
}

async function width(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

test('citizen pages fit a 360 px phone and stay small on a slow line', async (t) => {
  const page = await smallPhone(t);
  await page.goto(`${BASE}/t/${TENANT}/layanan`);
  const service = await page.$eval('.svc-list a', (a) => new URL(a.href).pathname);
  await page.goto(`${BASE}/t/${TENANT}/pengaduan`);
  const complaint = await page.$eval('.cpl-items a', (a) => new URL(a.href).pathname);
  const pages = ['/', `/t/${TENANT}/`, `/t/${TENANT}/layanan`, service, `/t/${TENANT}/lacak`,
    `/t/${TENANT}/lacak?nomor=52.71/PMH/2026/999999`, `/t/${TENANT}/pengaduan`, complaint,
    `/t/${TENANT}/pengaduan/baru`, '/t/52/pengaduan/baru', `/t/${TENANT}/masuk`, `/t/${TENANT}/daftar`,
    `/t/${TENANT}/lupa-sandi`, `/t/${TENANT}/jdih`];
  const statics = new Set();
  for (const url of pages) {
    const w = await weigh(page, url);
    t.diagnostic(`${url}: ${w.bytes} B in ${w.requests} requests`);
    assert.ok([200, 404].includes(w.status), `${url}: ${w.status}`);
    assert.ok(await width(page) <= SMALL_PHONE.width, `${url} is ${await width(page)} px wide`);
    assert.ok(w.bytes < MAX_PAGE_BYTES, `${url} weighs ${w.bytes} B`);
    assert.ok(w.requests <= MAX_REQUESTS, `${url} makes ${w.requests} requests: ${w.urls.join(' ')}`);
    for (const u of w.urls) {
      const p = new URL(u);
      assert.equal(p.origin, BASE, `${url} loads ${u} from another site`);
      if (p.pathname.startsWith('/static/')) statics.add(u);
    }
    // body text no smaller than 16 px: nothing to zoom
    const font = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(font >= 16, `${url}: body text ${font}px`);
  }
  // every static file has a versioned address, cached for a year without asking again
  for (const u of statics) {
    assert.match(u, /\?v=[0-9a-f]+$/, u);
    const r = await page.request.get(u);
    assert.match(r.headers()['cache-control'] || '', /max-age=31536000.*immutable/, u);
  }
  // a second visit fetches the page alone: its CSS and scripts come from the cache
  await page.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  const again = await weigh(page, `/t/${TENANT}/pengaduan/baru`, { cache: true });
  t.diagnostic(`complaint form, second visit: ${again.bytes} B in ${again.requests} requests`);
  assert.equal(again.requests, 1, again.urls.join(' '));

  // on a slow 3G line (400 kbit/s, 400 ms round trip) the complaint form is ready in a few seconds
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400,
    downloadThroughput: 400 * 1024 / 8, uploadThroughput: 400 * 1024 / 8 });
  for (const url of [`/t/${TENANT}/`, `/t/${TENANT}/pengaduan/baru`]) {
    const w = await weigh(page, url);
    t.diagnostic(`slow 3G, empty cache: ${url} loaded in ${w.ms} ms (${w.bytes} B)`);
    assert.ok(w.ms < 8000, `${url} took ${w.ms} ms on slow 3G`);
  }
  await cdp.detach();
});

test('the complaint form\'s choices and the catalogue\'s services are big enough to tap', async (t) => {
  const page = await smallPhone(t);
  await page.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  for (const input of await page.locator('input[type="radio"]').all()) {
    const box = await input.boundingBox();
    assert.ok(box.width >= 20 && box.height >= 20, `a radio button of ${box.width}x${box.height} px`);
  }
  await page.goto(`${BASE}/t/${TENANT}/layanan`);
  for (const link of await page.locator('.svc-list .card > a').all()) {
    const box = await link.boundingBox();
    assert.ok(box.height >= 40, `"${await link.textContent()}" is ${box.height} px high`);
  }
  await page.goto(`${BASE}/t/${TENANT}/`);
  for (const link of await page.locator('.hero a').all()) {
    const box = await link.boundingBox();
    assert.ok(box.height >= 40, `"${await link.textContent()}" is ${box.height} px high`);
  }
});

test('without JavaScript a refused complaint keeps its text and says what is wrong at the field', async (t) => {
  const page = await smallPhone(t, { javaScriptEnabled: false });
  const text = 'Lampu jalan di Jl. Airlangga padam sejak dua minggu; malam hari gelap dan rawan. '.repeat(8).trim();
  await page.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  assert.equal(await page.getAttribute('#lat', 'inputmode'), 'decimal');
  assert.equal(await page.getAttribute('#name', 'autocomplete'), 'name');
  // the phone number brings up the phone keypad, the address the e-mail keyboard
  assert.equal(await page.getAttribute('#phone', 'type'), 'tel');
  assert.equal(await page.getAttribute('#phone', 'inputmode'), 'tel');
  assert.equal(await page.getAttribute('#phone', 'autocomplete'), 'tel');
  assert.equal(await page.getAttribute('#email', 'type'), 'email');
  assert.equal(await page.getAttribute('#email', 'autocomplete'), 'email');
  await page.fill('#title', 'Lampu jalan padam');
  await page.fill('#description', text);
  await page.fill('#address', 'Jl. Airlangga');
  await page.fill('#phone', '0812-3456');
  await page.fill('#email', 'lalu.ahmad@contoh.id');
  // no name, and not anonymous: refused
  await send(page, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  assert.match(await page.textContent('.alert'), /nama pelapor wajib diisi/);
  assert.equal(await page.inputValue('#description'), text);
  assert.equal(await page.inputValue('#title'), 'Lampu jalan padam');
  assert.equal(await page.inputValue('#phone'), '0812-3456');
  assert.equal(await page.inputValue('#email'), 'lalu.ahmad@contoh.id');
  // the reason sits right under the name field, which is marked
  const field = await page.locator('#name').boundingBox();
  const error = await page.locator('#name-error').boundingBox();
  assert.ok(error && error.y >= field.y + field.height && error.y - (field.y + field.height) < 24,
    `the error is not under the name field: ${JSON.stringify({ field, error })}`);
  assert.equal(await page.getAttribute('#name', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#name-error'), /nama pelapor wajib diisi/);
  assert.ok(await width(page) <= SMALL_PHONE.width);
  // the name given, the short phone number is refused next to its own field
  await page.fill('#name', 'Lalu Ahmad');
  await send(page, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  assert.equal(await page.locator('#name-error').count(), 0);
  assert.match(await page.textContent('#phone-error'), /nomor HP tidak sah/);
  assert.equal(await page.getAttribute('#phone', 'aria-invalid'), 'true');
  assert.equal(await page.locator('#email-error').count(), 0);
  assert.equal(await page.inputValue('#email'), 'lalu.ahmad@contoh.id');
  assert.equal(await page.inputValue('#description'), text);
  assert.equal(await page.inputValue('#name'), 'Lalu Ahmad');
  // corrected, it goes through and can be tracked by its number, still without JavaScript
  await page.fill('#phone', '0812 3456 7890');
  await send(page, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  assert.match(new URL(page.url()).pathname, /^\/t\/52\.71\/pengaduan\/\d+$/);
  const number = (await page.textContent('#cpl-number')).trim();
  await page.goto(`${BASE}/t/${TENANT}/lacak`);
  await page.fill('#nomor', number.toLowerCase());
  await send(page, 'form[action$="/lacak"] button[type="submit"]');
  assert.equal((await page.textContent('#cpl-number')).trim(), number);
});

test('on a phone the number is typed on the phone keypad and the report goes through', async (t) => {
  const page = await smallPhone(t);
  await page.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  const phone = page.locator('#phone');
  assert.equal(await phone.getAttribute('type'), 'tel');
  assert.equal(await phone.getAttribute('inputmode'), 'tel');
  // both fields fit the screen and are big enough to tap
  for (const id of ['#email', '#phone']) {
    const box = await page.locator(id).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= SMALL_PHONE.width && box.height >= 32, `${id}: ${JSON.stringify(box)}`);
  }
  await page.fill('#description', 'Saluran air di Gg. Melati tersumbat sampah; air meluap ke jalan setiap hujan.');
  await page.fill('#address', 'Gg. Melati');
  await page.fill('#name', 'Baiq Nurul');
  await page.tap('#phone');
  await page.keyboard.type('+62 812-3456-7890');
  await send(page, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  assert.match(new URL(page.url()).pathname, /^\/t\/52\.71\/pengaduan\/\d+$/);
  // the public page shows neither the number nor anything of it
  const text = await page.textContent('main');
  for (const shown of ['3456-7890', '34567890', '6281234', 'tel:']) assert.ok(!text.includes(shown), `${shown} is shown`);
  assert.ok(await width(page) <= SMALL_PHONE.width);
});
