// Browser test of the administrator adding officials from a spreadsheet (/admin/impor-pengguna) on a
// phone-sized Chromium: the users page links to the import; a file with a bad row comes back naming
// the row, with nobody added; the corrected file is previewed, then added; the page shows each
// invitation link once, and one of the new officials opens theirs in another browser, chooses a
// password and signs in with it. Every page fits a 360 px screen and loads without console errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TENANT, phone, submit as tap, fitsPhone, signIn } from './lib.mjs';

const STAMP = Date.now().toString(36);
const A = `imp.a.${STAMP}`;
const B = `imp.b.${STAMP}`;
// the refused file answers 400 on purpose
const expected = (u, status) => u.pathname.endsWith('/admin/impor-pengguna') && status === 400;

function file(rows) {
  return { name: 'pegawai.csv', mimeType: 'text/csv', buffer: Buffer.from('username;nama;peran;opd\r\n' + rows.join('\r\n')) };
}

test('the admin adds officials from a CSV file, and one of them chooses a password', async (t) => {
  const page = await phone(t, expected);
  await signIn(page, 'admin');
  await page.goto(new URL(`/t/${TENANT}/admin/pengguna`, page.url()).href);
  await tap(page, page.getByRole('link', { name: 'Impor dari CSV' }));
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/admin/impor-pengguna`);
  await fitsPhone(page, 'the import form');

  // a petugas without an OPD: refused, the row named, nobody added
  await page.setInputFiles('#berkas', file([`${A};Ani Lestari;petugas;DLH`, `${B};Bayu Pratama;petugas;`]));
  await tap(page, page.getByRole('button', { name: 'Periksa' }));
  assert.match(await page.getByRole('alert').textContent(), /Belum ada pengguna yang ditambahkan/);
  const bad = page.locator('#imp-errors tbody tr');
  assert.equal(await bad.count(), 1);
  assert.match(await bad.first().textContent(), /3.*opd.*peran ini harus terikat pada satu OPD/s);
  await fitsPhone(page, 'the refused file');

  // corrected in the box the page kept, then checked, previewed and added
  const text = await page.inputValue('#csv');
  assert.match(text, /Bayu Pratama;petugas;$/m);
  await page.setInputFiles('#berkas', []);
  await page.fill('#csv', text.replace('Bayu Pratama;petugas;', 'Bayu Pratama;petugas;DLH'));
  await tap(page, page.getByRole('button', { name: 'Periksa' }));
  assert.match(await page.locator('#imp-preview h2').textContent(), /Pengguna yang akan ditambahkan: 2/);
  await fitsPhone(page, 'the preview');
  await tap(page, page.getByRole('button', { name: 'Tambahkan pengguna ini' }));
  assert.match(await page.locator('#imp-done h2').textContent(), /Pengguna ditambahkan: 2/);
  await fitsPhone(page, 'the links');
  const row = page.locator('#imp-result tr', { has: page.getByRole('link', { name: B, exact: true }) });
  const link = (await row.locator('code.imp-link').textContent()).trim();
  assert.match(link, new RegExp(`/t/${TENANT.replace('.', '\\.')}/lupa-sandi/[0-9a-f]{64}$`));

  // Bayu, on his own phone, opens the link and chooses a password
  const his = await phone(t);
  await his.goto(new URL(link, page.url()).href);
  assert.match(await his.locator('main').textContent(), new RegExp(B.replace(/\./g, '\\.')));
  await his.fill('#password', 'kata-sandi-bayu-2026');
  await his.fill('#confirm', 'kata-sandi-bayu-2026');
  await tap(his, his.getByRole('button', { name: 'Simpan kata sandi' }));
  assert.equal(new URL(his.url()).pathname, `/t/${TENANT}/masuk`);
  await signIn(his, B, 'kata-sandi-bayu-2026');
  assert.notEqual(new URL(his.url()).pathname, `/t/${TENANT}/masuk`);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(his.problems, []);
});
