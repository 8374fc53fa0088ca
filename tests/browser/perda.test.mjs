// A Raperda the DPRD approved becomes a Perda, on the phones of those who sign it: the Kepala Daerah
// enacts it with the passphrase on a 360×640 phone and reads its number, the Sekda promulgates it in
// the Lembaran Daerah, and a citizen finds it in the public register (JDIH) with both numbers. The
// Raperda is walked to the DPRD's approval here (the demo's own DPRD item is leaders.test.mjs's, which
// corrects its outcome). Run through tests/browser/run.sh, which starts sigap on a fresh demo database.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, PASSWORD, newContext, phone, submit, signIn, fitsPhone } from './lib.mjs';

const T = `${BASE}/t/${TENANT}`;
const PERDA = /Peraturan Daerah Kota Mataram Nomor \d+ Tahun \d{4}/;
const LEMBARAN = /Lembaran Daerah Kota Mataram Tahun \d{4} Nomor \d+/;

async function login(page, username) {
  await signIn(page, username);
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/dasbor`);
}

// Signs the form whose id is form (its passphrase field: pass) on page, which shows the proposal.
async function sign(page, form, pass = '#passphrase') {
  await page.fill(`#${form} ${pass}`, PASSWORD);
  await submit(page, `#${form} button[type="submit"]`);
  assert.match(await page.textContent('[role="status"]'), /tindakan tersimpan dan ditandatangani/);
}

// A Raperda drafted, submitted, recommended, considered and approved by the head, then submitted to,
// deliberated and approved by the DPRD today (recorded by the Sekda); returns its path.
async function approvedByDprd(t, title) {
  const opd = await phone(t);
  await login(opd, 'kepala_opd');
  await opd.goto(`${T}/usulan/baru`);
  await opd.fill('#title', title);
  await opd.fill('#background', 'Perubahan ketentuan pelayanan administrasi kependudukan.');
  await opd.fill('#analysis', 'Ketentuan lama belum mengatur layanan daring.');
  await opd.fill('#proposed', 'Menetapkan Perda tentang layanan administrasi kependudukan daring.');
  await opd.check('input[name="needs_dprd"]');
  await submit(opd, 'form[action$="/usulan"] button[type="submit"]');
  const path = new URL(opd.url()).pathname;
  assert.match(path, /\/usulan\/\d+$/);
  await sign(opd, 'form-ajukan');
  const s = await phone(t);
  await login(s, 'sekda');
  await s.goto(BASE + path);
  await sign(s, 'form-saran');
  const w = await phone(t);
  await login(w, 'wakil');
  await w.goto(BASE + path);
  await w.fill('#form-pertimbangan #note', 'Setuju; sosialisasikan kepada kelurahan.');
  await sign(w, 'form-pertimbangan');
  const k = await phone(t);
  await login(k, 'kepala_daerah');
  await k.goto(BASE + path);
  await sign(k, 'form-keputusan');
  await s.goto(BASE + path);
  for (const stage of ['diajukan', 'pembahasan', 'disetujui']) {
    await s.selectOption('#form-dprd #stage', stage);
    await submit(s, '#form-dprd button[type="submit"]');
    assert.match(await s.textContent('[role="status"]'), /tersimpan/);
  }
  assert.match(await s.textContent('#perda-state'), /menunggu penetapan/);
  for (const p of [opd, s, w, k]) assert.deepEqual(p.problems, []);
  return path;
}

test('the head enacts a Perda on a phone, the Sekda promulgates it, the register lists both numbers', async (t) => {
  const title = `Raperda layanan daring ${Date.now()}`;
  const path = await approvedByDprd(t, title);

  // the head, on a 360×640 phone: the inbox says what waits and until when, the page leads to the form
  const context = await newContext({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID' });
  t.after(() => context.close());
  const k = await context.newPage();
  k.setDefaultTimeout(30_000);
  await login(k, 'kepala_daerah');
  await k.goto(`${T}/usulan`);
  const waiting = k.locator('li', { hasText: title }).first();
  assert.match(await waiting.textContent(), /menunggu penetapan/);
  await submit(k, waiting.locator('a').first());
  assert.equal(new URL(k.url()).pathname, path);
  assert.match(await k.textContent('#perda-due'), /tetapkan paling lambat .* \(30 hari sejak persetujuan bersama DPRD\)/);
  await fitsPhone(k, 'the Raperda waiting for its enactment');
  await k.tap('#jump');
  await k.waitForFunction(() => document.querySelector('#form-penetapan').getBoundingClientRect().top < window.innerHeight);
  // today, the date offered; signed with the passphrase
  assert.equal(await k.inputValue('#perda_day'), await k.getAttribute('#perda_day', 'max'));
  await k.fill('#perda_note', 'Ditandatangani di ruang kerja.');
  await sign(k, 'form-penetapan', '#perda_pass');
  const enacted = (await k.textContent('#perda-enacted')).match(PERDA);
  assert.ok(enacted, 'the page names the Perda by its number');
  assert.match(await k.textContent('#perda-state'), /menunggu pengundangan/);
  assert.equal(await k.locator('#form-penetapan').count(), 0);
  await fitsPhone(k, 'the enacted Perda');

  // the Sekda promulgates it
  const s = await phone(t);
  await login(s, 'sekda');
  await s.goto(BASE + path);
  assert.match(await s.textContent('#perda-enacted'), new RegExp(enacted[0]));
  await sign(s, 'form-pengundangan', '#perda_pass');
  const promulgated = (await s.textContent('#perda-promulgated')).match(LEMBARAN);
  assert.ok(promulgated, 'the page names the Lembaran Daerah by its number');
  assert.match(await s.textContent('#perda-state'), /Perda diundangkan/);

  // anyone: the register lists it with both numbers
  const c = await phone(t);
  await c.goto(`${T}/jdih?q=${encodeURIComponent(title)}`);
  const entry = c.locator('article.gov-decision', { hasText: title });
  assert.equal(await entry.count(), 1);
  const perda = await entry.locator('.gov-perda').textContent();
  assert.ok(perda.includes(enacted[0]) && perda.includes(promulgated[0]), perda);
  await fitsPhone(c, 'the register with a Perda');
  assert.deepEqual(s.problems, []);
  assert.deepEqual(c.problems, []);
});
