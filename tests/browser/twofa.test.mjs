// Browser journey of two-step sign-in, on a phone: the demo DPRD member, whose role the server
// (tests/browser/run.sh: --two-factor-roles dprd) requires a second factor for, signs in with the
// password and is sent to set one up before anything else; the page shows a QR code and the
// secret as text; a code computed from that text (as an authenticator app would) turns it on and
// the recovery codes are shown once; then sign-out, sign-in again: password, then the code page,
// where a wrong code is refused with a message and the next right code opens the dashboard. The
// page must load cleanly (no failed request, no console error such as a CSP violation).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BASE, TENANT, phone, submit, pathOf, fitsPhone, signIn } from './lib.mjs';

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it.
function base32(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/\s+/g, '').toUpperCase()) {
    value = (value << 5) | alpha.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(secret, seconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const off = h[h.length - 1] & 15;
  const n = ((h[off] & 127) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

test('an official sets up two-step sign-in when required, then signs in with a code', async (t) => {
  // the wrong codes below are answered 400/401 on purpose
  const page = await phone(t, (u, status) => (status === 400 || status === 401) &&
    (u.pathname.endsWith('/akun/dua-langkah') || u.pathname.endsWith('/masuk/kode')));

  // 1. the password alone leads to the set-up page, not the dashboard
  await signIn(page, 'dprd');
  assert.equal(pathOf(page), `/t/${TENANT}/akun/dua-langkah`);
  assert.match(await page.textContent('main'), /wajib memakai verifikasi dua langkah/);
  // the dashboard is not open yet: it comes back here
  await page.goto(`${BASE}/t/${TENANT}/dasbor`);
  assert.equal(pathOf(page), `/t/${TENANT}/akun/dua-langkah`);

  // 2. a QR code (an image that loaded) and the secret as text
  const qr = page.locator('img.qr');
  assert.equal(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), true);
  const secret = (await page.textContent('code.secret')).trim();
  assert.match(secret, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  await fitsPhone(page, 'the set-up page');

  // 3. a wrong code keeps the same secret, so nothing needs scanning again
  await page.fill('#code', '000000');
  await submit(page, 'form input[name="action"][value="aktifkan"] ~ button');
  assert.match(await page.textContent('[role="alert"]'), /kode salah/);
  assert.equal((await page.textContent('code.secret')).trim(), secret);

  // 4. the right code turns it on; ten recovery codes are shown once
  await page.fill('#code', totp(secret, Date.now() / 1000));
  await submit(page, 'form input[name="action"][value="aktifkan"] ~ button');
  assert.match(await page.textContent('[role="status"]'), /Verifikasi dua langkah aktif/);
  const codes = await page.locator('ol.codes code').allTextContents();
  assert.equal(codes.length, 10);
  for (const c of codes) assert.match(c, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}$/);
  await submit(page, 'a.button');
  assert.equal(pathOf(page), `/t/${TENANT}/dasbor`);

  // 5. sign out, and in again: password, then the code page
  await submit(page, 'form[action$="/keluar"] button');
  await signIn(page, 'dprd');
  assert.equal(pathOf(page), `/t/${TENANT}/masuk/kode`);
  assert.equal(await page.getAttribute('#code', 'autocomplete'), 'one-time-code');
  await page.fill('#code', '123 456');
  await submit(page, 'form[action$="/masuk/kode"] button');
  assert.match(await page.textContent('[role="alert"]'), /kode/i);
  // the code of the next step (the one used to enrol may be this step's, and is never taken twice)
  await page.fill('#code', totp(secret, Date.now() / 1000 + 30));
  await submit(page, 'form[action$="/masuk/kode"] button');
  assert.equal(pathOf(page), `/t/${TENANT}/dasbor`);
  assert.match(await page.textContent('footer'), /DPRD/);
  assert.deepEqual(page.problems, []);
});
