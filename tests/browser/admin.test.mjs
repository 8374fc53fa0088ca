// Browser test of the tenant administrator's journey on a phone-sized Chromium (Playwright, Debian's
// chromium, Node's test runner; started by tests/browser/run.sh with SIGAP_BASE_URL): the admin goes
// from the dashboard to the users page and its administration menu, adds an OPD (a bad code is refused
// first, with the typed text kept), creates an API key (shown once, to be copied), checks that the key
// works, and revokes it after a confirmation; then adds an account and disables it, again after a
// confirmation (cancelled once). Every page fits a 360 px screen and loads without
// console errors (CSP) or failed requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, phone, submit as tap, pathOf, fitsPhone, signIn } from './lib.mjs';

const CODE = 'UJI' + Date.now().toString(36).toUpperCase();
// the refused OPD form answers 400 on purpose
const expected = (u, status) => u.pathname.endsWith('/admin/opd') && status === 400;

test('the admin adds an OPD and an API key on a phone, then revokes the key', async (t) => {
  const page = await phone(t, expected);
  await signIn(page, 'admin');
  assert.match(new URL(page.url()).pathname, /\/dasbor$/);

  // dashboard -> the administration overview -> users -> the administration menu
  await tap(page, page.getByRole('link', { name: /^Administrasi/ }));
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/admin`);
  await tap(page, page.getByRole('link', { name: 'Pengguna dan peran' }));
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/admin/pengguna`);
  await fitsPhone(page, 'the users page');
  const menu = page.getByRole('navigation', { name: 'Menu administrasi' });
  assert.equal(await menu.getByRole('link', { name: 'Pengguna' }).getAttribute('aria-current'), 'page');
  await tap(page, menu.getByRole('link', { name: 'OPD' }));
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/admin/opd`);
  await fitsPhone(page, 'the OPD page');

  // a code with a space is refused; what was typed stays
  await page.fill('#code', 'dinas baru');
  await page.fill('#name', 'Dinas Uji Peramban');
  await page.selectOption('#kind', 'badan');
  await tap(page, page.locator('form[action$="/admin/opd"] button[type="submit"]'));
  const alert = page.getByRole('alert');
  assert.match(await alert.textContent(), /^kode OPD harus 2-24 karakter/);
  assert.equal(await page.inputValue('#name'), 'Dinas Uji Peramban');
  assert.equal(await page.inputValue('#code'), 'DINAS BARU');
  assert.equal(await page.inputValue('#kind'), 'badan');
  await fitsPhone(page, 'the refused OPD form');

  // typed in lower case on a phone keyboard: stored in capitals
  await page.fill('#code', CODE.toLowerCase());
  await tap(page, page.locator('form[action$="/admin/opd"] button[type="submit"]'));
  assert.equal((await page.locator('p.notice').textContent()).trim(), 'OPD ditambahkan');
  const row = page.locator('tr', { has: page.getByRole('link', { name: CODE, exact: true }) });
  assert.match(await row.textContent(), /Dinas Uji Peramban/);
  assert.match(await row.textContent(), /Badan/);

  // an API key: the default role is the citizen's
  await tap(page, menu.getByRole('link', { name: 'Kunci API' }));
  await fitsPhone(page, 'the API key page');
  assert.equal(await page.inputValue('#role'), 'warga');
  const name = 'Aplikasi peramban ' + CODE;
  await page.fill('#name', name);
  await tap(page, page.locator('form[action$="/admin/kunci-api"] button[type="submit"]'));
  assert.match(await page.title(), /^Kunci API dibuat\b/);
  assert.match(await page.getByRole('alert').textContent(), /Salin kunci ini sekarang\./);
  const key = await page.inputValue('#apikey');
  assert.match(key, /^sgp_[0-9a-f]{12}_[0-9a-f]{64}$/);
  await fitsPhone(page, 'the page with the new key');
  // the key works for a machine client
  const me = await page.request.get(`${BASE}/api/v1/t/${TENANT}/me`, { headers: { Authorization: 'Bearer ' + key } });
  assert.equal(me.status(), 200);
  assert.equal((await me.json()).role, 'warga');

  // the list shows the prefix, never the key; revoke after a confirmation
  await tap(page, page.getByRole('link', { name: 'Kembali ke daftar kunci API' }));
  const prefix = key.slice(4, 16);
  const main = await page.textContent('main');
  assert.ok(main.includes(prefix) && !main.includes(key.slice(17)), 'the list shows the prefix only');
  const keyRow = page.locator('tr', { hasText: name });
  await tap(page, keyRow.getByRole('link', { name: 'Cabut' }));
  assert.match(await page.textContent('main'), /Cabut kunci API ini\?/);
  await fitsPhone(page, 'the confirmation');
  await tap(page, page.getByRole('button', { name: 'Ya, cabut kunci ini' }));
  assert.match(await page.locator('p.notice').textContent(), /^kunci API dicabut/);
  assert.equal(await page.locator('tr', { hasText: name }).getByRole('link', { name: 'Cabut' }).count(), 0);
  const revoked = await page.request.get(`${BASE}/api/v1/t/${TENANT}/me`, { headers: { Authorization: 'Bearer ' + key } });
  assert.equal(revoked.status(), 401);

  // a new officer's account, then disabled: the button asks first, with a way back
  const user = 'uji' + CODE.toLowerCase();
  await tap(page, menu.getByRole('link', { name: 'Pengguna' }));
  await page.fill('#username', user);
  await page.fill('#full_name', 'Petugas Uji Peramban');
  await page.selectOption('#role', 'warga');
  await page.fill('#password', 'sandi-uji-peramban-1');
  await tap(page, page.locator('form[method="post"][action$="/admin/pengguna"] button[type="submit"]'));
  await tap(page, page.getByRole('link', { name: user, exact: true }));
  assert.equal(pathOf(page), `/t/${TENANT}/admin/pengguna/${user}`);
  await tap(page, page.getByRole('link', { name: 'Nonaktifkan pengguna' }));
  assert.equal(pathOf(page), `/t/${TENANT}/admin/pengguna/${user}/status`);
  assert.match(await page.textContent('main'), /Nonaktifkan pengguna ini\?/);
  await fitsPhone(page, 'the question before disabling');
  await tap(page, page.getByRole('link', { name: 'Batal' }));
  assert.equal(pathOf(page), `/t/${TENANT}/admin/pengguna/${user}`);
  await tap(page, page.getByRole('link', { name: 'Nonaktifkan pengguna' }));
  await tap(page, page.getByRole('button', { name: 'Ya, nonaktifkan' }));
  assert.match(await page.locator('p.notice').textContent(), /^pengguna dinonaktifkan/);
  assert.equal(await page.getByRole('button', { name: 'Aktifkan kembali' }).count(), 1);

  assert.deepEqual(page.problems, []);
});
