// A citizen writes a long complaint on a phone, leaves the tab open, and sends it after the form's
// token expired: here the visitor's sigap_pre cookie is cleared (as a browser clears it, or as a day
// ends it) or replaced. The browser's own Sec-Fetch-Site: same-origin tells sigap the form came
// from its page, so the form comes back (403) with everything typed, a fresh token and the reason
// (photos to be chosen again); sent again as it came back, the complaint is filed and its tracking
// number shown. forms.js (one submit per form) does not get in the way of the second submit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, TENANT, phone, submit } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PHOTO = path.join(HERE, '..', 'fixtures', 'complaints', 'photo_exif.jpg');
const NEW = `/t/${TENANT}/pengaduan/baru`;
const SEND = `form[action$="${NEW}"] button[type="submit"]`;

// the refused sends are on purpose
const expected = (u, status) => u.pathname === NEW && status === 403;

async function fill(page, text) {
  await page.goto(`${BASE}${NEW}`);
  await page.check('input[name="kind"][value="aspirasi"]');
  await page.fill('#title', 'Lampu jalan <script>padam</script>');
  await page.fill('#description', text);
  await page.fill('#address', 'Jl. Pejanggik, depan "SDN 2"');
  await page.fill('#name', 'Baiq Rina');
  await page.fill('#email', 'rina@contoh.id');
  await page.fill('#phone', '081234567890');
}

async function typedBack(page, text) {
  assert.equal(await page.inputValue('#title'), 'Lampu jalan <script>padam</script>');
  assert.equal(await page.inputValue('#description'), text);
  assert.equal(await page.inputValue('#address'), 'Jl. Pejanggik, depan "SDN 2"');
  assert.equal(await page.inputValue('#name'), 'Baiq Rina');
  assert.equal(await page.inputValue('#email'), 'rina@contoh.id');
  assert.equal(await page.inputValue('#phone'), '081234567890');
  assert.ok(await page.isChecked('input[name="kind"][value="aspirasi"]'));
  // the typed markup is text, never an element
  assert.equal(await page.locator('main script:not([src])').count(), 0);
}

async function filed(page) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(SEND)]);
  assert.equal(res.status(), 200);
  assert.match(new URL(page.url()).pathname, /^\/t\/52\.71\/pengaduan\/\d+$/);
  assert.match(await page.textContent('.notice'), /telah diterima/);
  assert.match(await page.textContent('#cpl-number'), /^52\.71\/ADU\/\d{4}\/\d{6}$/);
}

test('a complaint sent after its cookie was cleared comes back filled in, then is filed', async (t) => {
  const page = await phone(t, expected);
  const text = `Lampu jalan di depan sekolah padam sejak ${Date.now()}.\nAnak-anak pulang mengaji dalam gelap; `
    + 'sudah dua kali ada yang jatuh dari motor <b>di tikungan</b> & tidak ada yang memperbaiki.';
  await fill(page, text);
  await page.setInputFiles('#photo1', PHOTO);
  await page.context().clearCookies();
  const [res] = await Promise.all([page.waitForNavigation(), page.click(SEND)]);
  assert.equal(res.status(), 403);
  assert.equal(new URL(page.url()).pathname, NEW);
  const alert = await page.textContent('.alert');
  assert.match(alert, /kedaluwarsa, jadi belum ada yang disimpan/);
  assert.match(alert, /Foto atau berkas yang tadi dipilih belum terkirim/);
  await typedBack(page, text);
  assert.equal(await page.inputValue('#photo1'), '', 'a browser never keeps a chosen file');
  // the page came with a new cookie, which its token matches
  const cookies = await page.context().cookies();
  assert.ok(cookies.some((c) => c.name === 'sigap_pre'), 'no new sigap_pre cookie');
  await filed(page);
  assert.deepEqual(page.problems, []);
});

test('a complaint sent with a replaced cookie comes back in English, then is filed', async (t) => {
  const page = await phone(t, expected);
  const host = new URL(BASE).hostname;
  await page.context().addCookies([{ name: 'lang', value: 'en', domain: host, path: '/' }]); // the site's switch
  const text = `The street light has been out since ${Date.now()}; children walk home in the dark.`;
  await fill(page, text);
  await page.context().addCookies([{ name: 'sigap_pre', value: 'f'.repeat(64), domain: host, path: '/' }]);
  const [res] = await Promise.all([page.waitForNavigation(), page.click(SEND)]);
  assert.equal(res.status(), 403);
  const alert = await page.textContent('.alert');
  assert.match(alert, /This form had expired, so nothing was saved/);
  assert.doesNotMatch(alert, /choose them again/);
  await typedBack(page, text);
  const [again] = await Promise.all([page.waitForNavigation(), page.click(SEND)]);
  assert.equal(again.status(), 200);
  assert.match(new URL(page.url()).pathname, /^\/t\/52\.71\/pengaduan\/\d+$/);
  assert.match(await page.textContent('#cpl-number'), /^52\.71\/ADU\/\d{4}\/\d{6}$/);
  assert.deepEqual(page.problems, []);
});
