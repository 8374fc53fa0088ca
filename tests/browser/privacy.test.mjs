// Browser journey of a citizen's rights over their personal data (docs/privacy.md) on a 360x640
// phone: a fresh citizen registers, opens "Akun saya" from the header, corrects the phone number
// (the page says it was saved and shows the new number), downloads "Unduh data saya" (a JSON
// attachment holding the corrected number and nothing secret), opens "Hapus akun", is refused once
// with a wrong password, then deletes the account with the right one: the browser lands signed out
// on the confirmation page, and the old account no longer signs in. Every page must load cleanly
// (no failed request, no console error such as a CSP violation) and fit the screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE, TENANT, newContext, submit, pathOf } from './lib.mjs';

const SMALL_PHONE = { width: 360, height: 640 };
const T = `/t/${TENANT}`;

async function fits(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= SMALL_PHONE.width, `${what} is ${w}px wide on a ${SMALL_PHONE.width}px phone`);
}

test('a citizen corrects their phone number, downloads their data and deletes their account', async (t) => {
  const context = await newContext({ viewport: SMALL_PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'id-ID', acceptDownloads: true });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    // the wrong password below is answered 403 on purpose; the sign-in with the deleted account 401
    const expected = (r.status() === 403 && u.pathname === `${T}/akun/hapus`) ||
      (r.status() === 401 && u.pathname === `${T}/masuk`);
    if (r.status() >= 400 && u.pathname !== '/favicon.ico' && !expected) problems.push(`${r.status()} ${u.pathname}`);
  });
  page.on('requestfailed', (r) => problems.push('failed ' + r.url()));

  // a fresh citizen: this journey deletes it
  const username = 'pdp' + Date.now().toString(36);
  const password = 'kata-sandi-pdp-1';
  await page.goto(`${BASE}${T}/daftar`);
  await page.fill('#full_name', 'Baiq Nurul Hidayah');
  await page.fill('#username', username);
  await page.fill('#phone', '0819 0123 4567');
  await page.fill('#password', password);
  await page.fill('#confirm', password);
  await submit(page, 'form[action$="/daftar"] button[type="submit"]');
  assert.equal(pathOf(page), `${T}/dasbor`);

  // "Akun saya" from the header
  await submit(page, `header a[href="${T}/akun"]`);
  assert.equal(pathOf(page), `${T}/akun`);
  await fits(page, 'the account page');
  assert.equal(await page.inputValue('#phone'), '081901234567');
  await page.fill('#phone', '+62 877 6543 2100');
  await submit(page, `form[action="${T}/akun"] button[type="submit"]`);
  assert.equal(pathOf(page), `${T}/akun`);
  assert.match(await page.textContent('[role="status"]'), /sudah disimpan/);
  assert.equal(await page.inputValue('#phone'), '+6287765432100');
  await fits(page, 'the account page after the correction');

  // "Unduh data saya": a JSON attachment with the corrected number
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a[href="${T}/akun/data.json"]`)]);
  assert.equal(download.suggestedFilename(), `sigap-data-pribadi-${TENANT}-${username}.json`);
  const text = await readFile(await download.path(), 'utf8');
  const data = JSON.parse(text);
  assert.equal(data.format, 'sigap-data-pribadi/1');
  assert.equal(data.account.username, username);
  assert.equal(data.account.phone, '+6287765432100');
  assert.equal(data.account.full_name, 'Baiq Nurul Hidayah');
  assert.ok(!/argon2|password|token|csrf/.test(text), 'nothing secret in the export');

  // "Hapus akun": says what goes and what stays, asks for the password
  await submit(page, `a[href="${T}/akun/hapus"]`);
  assert.equal(pathOf(page), `${T}/akun/hapus`);
  await fits(page, 'the deletion page');
  assert.match(await page.textContent('main'), /UU 43\/2009/);
  await page.fill('#password', 'bukan-kata-sandinya');
  await page.check('input[name="yakin"]');
  await submit(page, 'form[action$="/akun/hapus"] button[type="submit"]');
  assert.match(await page.textContent('[role="alert"]'), /kata sandi salah/);
  await page.fill('#password', password);
  await page.check('input[name="yakin"]');
  await submit(page, 'form[action$="/akun/hapus"] button[type="submit"]');

  // signed out, on the confirmation page
  assert.equal(pathOf(page), `${T}/akun/dihapus`);
  assert.match(await page.textContent('h1'), /Akun Anda sudah dihapus/);
  assert.equal(await page.locator(`header a[href="${T}/masuk"]`).count(), 1);
  assert.equal(await page.locator(`header a[href="${T}/akun"]`).count(), 0);
  await fits(page, 'the confirmation page');
  const cookies = await context.cookies();
  assert.ok(!cookies.some((c) => c.name === 'sigap_session' && c.value), 'no session cookie left');

  // the account no longer signs in
  await page.goto(`${BASE}${T}/masuk`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await submit(page, 'form[action$="/masuk"] button[type="submit"]');
  assert.equal(pathOf(page), `${T}/masuk`);
  assert.match(await page.textContent('[role="alert"]'), /salah/);
  assert.deepEqual(problems, []);
});
