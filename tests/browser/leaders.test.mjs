// A working day of the Pemda's leaders on a 360×640 phone over a slow line, the findings of walking
// through it: the Sekda is told which proposal waits (the dashboard said "usulan menunggu tindakan
// Anda" five times), a long proposal has a way from its top to the form that acts on it, a refused
// signature keeps the note, and once signed the next waiting item is one tap away; a returned
// proposal says why at the top and, resent, what changed; the head decides against the Sekda's advice with
// the Sekda's and the Wakil's views in the form itself and a reason asked for; the overview per OPD reads as lines (its
// seven columns broke "Dikembalikan" and the OPD's name into letters); the public register is
// searched and paged; a citizen who scans a code no decision has is told what to do, in English
// too. Run through tests/browser/run.sh, which starts sigap on a fresh demo database.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, newContext, submit, signIn, fitsPhone } from './lib.mjs';

const PASSPHRASE = 'sigap-demo-2026';
const SCREEN = { width: 360, height: 640 };
const T = `${BASE}/t/${TENANT}`;

// A 360×640 phone (own cookie jar) for test t, its language, a slow line when asked; page.problems
// collects console errors and answers >= 400 that expected(path, status) does not allow.
async function phone(t, { lang = 'id-ID', slow = false, expected = () => false } = {}) {
  const context = await newContext({ viewport: SCREEN, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: lang });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  if (slow) {
    // about a weak 3G signal: 400 ms round trip, 400 kbit/s down, 150 up
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 19_000,
    });
  }
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.pathname !== '/favicon.ico' && !expected(u.pathname, r.status())) {
      problems.push(`${r.status()} ${u.pathname}`);
    }
  });
  page.problems = problems;
  return page;
}

async function login(page, username) {
  await signIn(page, username);
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/dasbor`);
}

// The kepala OPD drafts a proposal through the form and signs its submission; returns its path.
async function submitted(t, title, fields = {}) {
  const opd = await phone(t);
  await login(opd, 'kepala_opd');
  await opd.goto(`${T}/usulan/baru`);
  await opd.fill('#title', title);
  await opd.fill('#background', fields.background || 'Antrean layanan KTP-el di MPP melebihi 150 orang per hari.');
  await opd.fill('#analysis', fields.analysis || 'Puncak kunjungan pukul 09.00-11.00.');
  await opd.fill('#proposed', fields.proposed || 'Menambah dua loket perekaman.');
  await submit(opd, 'form[action$="/usulan"] button[type="submit"]');
  const path = new URL(opd.url()).pathname;
  assert.match(path, /\/usulan\/\d+$/);
  await opd.fill('#form-ajukan #passphrase', PASSPHRASE);
  await submit(opd, '#form-ajukan button[type="submit"]');
  assert.match(await opd.textContent('#state'), /Menunggu saran Sekda/);
  assert.deepEqual(opd.problems, []);
  return path;
}

async function inView(page, selector) {
  return page.evaluate((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight;
  }, selector);
}

test('the Sekda acts on a long proposal from the phone, over a slow line', async (t) => {
  const title = `Loket tambahan ${Date.now()}`;
  const long = Array.from({ length: 40 }, (_, i) => `Paragraf ${i + 1}: data antrean harian di MPP, per jam dan per layanan.`).join('\n');
  const path = await submitted(t, title, { background: long, analysis: long });
  const s = await phone(t, { slow: true, expected: (p, status) => p === `${path}/tindakan` && status === 403 });
  await login(s, 'sekda');
  // the dashboard says which proposal waits, and leads to it
  const note = s.locator('.note-list a', { hasText: title });
  assert.equal(await note.count(), 1, 'the notification names the proposal');
  await submit(s, note);
  assert.equal(new URL(s.url()).pathname, path);
  await fitsPhone(s, 'a long proposal');
  // the deadline in working days, and the way to the form on the first screen
  assert.match(await s.textContent('#left'), /hari kerja tersisa|batas waktunya hari ini/);
  assert.ok(await inView(s, '#jump'), 'the "Beri saran" button is on the first screen');
  const height = await s.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height > 4 * SCREEN.height, `the page is ${height}px: long enough to need the way down`);
  await s.tap('#jump');
  await s.waitForFunction(() => document.querySelector('#form-saran').getBoundingClientRect().top < window.innerHeight);
  assert.ok(await inView(s, '#form-saran'), 'the form is on the screen after the tap');
  // a wrong passphrase: refused, said why at the top, the note and the choice kept
  const written = 'Setuju, dengan syarat anggaran lembur petugas tersedia di DPA perubahan.';
  await s.selectOption('#form-saran #verdict', 'setuju_catatan');
  await s.fill('#form-saran #note', written);
  await s.fill('#form-saran #passphrase', 'bukan-frasa-sandi');
  await submit(s, '#form-saran button[type="submit"]');
  assert.match(await s.textContent('[role="alert"]'), /frasa sandi kunci tanda tangan salah/);
  assert.equal(await s.inputValue('#form-saran #note'), written);
  assert.equal(await s.inputValue('#form-saran #verdict'), 'setuju_catatan');
  assert.equal(await s.inputValue('#form-saran #passphrase'), '');
  await s.fill('#form-saran #passphrase', PASSPHRASE);
  await submit(s, '#form-saran button[type="submit"]');
  // signed: what happens next, and what waits next
  assert.match(await s.textContent('[role="status"]'), /tindakan tersimpan dan ditandatangani/);
  assert.match(await s.textContent('#state'), /Menunggu pertimbangan Wakil/);
  assert.equal(await s.locator('#form-saran').count(), 0);
  if (await s.locator('#next').count()) {
    await submit(s, '#next');
    assert.match(new URL(s.url()).pathname, /\/usulan\/\d+$/);
    assert.notEqual(new URL(s.url()).pathname, path);
  }
  assert.deepEqual(s.problems, []);
});

test('the head decides against the Sekda on a phone: the views at the form, the reason asked for and kept', async (t) => {
  const title = `Insentif kader posyandu ${Date.now()}`;
  const path = await submitted(t, title);
  const s = await phone(t);
  await login(s, 'sekda');
  await s.goto(BASE + path);
  await s.selectOption('#form-saran #verdict', 'tidak_setuju');
  await s.fill('#form-saran #note', 'Anggaran 2027 sudah terkunci; tunda ke 2028.');
  await s.fill('#form-saran #passphrase', PASSPHRASE);
  await submit(s, '#form-saran button[type="submit"]');
  const w = await phone(t);
  await login(w, 'wakil');
  await w.goto(BASE + path);
  // the Wakil reads the Sekda's recommendation in the form itself
  assert.match(await w.textContent('#form-pertimbangan #advice-sekda'), /Saran Sekda: Tidak setuju[\s\S]*Anggaran 2027 sudah terkunci/);
  await w.fill('#form-pertimbangan #note', 'Layak; dapat dibiayai dari BTT.');
  await w.fill('#form-pertimbangan #passphrase', PASSPHRASE);
  await submit(w, '#form-pertimbangan button[type="submit"]');

  const k = await phone(t, { expected: (p, status) => p === `${path}/tindakan` && status === 400 });
  await login(k, 'kepala_daerah');
  await k.goto(`${T}/usulan`);
  // the inbox says what the Sekda and the Wakil said, and that they disagree
  const item = k.locator('#inbox li', { hasText: title });
  assert.match(await item.textContent(), /Saran Sekda: Tidak setuju · Pertimbangan Wakil: Setuju · berbeda pandangan/);
  await submit(k, item.locator('a'));
  await k.tap('#jump');
  await k.waitForFunction(() => document.querySelector('#advice').getBoundingClientRect().top < window.innerHeight);
  // after the tap, the views are what the head sees first, above the verdict
  assert.ok(await inView(k, '#advice'), 'the Sekda\'s and the Wakil\'s views are on the screen after the tap');
  assert.match(await k.textContent('#advice-sekda'), /Tidak setuju[\s\S]*Anggaran 2027 sudah terkunci/);
  assert.match(await k.textContent('#advice-wakil'), /Setuju[\s\S]*dapat dibiayai dari BTT/);
  assert.match(await k.textContent('#advice-split'), /Sekda dan Wakil berbeda pandangan/);
  await fitsPhone(k, 'the head\'s form with the views');
  // approving without a reason is refused, the choice kept
  await k.fill('#form-keputusan #passphrase', PASSPHRASE);
  await submit(k, '#form-keputusan button[type="submit"]');
  assert.match(await k.textContent('[role="alert"]'), /Sekda menyarankan tidak setuju: tuliskan pada catatan alasan Anda/);
  assert.match(await k.textContent('#state'), /Menunggu keputusan Kepala Daerah/);
  assert.equal(await k.inputValue('#form-keputusan #verdict'), 'setuju');
  await k.fill('#form-keputusan #note', 'Kelahiran harus tercatat; dana dari BTT.');
  await k.fill('#form-keputusan #passphrase', PASSPHRASE);
  await submit(k, '#form-keputusan button[type="submit"]');
  assert.match(await k.textContent('#state'), /Disetujui/);
  // the decision says whose advice it went against, and why
  assert.match(await k.textContent('#decision'), /Kelahiran harus tercatat/);
  assert.match(await k.textContent('#differs-sekda'), /Berbeda dari saran Sekda: Tidak setuju/);
  assert.equal(await k.locator('#differs-wakil').count(), 0);
  await fitsPhone(k, 'the decided proposal');
  // the Sekda hears of it
  await s.goto(`${T}/dasbor`);
  assert.equal(await s.locator('.note-list a', { hasText: title }).filter({ hasText: 'Usulan disetujui Kepala Daerah' }).count(), 1);
  for (const p of [s, w, k]) assert.deepEqual(p.problems, []);
});

test('a returned proposal says why at the top; resent, the Sekda sees what changed', async (t) => {
  const title = `Jam layanan Sabtu ${Date.now()}`;
  const path = await submitted(t, title, { analysis: 'Kunjungan Sabtu diperkirakan 60 orang.' });
  const s = await phone(t);
  await login(s, 'sekda');
  await s.goto(BASE + path);
  await s.check('#form-saran input[name="action"][value="kembalikan"]');
  await s.fill('#form-saran #note', 'Lampirkan data kunjungan Sabtu tiga bulan terakhir.');
  await s.fill('#form-saran #passphrase', PASSPHRASE);
  await submit(s, '#form-saran button[type="submit"]');
  assert.match(await s.textContent('#state'), /Dikembalikan untuk perbaikan/);

  const opd = await phone(t);
  await login(opd, 'kepala_opd');
  await opd.goto(BASE + path);
  assert.ok(await inView(opd, '#returned'), 'the reason is on the first screen');
  assert.match(await opd.textContent('#returned'), /Lampirkan data kunjungan Sabtu/);
  await submit(opd, `a[href="${path}/ubah"]`);
  assert.match(await opd.textContent('#returned'), /Lampirkan data kunjungan Sabtu/);
  await opd.fill('#analysis', 'Kunjungan Sabtu diperkirakan 60 orang.\nData Juli-September: rata-rata 58 orang.');
  await submit(opd, 'form[action$="/ubah"] button[type="submit"]');
  await opd.fill('#form-ajukan #passphrase', PASSPHRASE);
  await submit(opd, '#form-ajukan button[type="submit"]');

  await s.goto(BASE + path);
  const changes = s.locator('#changes');
  assert.match(await changes.textContent(), /Data Juli-September: rata-rata 58 orang/);
  assert.equal(await changes.locator('ins').count(), 1);
  assert.equal(await changes.locator('del').count(), 0);
  await fitsPhone(s, 'the changes since the return');
  assert.deepEqual(opd.problems, []);
  assert.deepEqual(s.problems, []);
});

test('the overview per OPD reads as lines on a phone, in both languages', async (t) => {
  for (const lang of ['id-ID', 'en-US']) {
    const k = await phone(t, { lang });
    await login(k, 'kepala_daerah');
    await k.goto(`${T}/usulan/rekap`);
    await fitsPhone(k, 'the overview per OPD');
    const cells = await k.$$eval('#pending td', (tds) => tds.map((td) => {
      const r = td.getBoundingClientRect();
      return { text: td.textContent.trim(), width: r.width, height: r.height };
    }));
    assert.ok(cells.length >= 7, 'the demo has pending proposals');
    for (const c of cells) {
      // a line or two, as wide as the card: no word broken into letters
      assert.ok(c.height <= 52, `"${c.text}" is ${c.height}px high`);
      assert.ok(c.width >= 250, `"${c.text}" is ${c.width}px wide`);
    }
    const label = await k.$eval('#pending td[data-label]', (td) => getComputedStyle(td, '::before').content);
    assert.match(label, lang === 'id-ID' ? /Draf/ : /Draft/);
    assert.deepEqual(k.problems, []);
  }
});

test('a citizen searches the register and checks a code, on a phone', async (t) => {
  const c = await phone(t, { expected: (p, status) => /\/verifikasi\//.test(p) && status === 404 });
  await c.goto(`${T}/jdih`);
  await fitsPhone(c, 'the register');
  await c.fill('#q', 'jam layanan');
  await submit(c, 'form[role="search"] button[type="submit"]');
  assert.match(new URL(c.url()).search, /q=jam\+layanan/);
  assert.match(await c.textContent('#found'), /keputusan cocok dengan pencarian Anda/);
  const hits = c.locator('article.gov-decision');
  assert.ok(await hits.count() >= 1, 'the demo decision on opening hours is found');
  for (const h of await hits.all()) assert.match((await h.textContent()).toLowerCase(), /jam layanan/);
  // the links a thumb must hit are tall enough
  const link = hits.first().locator('.gov-actions a').first();
  assert.ok((await link.boundingBox()).height >= 44, 'the verification link is 44px high');
  await submit(c, link);
  assert.match(await c.textContent('#verdict'), /Tanda tangan sah/);
  assert.ok(await c.locator('.gov-tech').count(), 'the keys are behind "Rincian teknis"');
  await fitsPhone(c, 'the verification page');
  // a code no decision has: what it means and what to do, not a bare "not found"
  await c.goto(`${T}/verifikasi/${'a'.repeat(32)}`);
  assert.match(await c.textContent('#verdict'), /Kode verifikasi ini tidak dikenal/);
  assert.match(await c.textContent('#what-now'), /Jangan mengandalkannya/);
  await fitsPhone(c, 'the page of an unknown code');
  const en = await phone(t, { lang: 'en-US', expected: (p, status) => /\/verifikasi\//.test(p) && status === 404 });
  await en.goto(`${T}/verifikasi/${'b'.repeat(32)}`);
  assert.match(await en.textContent('#verdict'), /This verification code is unknown/);
  assert.match(await en.textContent('#what-now'), /Do not rely on it/);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(en.problems, []);
});

test('the Sekda corrects a DPRD outcome recorded wrongly, on a phone', async (t) => {
  // the demo's Raperda, submitted to the DPRD: deliberated, then "Ditolak DPRD" chosen by mistake
  const s = await phone(t);
  await login(s, 'sekda');
  await s.goto(`${T}/usulan`);
  await submit(s, s.locator('a', { hasText: 'Rancangan Peraturan Daerah tentang Penyelenggaraan Administrasi Kependudukan' }).first());
  const path = new URL(s.url()).pathname;
  // the date a stage may have: from the submission to the DPRD (twenty days ago) to today, said under
  // "Tanggal"; an earlier one is not even sent
  const submittedOn = (await s.textContent('#dprd li')).match(/\d{4}-\d{2}-\d{2}/)[0];
  assert.equal(await s.getAttribute('#stage_day', 'min'), submittedOn);
  assert.equal(await s.getAttribute('#stage_day', 'max'), await s.inputValue('#stage_day'));
  assert.match(await s.textContent('#stage_day-help'), /^paling awal \d+ \S+ \d{4}, paling lambat hari ini \(\d+ \S+ \d{4}\)$/);
  await fitsPhone(s, 'the stage form with its dates');
  const today = await s.inputValue('#stage_day');
  await s.fill('#stage_day', '2020-01-06');
  assert.equal(await s.$eval('#stage_day', (el) => el.validity.rangeUnderflow), true);
  await s.fill('#stage_day', today);
  await s.selectOption('#form-dprd #stage', 'pembahasan');
  await submit(s, '#form-dprd button[type="submit"]');
  await s.selectOption('#form-dprd #stage', 'ditolak');
  await submit(s, '#form-dprd button[type="submit"]');
  assert.equal(await s.locator('#form-dprd').count(), 0, 'the outcome is recorded: nothing more to record');
  // the correction is folded under the stages; opened, it fits the phone
  assert.equal(await s.isVisible('#form-dprd-koreksi'), false);
  await s.tap('#dprd-koreksi summary');
  assert.ok(await s.isVisible('#form-dprd-koreksi'));
  await fitsPhone(s, 'the correction form');
  assert.equal(await s.inputValue('#fix_stage'), 'ditolak');
  // the reason is required: not sent without it
  await s.selectOption('#fix_stage', 'disetujui');
  await s.tap('#form-dprd-koreksi button[type="submit"]');
  assert.equal(new URL(s.url()).pathname, path);
  assert.equal(await s.$eval('#fix_reason', (el) => el.validity.valueMissing), true);
  const box = await s.$eval('#fix_reason', (el) => el.getBoundingClientRect().width);
  assert.ok(box >= 250, `the reason's box is ${box}px wide`);
  await s.fill('#fix_reason', 'Salah pilih: rapat paripurna menyetujui Raperda ini.');
  await submit(s, '#form-dprd-koreksi button[type="submit"]');
  assert.match(await s.textContent('[role="status"]'), /tersimpan/);
  // the stage as it now stands, marked, with what it was, who corrected it and why
  const stages = await s.textContent('#dprd');
  assert.match(stages, /Disetujui DPRD/);
  assert.match(stages, /dikoreksi/);
  assert.match(stages, /Dikoreksi oleh .*Sekretaris Daerah/);
  assert.match(await s.textContent('.gov-corrections del'), /Ditolak DPRD/);
  assert.match(await s.textContent('.gov-corrections ins'), /Disetujui DPRD/);
  assert.match(stages, /Salah pilih: rapat paripurna menyetujui Raperda ini\./);
  await fitsPhone(s, 'the corrected stages');
  // and the list of proposals marks it
  await s.goto(`${T}/usulan`);
  const row = s.locator('tr', { hasText: 'Rancangan Peraturan Daerah tentang Penyelenggaraan Administrasi Kependudukan' });
  assert.match(await row.first().textContent(), /Disetujui DPRD\s*dikoreksi/);
  assert.deepEqual(s.problems, []);
});

test('a drafter attaching files on a phone is not sent on to another item; once submitted, is; the Sekda sees the nearest deadline', async (t) => {
  // (the DPRD's side of a declined pokok pikiran needs the DPRD member, whom run.sh signs in with a
  // second factor for twofa.test.mjs: tests/e2e/test_governance_followup.py reads it there)
  const opd = await phone(t);
  await login(opd, 'kepala_opd');
  await opd.goto(`${T}/usulan/baru`);
  await opd.fill('#title', `Kajian antrean ${Date.now()}`);
  await opd.fill('#background', 'Antrean layanan KTP-el di MPP melebihi 150 orang per hari.');
  await submit(opd, 'form[action$="/usulan"] button[type="submit"]');
  const path = new URL(opd.url()).pathname;
  await opd.setInputFiles('#file', { name: 'kajian.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n%${Date.now()}\n`) });
  await submit(opd, '#form-lampiran button[type="submit"]');
  assert.equal(new URL(opd.url()).pathname, path);
  assert.match(await opd.textContent('[role="status"]'), /tersimpan/);
  assert.equal(await opd.locator('#next').count(), 0, 'still working on this draft: no other item offered');
  assert.match(await opd.textContent('#attachments'), /kajian\.pdf/);
  // submitted: this one is done, and the next draft waiting is one tap away (the demo's returned one)
  await opd.fill('#form-ajukan #passphrase', PASSPHRASE);
  await submit(opd, '#form-ajukan button[type="submit"]');
  assert.match(await opd.textContent('#next'), /^Berikutnya menunggu Anda: /);
  await fitsPhone(opd, 'the notice with the next item');
  assert.deepEqual(opd.problems, []);
  // the Sekda's card: how many wait and the nearest deadline, how far it is
  const s = await phone(t);
  await login(s, 'sekda');
  const card = s.locator('li.card', { hasText: 'Usulan menunggu saran Sekda' });
  assert.match(await card.textContent(), /\d+ menunggu, tenggat terdekat \d+ \S+ \d{4} \((\d+ hari kerja tersisa|batas waktunya hari ini|terlambat[^)]*)\)/);
  await fitsPhone(s, 'the dashboard with the nearest deadline');
  assert.deepEqual(s.problems, []);
});
