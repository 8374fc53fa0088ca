// Browser journey of the complaints module, on a phone-sized Chromium driven by Playwright
// (playwright-core on Debian's /usr/bin/chromium, Node's test runner; tests/browser/run.sh starts
// sigap on a demo database and passes SIGAP_BASE_URL). A citizen files a complaint with a photo,
// the coordinator verifies and dispositions it to DISDUKCAPIL, the OPD officer answers, and the
// citizen rates the answer; the public page then shows the answer and the rating, the photo
// (served without its EXIF data) loads, and no page logs a console error (a CSP violation...).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigPhoto } from './photo.mjs';
import { BASE, TENANT, PHONE, phoneContext, newContext, submit, signIn, fitsPhone } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PHOTO = path.join(HERE, '..', 'fixtures', 'complaints', 'photo_exif.jpg');

async function phone(t) {
  const page = await phoneContext(t);
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.pathname !== '/favicon.ico') problems.push(`${r.status()} ${u.pathname}`);
  });
  // a lazy photo whose load the next navigation cuts short is not a failure
  page.on('requestfailed', (r) => {
    if ((r.failure() || {}).errorText !== 'net::ERR_ABORTED') problems.push('failed ' + r.url());
  });
  page.problems = problems;
  return page;
}

async function login(page, username) {
  await signIn(page, username);
  assert.match(new URL(page.url()).pathname, /\/dasbor$/);
}

// The coordinator, signed in, who has the tenant's complaints verified by hand (no
// auto-routing), so that a journey goes through verification whether or not a routing model
// is loaded.
async function coordinatorVerifyingByHand(t) {
  const k = await phone(t);
  await login(k, 'koordinator');
  await k.goto(`${BASE}/t/${TENANT}/pengaduan/pengaturan`);
  await k.uncheck('input[name="auto_route"]');
  await submit(k, 'form:has(#verify_days) button[type="submit"]');
  assert.match(await k.textContent('.notice'), /pengaturan disimpan/);
  return k;
}

// A visitor on phone a files an anonymous complaint of category in kelurahan Pejanggik, with a photo
// when one is given; returns the complaint page's path (this phone keeps the reporter code).
async function fileAnonymously(a, { title, description, category, photo }) {
  await a.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  await a.check('input[name="kind"][value="pengaduan"]');
  await a.check('input[name="identity"][value="anonim"]');
  await a.fill('#title', title);
  await a.fill('#description', description);
  await a.selectOption('#category', category);
  await a.selectOption('#kelurahan', '52.71.02.1011');
  if (photo) await a.setInputFiles('#photo1', photo);
  await submit(a, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  const path = new URL(a.url()).pathname;
  assert.match(path, /^\/t\/52\.71\/pengaduan\/\d+$/);
  return path;
}

test('file with a photo, the coordinator verifies, the OPD answers, the citizen rates', async (t) => {
  const k = await coordinatorVerifyingByHand(t);

  // the citizen files the complaint
  const w = await phone(t);
  await login(w, 'warga');
  await w.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  assert.equal((await w.textContent('main h1')).trim(), 'Laporkan');
  await w.check('input[name="kind"][value="pengaduan"]');
  await w.fill('#title', 'Akta kelahiran anak belum terbit');
  await w.fill('#description', 'Sudah sebulan pengajuan akta kelahiran anak saya belum terbit, padahal berkas lengkap.');
  await w.selectOption('#category', 'adminduk');
  await w.selectOption('#kelurahan', '52.71.02.1011');
  await w.fill('#address', 'Jl. Pejanggik');
  await w.setInputFiles('#photo1', PHOTO);
  await submit(w, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  const url = new URL(w.url());
  const m = url.pathname.match(/^\/t\/52\.71\/pengaduan\/(\d+)$/);
  assert.ok(m, url.pathname);
  const page = `${BASE}${url.pathname}`;
  assert.match(await w.textContent('.notice'), /telah diterima/);
  assert.ok(await w.evaluate(() => document.documentElement.scrollWidth <= 360),
    'the complaint page is wider than the phone');
  assert.match(await w.textContent('#cpl-number'), /^52\.71\/ADU\/\d{4}\/\d{6}$/);
  assert.equal((await w.textContent('#cpl-status')).trim(), 'Menunggu verifikasi');
  // the photo loads, and it carries no EXIF
  const img = w.locator('.cpl-photos img').first();
  await img.scrollIntoViewIfNeeded(); // it loads lazily, as the citizen scrolls to it
  await img.waitFor();
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth === 16), 'photo did not load');
  const photo = await w.request.get(`${page}/foto/0`);
  assert.equal(photo.status(), 200);
  assert.ok(!(await photo.body()).includes('GPSLatitude'), 'EXIF left in the photo');

  // the coordinator verifies and dispositions it to DISDUKCAPIL
  await k.goto(page);
  assert.match(await k.textContent('#cpl-verify'), /Verifikasi koordinator/);
  assert.equal(await k.inputValue('#v-category'), 'adminduk');
  await submit(k, '#cpl-verify form:has(input[value="verifikasi"]) button[type="submit"]');
  assert.equal((await k.textContent('#cpl-status')).trim(), 'Ditangani OPD');

  // the OPD officer answers
  const p = await phone(t);
  await login(p, 'petugas');
  await p.goto(page);
  await p.fill('#a-text', 'Akta kelahiran sudah terbit dan dapat diambil di loket 2 Disdukcapil.');
  await submit(p, '#cpl-answer-form button[type="submit"]');
  assert.equal((await p.textContent('#cpl-status')).trim(), 'Dijawab');

  // the citizen sees the answer and rates it
  await w.goto(page);
  assert.match(await w.textContent('#cpl-answer'), /loket 2 Disdukcapil/);
  // no rating is chosen for the citizen beforehand
  assert.equal(await w.inputValue('#r-rating'), '');
  await w.selectOption('#r-rating', '4');
  await w.fill('#r-text', 'Terima kasih, cepat.');
  await submit(w, '#cpl-rate button[type="submit"]');
  assert.equal((await w.textContent('#cpl-status')).trim(), 'Selesai');
  assert.equal((await w.textContent('#cpl-rating')).trim(), '4/5');

  // anyone sees the answer, without the reporter's name
  const anon = await phone(t);
  await anon.goto(page);
  assert.match(await anon.textContent('#cpl-answer'), /loket 2 Disdukcapil/);
  assert.ok(!(await anon.textContent('main')).includes('Baiq Nurul Aini'), 'reporter name shown to the public');
  await anon.goto(`${BASE}/t/${TENANT}/pengaduan?kategori=adminduk`);
  assert.match(await anon.textContent('main'), /Akta kelahiran anak belum terbit/);

  for (const pg of [w, k, p, anon]) assert.deepEqual(pg.problems, [], 'console errors or failed requests');
});

test('photos wait for the coordinator: the verification box on a phone, hidden, then shown', async (t) => {
  const k = await coordinatorVerifyingByHand(t);

  // a visitor files an adminduk complaint with a photo of a KTP, anonymously (this phone keeps
  // the reporter code) and sees it
  const a = await phone(t);
  await a.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  assert.match(await a.textContent('main'), /foto setelah diperiksa koordinator/);
  const path = await fileAnonymously(a, {
    title: 'KTP-el rusak belum diganti', category: 'adminduk', photo: PHOTO,
    description: 'KTP-el saya rusak sejak bulan lalu dan belum diganti, foto KTP terlampir.',
  });
  const page = `${BASE}${path}`;
  const mine = a.locator('.cpl-photos img').first();
  await mine.scrollIntoViewIfNeeded();
  await a.waitForFunction((el) => el.complete && el.naturalWidth === 16, await mine.elementHandle());
  assert.match(await a.textContent('#cpl-photos-note'), /belum tampil untuk publik/);

  // another phone: told there are photos to be checked, shown none, and the photo's address is a 404
  const b = await phone(t);
  await b.goto(page);
  assert.equal(await b.locator('.cpl-photos img').count(), 0);
  assert.equal((await b.textContent('#cpl-photos-note')).trim(), 'Foto akan tampil setelah diperiksa koordinator.');
  assert.equal((await b.request.get(`${page}/foto/0`)).status(), 404);

  // the coordinator's verification form on the phone: the box checked, its hint next to it; unchecked
  await k.goto(page);
  const box = k.locator('#v-photos');
  await box.scrollIntoViewIfNeeded();
  assert.ok(await box.isChecked(), 'the box is checked by default');
  assert.match(await k.textContent('label[for="v-photos"]'), /Foto boleh ditampilkan ke publik/);
  assert.match(await k.textContent('#v-photos-hint'), /KTP\/KK, wajah/);
  assert.equal(await box.getAttribute('aria-describedby'), 'v-photos-hint');
  await fitsPhone(k, 'the verification form');
  const rect = await k.locator('label[for="v-photos"]').boundingBox();
  assert.ok(rect.height >= 24 && rect.x >= 0 && rect.x + rect.width <= 360, JSON.stringify(rect));
  if (process.env.SIGAP_SCREENSHOT_DIR) await k.screenshot({ path: `${process.env.SIGAP_SCREENSHOT_DIR}/photos-verify.png`, fullPage: true });
  await k.locator('label[for="v-photos"]').tap(); // a tap on the label's text unchecks it
  assert.equal(await box.isChecked(), false);
  await submit(k, '#cpl-verify form:has(input[value="verifikasi"]) button[type="submit"]');
  assert.equal((await k.textContent('#cpl-status')).trim(), 'Ditangani OPD');
  assert.match(await k.textContent('#cpl-photos-note'), /disembunyikan dari publik oleh koordinator/);

  await b.goto(page);
  assert.equal(await b.locator('.cpl-photos img').count(), 0);
  assert.equal((await b.textContent('#cpl-photos-note')).trim(), 'Foto laporan ini tidak ditampilkan ke publik.');

  // later, the coordinator shows them after all
  await submit(k, '#cpl-photo-form button[type="submit"]');
  assert.match(await k.textContent('#cpl-photo-form'), /Sembunyikan foto dari publik/);
  await b.goto(page);
  const img = b.locator('.cpl-photos img').first();
  await img.scrollIntoViewIfNeeded();
  await b.waitForFunction((el) => el.complete && el.naturalWidth === 16, await img.elementHandle());
  assert.equal(await b.locator('#cpl-photos-note').count(), 0);
  await fitsPhone(b, 'the public page');

  for (const pg of [a, b, k]) assert.deepEqual(pg.problems, [], 'console errors or failed requests');
});

test('the OPD hands a complaint that is not its business back to the coordinator', async (t) => {
  const k = await coordinatorVerifyingByHand(t);

  // a citizen reports a broken road; the coordinator sends it to the wrong OPD
  const w = await phone(t);
  await login(w, 'warga');
  await w.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  await w.check('input[name="kind"][value="pengaduan"]');
  await w.fill('#title', 'Aspal jalan mengelupas');
  await w.fill('#description', 'Aspal di depan pasar mengelupas dan berlubang, pengendara motor harus menghindar.');
  await w.selectOption('#category', 'jalan');
  await w.selectOption('#kelurahan', '52.71.02.1011');
  await submit(w, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  const page = `${BASE}${new URL(w.url()).pathname}`;
  // under the account: no reporter code to note down
  assert.equal(await w.locator('#cpl-key').count(), 0, 'a reporter code shown to a signed-in citizen');
  assert.match(await w.textContent('#cpl-by-account'), /tanpa kode pelapor/);
  assert.match(await w.textContent('.cpl-facts'), /Perkiraan jawaban paling lambat/);
  await k.goto(page);
  await k.selectOption('#v-unit', 'DISDUKCAPIL');
  await submit(k, '#cpl-verify form:has(input[value="verifikasi"]) button[type="submit"]');
  assert.equal((await k.textContent('#cpl-status')).trim(), 'Ditangani OPD');

  // DISDUKCAPIL's officer hands it back with the reason
  const p = await phone(t);
  await login(p, 'petugas');
  await p.goto(page);
  await p.locator('#cpl-return').scrollIntoViewIfNeeded();
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 360), 'wider than the phone');
  if (process.env.SIGAP_SCREENSHOT_DIR) await p.screenshot({ path: `${process.env.SIGAP_SCREENSHOT_DIR}/return-opd.png`, fullPage: true });
  await p.fill('#k-text', 'Jalan rusak adalah kewenangan DPUPR, bukan Disdukcapil.');
  await submit(p, '#cpl-return button[type="submit"]');
  assert.match(await p.textContent('.notice'), /dikembalikan ke koordinator/);
  assert.equal((await p.textContent('#cpl-status')).trim(), 'Menunggu verifikasi');
  assert.equal(await p.locator('#cpl-return, #cpl-answer-form').count(), 0);

  // the coordinator reads why, and routes it again
  await k.goto(page);
  assert.match(await k.textContent('#cpl-returned'), /kewenangan DPUPR/);
  if (process.env.SIGAP_SCREENSHOT_DIR) await k.screenshot({ path: `${process.env.SIGAP_SCREENSHOT_DIR}/return-coord.png`, fullPage: true });
  // the reporter sees that it went back, not why
  await w.goto(page);
  assert.match(await w.textContent('.cpl-history'), /Dikembalikan ke koordinator/);
  assert.ok(!(await w.textContent('main')).includes('kewenangan DPUPR'), 'the reason shown to the reporter');
  await submit(k, '#cpl-verify form:has(input[value="verifikasi"]) button[type="submit"]');
  assert.equal((await k.textContent('#cpl-status')).trim(), 'Ditangani OPD');
  assert.match(await k.textContent('.cpl-facts'), /Pekerjaan Umum/);

  for (const pg of [w, k, p]) assert.deepEqual(pg.problems, [], 'console errors or failed requests');
});

test('an anonymous reporter replies with the reporter code, on the same phone and on another', async (t) => {
  // files without an account, anonymously
  const a = await phone(t);
  await fileAnonymously(a, {
    title: 'Lampu jalan mati', category: 'pju',
    description: 'Lampu penerangan jalan di gang kami mati sejak seminggu, gelap dan rawan.',
  });
  const url = new URL(a.url());
  const m = url.pathname.match(/^\/t\/52\.71\/pengaduan\/(\d+)$/);
  assert.ok(m, url.pathname);
  const page = `${BASE}${url.pathname}`;
  // the code is shown once, and this phone keeps it in a cookie for this complaint's pages only
  const code = (await a.textContent('#cpl-key .cpl-key')).trim();
  assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
  const cookies = await a.context().cookies(page);
  const c = cookies.find((x) => x.name === 'sigap_pelapor');
  assert.ok(c, 'no reporter cookie');
  assert.equal(c.path, url.pathname);
  assert.ok(c.httpOnly, 'the reporter cookie must be HttpOnly');
  assert.equal(c.value, code.replaceAll('-', ''));
  const other = await a.context().cookies(`${BASE}/t/${TENANT}/pengaduan/${Number(m[1]) + 1}`);
  assert.ok(!other.some((x) => x.name === 'sigap_pelapor'), 'the cookie is sent to another complaint');
  assert.equal(await a.evaluate(() => document.cookie.includes('sigap_pelapor')), false);
  // on the same phone the reply form is there at once; the page fits the phone's width
  await a.goto(page);
  assert.ok(await a.evaluate(() => document.documentElement.scrollWidth <= 360),
    'the complaint page is wider than the phone');
  assert.equal(await a.locator('#cpl-key').count(), 0, 'the code is shown on the confirmation page only');
  await a.fill('#b-text', 'Sudah tiga malam gelap total.');
  await submit(a, '#cpl-reply button[type="submit"]');
  assert.match(await a.textContent('.cpl-history'), /tiga malam gelap/);

  // another phone: no reply form until the code is entered; a wrong code is refused
  const b = await phone(t);
  await b.goto(page);
  assert.equal(await b.locator('#cpl-reply').count(), 0);
  await b.click('#cpl-claim summary');
  await b.fill('#k-kunci', '0000-0000-0000-0000-0000');
  await submit(b, '#cpl-claim button[type="submit"]');
  assert.match(await b.textContent('.alert'), /kode pelapor tidak cocok/);
  b.problems.length = 0; // the refusal is a 403 on purpose
  await b.click('#cpl-claim summary');
  await b.fill('#k-kunci', code.toLowerCase());
  await submit(b, '#cpl-claim button[type="submit"]');
  await b.fill('#b-text', 'Dari ponsel lain: masih mati.');
  await submit(b, '#cpl-reply button[type="submit"]');
  assert.match(await b.textContent('.cpl-history'), /ponsel lain/);
  // and the public never learns who it was
  assert.ok(!(await b.textContent('main')).includes(code), 'the code shown again');

  for (const pg of [a, b]) assert.deepEqual(pg.problems, [], 'console errors or failed requests');
});

test('a large photo is made smaller on the phone before it is sent', async (t) => {
  const w = await phone(t);
  await w.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  // a 3200x2400 "camera photo" (a PNG of several MB, more than the server's 5 MB limit for a
  // photo)
  const original = await bigPhoto(w, 3200, 2400);
  assert.ok(original.length > 5 * 1024 * 1024, `test photo only ${original.length} B`);
  await w.check('input[name="kind"][value="pengaduan"]');
  await w.fill('#title', 'Lampu jalan mati');
  await w.fill('#description', 'Lampu penerangan jalan di depan masjid mati sejak seminggu, jalan gelap sekali.');
  await w.selectOption('#category', 'pju');
  await w.fill('#address', 'Jl. Majapahit');
  await w.check('input[name="identity"][value="anonim"]');
  await w.setInputFiles('#photo1', { name: 'IMG_0001.png', mimeType: 'image/png', buffer: original });
  // the phone says what it did, in the citizen's language
  await w.waitForSelector('#photo1-note');
  assert.match(await w.textContent('#photo1-note'), /^Foto diperkecil agar hemat kuota: \d+\.\d MB → \d+ KB$/);
  await submit(w, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  const url = new URL(w.url());
  assert.match(url.pathname, /^\/t\/52\.71\/pengaduan\/\d+$/, await w.textContent('body'));
  // the stored photo is a JPEG of 1600x1200, a fraction of the original
  const img = w.locator('.cpl-photos img').first();
  await img.scrollIntoViewIfNeeded();
  await img.waitFor();
  await w.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  assert.deepEqual(await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]), [1600, 1200]);
  const photo = await w.request.get(`${BASE}${url.pathname}/foto/0`);
  assert.equal(photo.status(), 200);
  assert.equal(photo.headers()['content-type'], 'image/jpeg');
  const sent = (await photo.body()).length;
  t.diagnostic(`photo: ${original.length} B on the phone, ${sent} B sent and stored`);
  assert.ok(sent < original.length / 4, `stored photo is ${sent} B`);
  assert.deepEqual(w.problems, []);
});

test('a report is found by its number, the list goes by pages, a provinsi lists every village', async (t) => {
  const a = await phone(t);
  await a.goto(`${BASE}/t/${TENANT}/pengaduan`);
  assert.ok(await a.evaluate(() => document.documentElement.scrollWidth <= 360), 'the list is wider than the phone');
  // the number of a listed report, typed the way a phone keyboard does it
  const first = (await a.textContent('.cpl-items li small.who')).trim();
  const number = first.split(' · ')[0];
  assert.match(number, /^52\.71\/ADU\/\d{4}\/\d{6}$/);
  await a.fill('#nomor', ` ${number.toLowerCase()} `);
  await submit(a, 'form.cpl-lookup button[type="submit"]');
  assert.match(new URL(a.url()).pathname, /^\/t\/52\.71\/pengaduan\/\d+$/);
  assert.equal((await a.textContent('#cpl-number')).trim(), number);
  // a number that does not exist: said so, with what was typed still there
  await a.goto(`${BASE}/t/${TENANT}/pengaduan`);
  await a.fill('#nomor', '52.71/ADU/2020/999999');
  await submit(a, 'form.cpl-lookup button[type="submit"]');
  assert.match(await a.textContent('.alert'), /tidak ditemukan/);
  assert.equal(await a.inputValue('#nomor'), '52.71/ADU/2020/999999');
  a.problems.length = 0; // the 404 is on purpose
  // the kind filter
  await a.selectOption('#jenis', 'aspirasi');
  await submit(a, 'form.cpl-filter button[type="submit"]');
  assert.equal(new URL(a.url()).searchParams.get('jenis'), 'aspirasi');

  // the provinsi: every village of NTB, in groups by kecamatan and kabupaten/kota
  await a.goto(`${BASE}/t/52/pengaduan/baru`);
  const n = await a.locator('#kelurahan option[value^="52."]').count();
  assert.ok(n > 1000, `${n} villages`);
  const bima = await a.locator('#kelurahan option[value^="52.72."]').first().getAttribute('value');
  await a.selectOption('#kelurahan', bima);
  const label = await a.evaluate(() => document.querySelector('#kelurahan').selectedOptions[0].parentElement.label);
  assert.match(label, /^Kecamatan .+, Kota Bima$/);
  assert.ok(await a.evaluate(() => document.documentElement.scrollWidth <= 360), 'the form is wider than the phone');
  assert.deepEqual(a.problems, []);
});

test('"Pakai lokasi saya" fills the coordinates, or says what to do when the phone will not tell', async (t) => {
  // allowed: the fields are filled and the note says so
  const context = await newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'id-ID',
    geolocation: { latitude: -8.5837, longitude: 116.1165 }, permissions: ['geolocation'] });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  await page.click('#cpl-locate');
  await page.waitForFunction(() => document.getElementById('lat').value !== '');
  assert.equal(await page.inputValue('#lat'), '-8.583700');
  assert.equal(await page.inputValue('#long'), '116.116500');
  assert.match(await page.textContent('#cpl-locate-note'), /^Lokasi terisi: -8\.58370, 116\.11650$/);

  // refused: it used to do nothing visible; now the note says what to do instead
  const denied = await newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'id-ID' });
  t.after(() => denied.close());
  const p2 = await denied.newPage();
  await p2.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  await p2.click('#cpl-locate');
  await p2.waitForFunction(() => document.getElementById('cpl-locate-note').textContent !== '');
  assert.match(await p2.textContent('#cpl-locate-note'), /Lokasi tidak dapat diambil .*Pilih kelurahan atau isi alamat\./);
  assert.equal(await p2.inputValue('#lat'), '');
});
