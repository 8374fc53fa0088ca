// Browser journey of a citizen without an account, on a phone: from a service's page, "Ajukan
// permohonan" asks them to sign in; the sign-in page offers "Daftar sebagai warga"; a mistyped
// confirmation is refused with the message and the typed name kept; the account is made and the
// citizen lands, signed in, on the application form they were going to. The pages must load
// cleanly (no failed request, no console error such as a CSP violation) and fit the screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, phone, submit, pathOf, fitsPhone } from './lib.mjs';

const SERVICE = 'akta-kelahiran';

test('a citizen without an account registers on the way to applying for a service', async (t) => {
  // the refused confirmation below is answered 400 on purpose
  const page = await phone(t, (u, status) => status === 400 && u.pathname.endsWith('/daftar'));

  await page.goto(`${BASE}/t/${TENANT}/layanan/${SERVICE}`);
  await submit(page, `a[href$="/layanan/${SERVICE}/ajukan"]`);
  assert.equal(pathOf(page), `/t/${TENANT}/masuk`);
  await submit(page, 'a[href*="/daftar"]');
  assert.equal(pathOf(page), `/t/${TENANT}/daftar`);
  await fitsPhone(page, 'the registration page');

  const username = 'warga' + Date.now().toString(36);
  await page.fill('#full_name', 'Lalu Muhammad Zaini');
  await page.fill('#username', username);
  await page.fill('#phone', '0819 0123 4567');
  await page.fill('#password', 'kata-sandi-warga-1');
  await page.fill('#confirm', 'kata-sandi-warga-2');
  await submit(page, 'form[action$="/daftar"] button[type="submit"]');
  assert.match(await page.textContent('[role="alert"]'), /konfirmasi kata sandi tidak sama/);
  assert.equal(await page.inputValue('#full_name'), 'Lalu Muhammad Zaini');
  assert.equal(await page.inputValue('#username'), username);
  assert.equal(await page.inputValue('#password'), '');

  await page.fill('#password', 'kata-sandi-warga-1');
  await page.fill('#confirm', 'kata-sandi-warga-1');
  await submit(page, 'form[action$="/daftar"] button[type="submit"]');
  // signed in, on the form of the service they came for
  assert.equal(pathOf(page), `/t/${TENANT}/layanan/${SERVICE}/ajukan`);
  assert.match(await page.textContent('footer'), /Lalu Muhammad Zaini/);
  assert.equal(await page.locator('form[enctype] button[type="submit"]').count(), 1);
  assert.deepEqual(page.problems, []);
});
