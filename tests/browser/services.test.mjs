// Browser test of the public-services journey on a phone-sized Chromium (Playwright, Debian's
// chromium, Node's test runner; started by tests/browser/run.sh with SIGAP_BASE_URL): the
// administrator adds a service through the JSON API, the citizen finds it in the catalogue, reads
// the standar pelayanan, applies with a file upload (a bad NIK is refused first), gets the
// registration number, receipt PDF and QR; the officer verifies and returns it for correction; the
// citizen resubmits; officer and kepala OPD approve; the QR's verification page and the anonymous
// tracking page show the result without personal data. A refused correction lands at the correction
// form with its message in view and the typed text kept; cancelling needs a tick. Pages must load
// without console errors (CSP) or failed requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigPhoto, imageSize } from './photo.mjs';
import { BASE, TENANT, PHONE, phone as libPhone, submit, signIn } from './lib.mjs';

const NIK = '5271014101900001';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const CODE = 'uji-browser-' + Date.now().toString(36);

// the bad-NIK form answers 400 on purpose
const phone = (t) => libPhone(t, (u) => u.pathname.endsWith('/ajukan'));

async function login(page, username) {
  await signIn(page, username);
  assert.match(new URL(page.url()).pathname, /\/dasbor$/);
}

test('apply, return, resubmit, approve and verify on a phone', async (t) => {
  // the administrator adds a service through the API
  const admin = await phone(t);
  await login(admin, 'admin');
  const csrf = await admin.getAttribute('input[name="_csrf"]', 'value');
  const res = await admin.request.post(`${BASE}/api/v1/t/${TENANT}/services`, {
    headers: { 'X-CSRF-Token': csrf },
    data: {
      code: CODE, unit: 'DISDUKCAPIL', name: 'Layanan Uji Peramban', category: 'Kependudukan',
      summary: 'Layanan untuk uji peramban.', requirements: ['Kartu keluarga'], procedure: ['Ajukan', 'Verifikasi'],
      sla_days: 3, fee: 0, product: 'Dokumen uji', complaints: 'Melalui menu Pengaduan.', legal_basis: ['Peraturan uji'],
      form: 'nama | text | Nama lengkap | wajib | Sesuai KTP\nnik_pemohon | nik | NIK pemohon | wajib\nkk | file | Kartu keluarga | wajib\n',
      steps: 'Verifikasi berkas | petugas\nPersetujuan Kepala OPD | kepala_opd\n',
    },
  });
  assert.equal(res.status(), 201, await res.text());

  // the citizen finds it and applies
  const w = await phone(t);
  await login(w, 'warga');
  await w.goto(`${BASE}/t/${TENANT}/layanan?q=Peramban`);
  await submit(w, `a[href$="/layanan/${CODE}"]`);
  assert.match(await w.textContent('main'), /Persyaratan[\s\S]*Kartu keluarga/);
  assert.match(await w.textContent('main'), /Gratis/);
  await submit(w, `a[href$="/layanan/${CODE}/ajukan"]`);
  await w.fill('#f-nama', 'Baiq Nurul Aini');
  await w.fill('#f-nik_pemohon', '5271013202900001');      // 32 February: no such date
  await w.setInputFiles('#f-kk', { name: 'kk.pdf', mimeType: 'application/pdf', buffer: PDF });
  await submit(w, 'form[enctype] button[type="submit"]');
  // the reason names the wrong part of the NIK (it once showed a bare "%s")
  const nikAlert = await w.textContent('.alert');
  assert.match(nikAlert, /NIK pemohon: tanggal lahir '320290' pada NIK bukan tanggal yang valid/);
  assert.ok(!nikAlert.includes('%s'), nikAlert);
  await w.fill('#f-nik_pemohon', NIK);
  await w.setInputFiles('#f-kk', { name: 'kk.pdf', mimeType: 'application/pdf', buffer: PDF });
  await submit(w, 'form[enctype] button[type="submit"]');
  const appUrl = new URL(w.url());
  assert.match(appUrl.pathname, /\/permohonan\/\d+$/);
  const number = (await w.textContent('main h1')).trim();
  assert.match(number, /^52\.71\/PMH\/\d{4}\/\d{6}$/);
  // the number the citizen notes down stays on one line of a 360 px phone
  const lines = await w.$eval('main h1', (h) => {
    const r = document.createRange();
    r.selectNodeContents(h);
    return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size;
  });
  assert.equal(lines, 1, `the registration number takes ${lines} lines`);
  assert.ok(await w.isVisible('.svc-qr svg'), 'the QR code is shown');
  const verifyUrl = await w.getAttribute('.svc-qr a', 'href');
  const pdf = await w.request.get(`${BASE}${appUrl.pathname}/tanda-terima.pdf`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');

  // the officer returns it for correction
  const o = await phone(t);
  await login(o, 'petugas');
  await o.goto(`${BASE}/t/${TENANT}/antrian`);
  await submit(o, `a:text("${number}")`);
  await o.fill('#t-ret', 'Scan kartu keluarga buram');
  await submit(o, 'form:has(#t-ret) button');
  assert.match(await o.textContent('main'), /Dikembalikan untuk perbaikan/);

  // the citizen resubmits with a new file: this time a phone photo of the card, 4000x3000
  // (too large for the server as it is), made smaller by the page before it goes
  await w.goto(appUrl.href);
  assert.match(await w.textContent('main'), /Scan kartu keluarga buram/);
  const photo = await bigPhoto(w, 4000, 3000);
  assert.ok(photo.length > 5 * 1024 * 1024, `test photo only ${photo.length} B`);
  await w.setInputFiles('form[action*="/perbaiki"] #f-kk', { name: 'kk2.png', mimeType: 'image/png', buffer: photo });
  await w.waitForSelector('form[action*="/perbaiki"] #f-kk-note');
  assert.match(await w.textContent('#f-kk-note'), /^Foto diperkecil agar hemat kuota: \d+\.\d MB → \d+(\.\d)? [KM]B$/);
  await submit(w, 'form[action*="/perbaiki"] button[type="submit"]');
  assert.match(await w.textContent('main'), /Sedang diproses/);
  // back in proses: the old reason is only in the history, which labels every entry
  assert.equal(await w.locator('main p.alert').count(), 0);
  const history = await w.textContent('.svc-events');
  assert.match(history, /Scan kartu keluarga buram/);
  assert.match(history, /Diajukan ulang setelah perbaikan oleh warga → tahap Verifikasi berkas/);
  assert.doesNotMatch(history, /\((diajukan|diteruskan|dikembalikan|diajukan_ulang), /);
  const doc = `${BASE}${appUrl.pathname}/berkas/kk`;
  const stored = await w.request.get(doc);
  assert.equal(stored.headers()['content-type'], 'image/jpeg');
  assert.ok((await stored.body()).length < photo.length / 4, 'the document photo was not made smaller');
  assert.deepEqual(await imageSize(w, doc), [2000, 1500]);

  // verification step by the officer, approval by the kepala OPD
  await o.goto(appUrl.href);
  await submit(o, 'form:has(input[value="advance"]) button');
  const k = await phone(t);
  await login(k, 'kepala_opd');
  await k.goto(appUrl.href);
  await submit(k, 'form:has(input[value="advance"]) button');
  assert.match(await k.textContent('main'), /Selesai/);

  // the QR's page and anonymous tracking: authentic, done, no personal data
  const anon = await phone(t);
  await anon.goto(verifyUrl);
  const v = await anon.textContent('main');
  assert.match(v, /Dokumen asli/);
  assert.ok(v.includes(number) && v.includes('Selesai'));
  assert.ok(!v.includes('Baiq') && !v.includes(NIK));
  await anon.goto(`${BASE}/t/${TENANT}/lacak`);
  await anon.fill('#nomor', number);
  await submit(anon, 'form button[type="submit"]');
  const tr = await anon.textContent('main');
  assert.ok(tr.includes('Selesai') && !tr.includes('Baiq'));

  for (const p of [admin, w, o, k, anon]) assert.deepEqual(p.problems, [], 'console errors or failed requests');
});

test('a refused correction says why at the form, and cancelling asks first, on a phone', async (t) => {
  // an akta kelahiran application filed through the API and returned by the officer
  const w = await phone(t);
  await login(w, 'warga');
  const csrf = await w.getAttribute('input[name="_csrf"]', 'value');
  const b64 = PDF.toString('base64');
  const filed = await w.request.post(`${BASE}/api/v1/t/${TENANT}/applications`, {
    headers: { 'X-CSRF-Token': csrf },
    data: {
      service: 'akta-kelahiran',
      values: { nik_pemohon: NIK, nama_bayi: 'Lalu Ahmad', tanggal_lahir: '2026-01-05', tempat_lahir: 'Mataram', jenis_kelamin: 'Laki-laki' },
      files: { surat_lahir: { filename: 'skl.pdf', content_base64: b64 }, kk: { filename: 'kk.pdf', content_base64: b64 } },
    },
  });
  assert.equal(filed.status(), 201, await filed.text());
  const appUrl = `${BASE}/t/${TENANT}/permohonan/${(await filed.json()).id}`;
  const o = await phone(t);
  await login(o, 'petugas');
  await o.goto(appUrl);
  await o.fill('#t-ret', 'Surat keterangan lahir tidak terbaca');
  await submit(o, 'form:has(#t-ret) button');

  // the citizen corrects the name but picks a text file as the KK: refused (415); the phone lands at
  // the correction form, which says why, keeps the name typed and asks for the file again
  // the tenant's day (WITA, UTC+8), not the browser's: read before and after the page, which
  // may come at midnight
  const wita = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const before = wita();
  await w.goto(appUrl);
  const max = await w.getAttribute('#f-tanggal_lahir', 'max');
  assert.ok([before, wita()].includes(max), `max ${max}, today ${before}`);
  await w.fill('form[action*="/perbaiki"] #f-nama_bayi', 'Lalu Ahmad Diketik');
  await w.setInputFiles('form[action*="/perbaiki"] #f-kk', { name: 'kk.pdf', mimeType: 'application/pdf', buffer: Buffer.from('bukan pdf, hanya teks') });
  await submit(w, 'form[action*="/perbaiki"] button[type="submit"]');
  assert.equal(new URL(w.url()).hash, '#perbaiki');
  const alert = w.locator('#perbaiki .alert[role="alert"]');
  assert.match(await alert.textContent(), /^Kartu keluarga: jenis berkas tidak diterima; unggah PDF, JPEG atau PNG.*pilih lagi/);
  const box = await alert.boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height, `the message is out of view: ${JSON.stringify(box)}`);
  assert.equal(await w.inputValue('form[action*="/perbaiki"] #f-nama_bayi'), 'Lalu Ahmad Diketik');
  const width = await w.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the page is ${width} px wide`);
  w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/^415 .*\/perbaiki$/.test(p)));

  // cancel: a tap on the button alone does nothing; with the tick it cancels
  await w.goto(appUrl);
  await w.click('#batal button[type="submit"]');
  await w.waitForTimeout(300);
  assert.equal(w.url(), appUrl);
  assert.equal(await w.evaluate(() => document.querySelector('#batal input[name="yakin"]').validity.valueMissing), true);
  assert.match(await w.textContent('main .svc-state'), /Dikembalikan untuk perbaikan/);
  await w.check('#batal input[name="yakin"]');
  await submit(w, '#batal button[type="submit"]');
  assert.match(await w.textContent('main .svc-state'), /Dibatalkan/);

  for (const p of [w, o]) assert.deepEqual(p.problems, [], 'console errors or failed requests');
});
