// Browser journey of the governance module through all four roles, on a phone-sized screen:
// the kepala OPD drafts a proposal and signs its submission, the Sekda forwards it with a
// recommendation, the Wakil adds a (differing) consideration, the Kepala Daerah decides; then an
// anonymous visitor opens the public verification page, which shows who recommended, who
// considered and who decided. Each signature needs the official's passphrase; a missing signing
// key is created on the way (passphrase sigap-demo-2026, the demo loader's). Run through
// tests/browser/run.sh, which starts sigap on a fresh demo database (SIGAP_BASE_URL).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, PASSWORD, PHONE, phoneContext, submit } from './lib.mjs';

const PASSPHRASE = 'sigap-demo-2026';

async function phonePage(t) {
  const page = await phoneContext(t, 15_000);
  const problems = [];
  // Failed requests are collected with their address (a browser's own /favicon.ico probe is not ours).
  page.on('response', (res) => {
    const path = new URL(res.url()).pathname;
    if (res.status() >= 400 && path !== '/favicon.ico') problems.push(`HTTP ${res.status()} ${path}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  page.problems = problems;
  return page;
}

async function login(page, username) {
  await page.goto(`${BASE}/t/${TENANT}/masuk`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await submit(page, 'form[action$="/masuk"] button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/dasbor`);
}

async function ensureKey(page) {
  await page.goto(`${BASE}/t/${TENANT}/kunci-tanda-tangan`);
  if (await page.locator('#confirm').count()) {
    await page.fill('#passphrase', PASSPHRASE);
    await page.fill('#confirm', PASSPHRASE);
    await submit(page, 'form[action$="/kunci-tanda-tangan"] button[type="submit"]');
    assert.match(await page.textContent('[role="status"]'), /kunci tanda tangan dibuat/);
  }
  assert.match(await page.textContent('main'), /Kunci publik/);
}

async function noSidewaysScroll(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${new URL(page.url()).pathname} is ${w}px wide on a ${PHONE.width}px phone`);
}

// Opens the proposal from the role's inbox ("Menunggu tindakan Anda").
async function openFromInbox(page, title) {
  await page.goto(`${BASE}/t/${TENANT}/usulan`);
  const link = page.locator('#inbox a', { hasText: title });
  assert.equal(await link.count(), 1, `"${title}" is in the inbox`);
  await Promise.all([page.waitForNavigation(), link.click()]);
}

test('a proposal goes from the OPD through Sekda and Wakil to the Kepala Daerah, signed and verifiable', async (t) => {
  const title = `Jam layanan sore ${Date.now()}`;

  // 1. kepala OPD drafts and submits
  const opd = await phonePage(t);
  await login(opd, 'kepala_opd');
  await ensureKey(opd);
  await opd.goto(`${BASE}/t/${TENANT}/usulan/baru`);
  await opd.selectOption('#kind', 'telaahan');
  await opd.fill('#title', title);
  await opd.fill('#background', 'Antrean layanan KTP-el di MPP melebihi 150 orang per hari.');
  await opd.fill('#analysis', 'Puncak kunjungan pukul 15.00-17.00.');
  await opd.fill('#options', '1. Tetap\n2. Diperpanjang sampai 18.00');
  await opd.fill('#proposed', 'Memperpanjang jam layanan sampai pukul 18.00.');
  await opd.selectOption('#urgency', 'segera');
  await opd.check('input[name="is_public"]');
  await submit(opd, 'form[action$="/usulan"] button[type="submit"]');
  assert.match(new URL(opd.url()).pathname, /\/usulan\/\d+$/);
  assert.equal((await opd.textContent('main h1')).trim(), title);
  await noSidewaysScroll(opd);
  await opd.fill('#form-ajukan #passphrase', PASSPHRASE);
  await submit(opd, '#form-ajukan button[type="submit"]');
  assert.match(await opd.textContent('[role="status"]'), /tindakan tersimpan/);
  assert.match(await opd.textContent('#state'), /Menunggu saran Sekda/);
  const proposalPath = new URL(opd.url()).pathname;

  // 2. Sekda recommends, with a note
  const sekda = await phonePage(t);
  await login(sekda, 'sekda');
  await ensureKey(sekda);
  await openFromInbox(sekda, title);
  assert.equal(new URL(sekda.url()).pathname, proposalPath);
  // a wrong passphrase is refused and nothing is signed
  await sekda.selectOption('#form-saran #verdict', 'setuju_catatan');
  await sekda.fill('#form-saran #note', 'Pastikan anggaran lembur tersedia.');
  await sekda.fill('#form-saran #passphrase', 'bukan-frasa-sandi');
  await submit(sekda, '#form-saran button[type="submit"]');
  assert.match(await sekda.textContent('[role="alert"]'), /frasa sandi kunci tanda tangan salah/);
  await sekda.selectOption('#form-saran #verdict', 'setuju_catatan');
  await sekda.fill('#form-saran #note', 'Pastikan anggaran lembur tersedia.');
  await sekda.fill('#form-saran #passphrase', PASSPHRASE);
  await submit(sekda, '#form-saran button[type="submit"]');
  assert.match(await sekda.textContent('#state'), /Menunggu pertimbangan Wakil/);

  // 3. Wakil disagrees; the view is recorded
  const wakil = await phonePage(t);
  await login(wakil, 'wakil');
  await ensureKey(wakil);
  await openFromInbox(wakil, title);
  await wakil.selectOption('#form-pertimbangan #verdict', 'tidak_setuju');
  await wakil.fill('#form-pertimbangan #note', 'Sebaiknya uji coba tiga bulan dulu.');
  await wakil.fill('#form-pertimbangan #passphrase', PASSPHRASE);
  await submit(wakil, '#form-pertimbangan button[type="submit"]');
  assert.match(await wakil.textContent('#state'), /Menunggu keputusan Kepala Daerah/);

  // 4. Kepala Daerah decides
  const kd = await phonePage(t);
  await login(kd, 'kepala_daerah');
  await ensureKey(kd);
  await openFromInbox(kd, title);
  const chain = await kd.textContent('#chain');
  assert.match(chain, /Saran Sekda/);
  assert.match(chain, /Sebaiknya uji coba tiga bulan dulu/);
  await kd.selectOption('#form-keputusan #verdict', 'setuju');
  await kd.fill('#form-keputusan #note', 'Laksanakan mulai bulan depan.');
  await kd.fill('#form-keputusan #passphrase', PASSPHRASE);
  await submit(kd, '#form-keputusan button[type="submit"]');
  assert.match(await kd.textContent('#state'), /Disetujui/);
  const decision = await kd.textContent('#decision');
  assert.match(decision, /Keputusan Wali Kota Mataram Nomor \d+\/20\d\d/);
  assert.equal(await kd.locator('#form-keputusan').count(), 0, 'no second decision form');
  assert.match(await kd.textContent('#chain-ok'), /Semua tanda tangan sah/);
  await noSidewaysScroll(kd);
  const verifyHref = await kd.getAttribute('#decision a[href*="/verifikasi/"]:not([href$="/pdf"])', 'href');

  // 5. anyone can verify it
  const anon = await phonePage(t);
  await anon.goto(BASE + verifyHref);
  assert.match(await anon.textContent('#verdict'), /Tanda tangan sah/);
  const who = await anon.textContent('.gov-chain');
  for (const step of ['Diajukan oleh Kepala OPD', 'Saran Sekda', 'Pertimbangan Wakil Kepala Daerah', 'Keputusan Kepala Daerah']) {
    assert.match(who, new RegExp(step));
  }
  assert.equal(await anon.locator('.gov-qr svg').count(), 1, 'the QR code is shown');
  await noSidewaysScroll(anon);
  // and it is listed in the public register
  await anon.goto(`${BASE}/t/${TENANT}/jdih`);
  assert.match(await anon.textContent('main'), new RegExp(title));

  for (const p of [opd, wakil, kd, anon]) assert.deepEqual(p.problems, []);
  // the Sekda's only failed request is the refused wrong passphrase
  assert.deepEqual(sekda.problems, [`HTTP 403 ${proposalPath}/tindakan`]);
});
