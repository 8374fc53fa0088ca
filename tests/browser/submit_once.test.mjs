// A complaint sent over a slow line is filed once, and what was typed survives (docs/complaints.md,
// "A form sent twice is stored once"). On a 360x640 phone:
//  - with a slowed network, a second tap on "Kirim laporan" while the first is on its way does
//    nothing (forms.js: the button says "Mengirim…"): one POST, one complaint;
//  - the line drops after the server filed the complaint: the browser sends the form again
//    ("Muat ulang", also without JavaScript), or the citizen opens the form again in the tab and
//    sends it (forms.js gives it the key it was sent with): one complaint, and the page shown is
//    it, with the reporter key that the lost answer carried;
//  - the text typed into the form is kept on the phone (draft.js): a reload brings it back with a
//    notice and a "Hapus draf" button (the name, e-mail address and phone number are not kept), and filing clears it;
//    an official's form keeps nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, newContext, submit, signIn } from './lib.mjs';

const FORM = `${BASE}/t/${TENANT}/pengaduan/baru`;
const SEND = 'form[action$="/pengaduan/baru"] button[type="submit"]';
const DRAFT = `sigap-draft:pengaduan:${TENANT}`;
const SMALL_PHONE = { width: 360, height: 640 };

async function smallPhone(t, options = {}) {
  const context = await newContext({ viewport: SMALL_PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'id-ID', ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.problems = problems;
  return page;
}

function tag() {
  return `sekali${Date.now()}${Math.floor(Math.random() * 1e6)}`;
}

async function fill(page, word) {
  await page.fill('#title', `Lampu jalan padam ${word}`);
  await page.fill('#description', `Lampu jalan di depan SDN 3 padam sejak tiga malam; ${word}.`);
  await page.fill('#address', 'Jl. Pejanggik depan SDN 3');
  await page.fill('#name', 'Baiq Rina');
}

// Sends the form; its answer is lost (route above): the phone shows its network error page.
async function dropped(page) {
  const failed = page.waitForEvent('requestfailed', (r) => r.method() === 'POST');
  await page.locator(SEND).tap({ noWaitAfter: true });
  await failed;
  await page.waitForFunction(() => location.href.startsWith('chrome-error:')).catch(() => {});
}

// The form sent, the server files it, and the line drops before its answer reaches the phone:
// the server's answer, which the phone never saw.
async function answerLost(page) {
  let first = null;
  await page.route('**/pengaduan/baru', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    first = await route.fetch({ maxRedirects: 0 });
    await route.abort('connectionreset');
  });
  await dropped(page);
  await page.unroute('**/pengaduan/baru');
  return first;
}

// How many complaints of the tenant carry the word (Open311's list: every complaint of 90 days).
async function filed(page, word) {
  const r = await page.request.get(`${BASE}/open311/v2/requests.json?jurisdiction_id=${TENANT}`);
  assert.equal(r.status(), 200);
  return (await r.json()).filter((x) => (x.description || '').includes(word)).length;
}

test('a double tap on a slowed network files one complaint', async (t) => {
  const page = await smallPhone(t);
  const cdp = await page.context().newCDPSession(page);
  await page.goto(FORM);
  const word = tag();
  await fill(page, word);
  // the answer goes into a frame, so that the page and its button stay to be looked at and
  // tapped again while the form is on its way (as login.test.mjs does)
  await page.evaluate(() => {
    const f = document.createElement('iframe');
    f.name = 'sink';
    document.body.appendChild(f);
    document.querySelector('form[action$="/pengaduan/baru"]').target = 'sink';
  });
  // a slow 2G line: every request waits 1.5 s, and the body goes up at 20 KB/s
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 1500, downloadThroughput: 40 * 1024, uploadThroughput: 20 * 1024 });
  let posts = 0;
  page.on('request', (r) => { if (r.method() === 'POST') posts++; });
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && /\/pengaduan\/baru$/.test(r.url()),
    { timeout: 30_000 });
  const button = page.locator(SEND);
  await button.tap();
  await page.waitForFunction((s) => document.querySelector(s).disabled, SEND);
  assert.equal((await button.textContent()).trim(), 'Mengirim…');
  await button.tap({ force: true });
  await button.click({ force: true });
  await page.evaluate(() => document.querySelector('form[action$="/pengaduan/baru"]').requestSubmit());
  const r = await answered;
  assert.equal(r.status(), 303);
  await page.waitForTimeout(2000); // room for a second request, if one were made
  await cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  assert.equal(posts, 1, `the form went out ${posts} times`);
  assert.match(r.headers().location, /\/pengaduan\/\d+\?baru=1$/);
  assert.equal(await filed(page, word), 1);
  // (the page of the answer refuses to be shown in the test's frame: frame-ancestors 'none')
  assert.deepEqual(page.problems.filter((p) => !/frame-ancestors/.test(p)), []);
});

test('without JavaScript, the form the browser sends again after the line dropped files once', async (t) => {
  const page = await smallPhone(t, { javaScriptEnabled: false });
  await page.goto(FORM);
  const word = tag();
  await fill(page, word);
  // the server files the complaint, then the line drops before its answer reaches the phone
  const first = await answerLost(page);
  assert.equal(first.status(), 303);
  assert.equal(await filed(page, word), 1);
  // "Muat ulang": the browser sends the same form again
  await page.reload();
  const u = new URL(page.url());
  assert.equal(u.pathname + u.search, first.headers().location);
  assert.match(await page.textContent('.notice'), /telah diterima/);
  // the reporter key, which the lost answer carried, to note down
  assert.match((await page.textContent('.cpl-key')).trim(), /^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
  assert.equal(await filed(page, word), 1);
});

test('the line dropped after the filing; the form opened again in the tab and sent again files once', async (t) => {
  const page = await smallPhone(t);
  await page.goto(FORM);
  const word = tag();
  await fill(page, word);
  const sent = await page.getAttribute('input[name="_nonce"]', 'value');
  const first = await answerLost(page);
  assert.equal(await filed(page, word), 1);
  // the citizen opens the form again: the text comes back from the draft, and the form takes the
  // key it was sent with (this tab's), not its fresh one
  await page.goto(FORM);
  assert.ok(await page.locator('#draft-notice').isVisible());
  assert.equal(await page.getAttribute('input[name="_nonce"]', 'value'), sent);
  await page.fill('#name', 'Baiq Rina');
  await submit(page, SEND);
  const u = new URL(page.url());
  assert.equal(u.pathname + u.search, first.headers().location);
  assert.equal(await filed(page, word), 1);
  // filed and seen: the next form is a new one, with a key of its own
  await page.goto(FORM);
  assert.notEqual(await page.getAttribute('input[name="_nonce"]', 'value'), sent);
  assert.equal(await page.inputValue('#description'), '');
  assert.deepEqual(page.problems, []);
});

test('what was typed survives a reload and is cleared once the complaint is filed', async (t) => {
  const page = await smallPhone(t);
  await page.goto(FORM);
  assert.ok(await page.locator('#draft-notice').isHidden());
  const word = tag();
  await fill(page, word);
  await page.fill('#email', 'rina@contoh.id');
  await page.fill('#phone', '081234567890');
  await page.check('input[name="identity"][value="rahasia"]');
  // kept on the phone as it is typed: the text, not the name, the e-mail address, the phone number
  // or the form's keys
  await page.waitForFunction((k) => (localStorage.getItem(k) || '').includes('rahasia'), DRAFT);
  const kept = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), DRAFT));
  assert.match(kept.v.description, new RegExp(word));
  for (const name of ['name', 'email', 'phone', '_csrf', '_nonce', 'photo']) assert.ok(!(name in kept.v), `${name} kept`);
  const stored = await page.evaluate(() => JSON.stringify(localStorage));
  assert.ok(!stored.includes('081234567890') && !stored.includes('rina@contoh.id'), 'a contact kept on the phone');

  // the page is opened again (a reload, the connection back): the text comes back, said so
  await page.reload();
  assert.ok(await page.locator('#draft-notice').isVisible());
  assert.match(await page.textContent('#draft-notice'), /dipulihkan/);
  assert.equal(await page.inputValue('#description'), `Lampu jalan di depan SDN 3 padam sejak tiga malam; ${word}.`);
  assert.equal(await page.inputValue('#title'), `Lampu jalan padam ${word}`);
  assert.ok(await page.isChecked('input[name="identity"][value="rahasia"]'));
  assert.equal(await page.inputValue('#name'), '');
  assert.equal(await page.inputValue('#email'), '');
  assert.equal(await page.inputValue('#phone'), '');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'wider than the phone');

  // "Hapus draf": the form empty, nothing kept
  await page.locator('#draft-clear').tap();
  assert.equal(await page.inputValue('#description'), '');
  assert.ok(await page.locator('#draft-notice').isHidden());
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), DRAFT), null);
  await page.reload();
  assert.equal(await page.inputValue('#description'), '');

  // typed again, back again after a reload, and filed: the draft is gone
  await fill(page, word);
  await page.waitForFunction((k) => (localStorage.getItem(k) || '').includes('SDN 3'), DRAFT);
  await page.reload();
  assert.equal(await page.inputValue('#address'), 'Jl. Pejanggik depan SDN 3');
  await page.fill('#name', 'Baiq Rina');
  await submit(page, SEND);
  assert.match(new URL(page.url()).pathname, /\/pengaduan\/\d+$/);
  assert.match(await page.textContent('.notice'), /telah diterima/);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), DRAFT), null);
  assert.equal(await filed(page, word), 1);
  await page.goto(FORM);
  assert.equal(await page.inputValue('#description'), '');
  assert.ok(await page.locator('#draft-notice').isHidden());
  assert.deepEqual(page.problems, []);
});

test("an official's complaint form keeps nothing on the computer", async (t) => {
  const page = await smallPhone(t);
  await signIn(page, 'koordinator');
  await page.goto(FORM);
  assert.equal(await page.locator('form[data-draft]').count(), 0);
  await page.fill('#description', 'Catatan petugas yang tidak boleh tertinggal di komputer kantor.');
  await page.waitForTimeout(700);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sigap-draft:')).length), 0);
});
