// A working day of the officials of Kota Mataram on a 360 px phone, the findings of walking through
// it: the complaint page's facts read as lines (their values stood one letter a line), the work
// queue's rows are cards with their deadline in working days, the most overdue first; the
// coordinator merges a duplicate by the tracking number the page shows, after a question that
// names the complaint it goes into; an application is not transferred to another OPD by one tap
// on "Teruskan" (the first OPD was preselected); a rejection, which cannot be undone, asks for a
// tick first and keeps the reason typed; the audit log pages back past its newest 100 entries and
// filters by action, on a phone. Run through tests/browser/run.sh.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, PHONE, phone, submit, signIn, fitsPhone } from './lib.mjs';

async function login(page, username) {
  await signIn(page, username);
  assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/dasbor`);
}

// Files a complaint through the web form as whoever page is signed in as; returns its path and number.
async function file(page, title, description) {
  await page.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  await page.check('input[name="kind"][value="pengaduan"]');
  await page.fill('#title', title);
  await page.fill('#description', description);
  await page.selectOption('#kelurahan', '52.71.02.1011');
  await page.fill('#address', 'Jl. Pejanggik');
  await submit(page, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  const path = new URL(page.url()).pathname;
  assert.match(path, /^\/t\/52\.71\/pengaduan\/\d+$/);
  return { path, number: (await page.textContent('#cpl-number')).trim() };
}

test('the complaint page and the queue read on a phone, deadlines in working days', async (t) => {
  const k = await phone(t);
  await login(k, 'koordinator');
  await k.goto(`${BASE}/t/${TENANT}/pengaduan/kelola`);
  await fitsPhone(k, 'the complaint queue');
  // a row is a card: the status is not broken into letters, the deadline says how far it is
  const row = k.locator('main table tbody tr').first();
  const status = row.locator('td').nth(3);
  const sb = await status.boundingBox();
  assert.ok(sb.width > 150, `the queue's status cell is ${sb.width}px wide`);
  const due = (await row.locator('td').nth(4).textContent()).trim();
  assert.match(due, /(hari kerja|hari ini|terlambat)/, due);
  // the first complaint waiting for verification: its facts are lines, the number on one or two
  await k.goto(`${BASE}/t/${TENANT}/pengaduan/kelola?status=baru`);
  await submit(k, k.locator('main table tbody tr a').first());
  await fitsPhone(k, 'the complaint page');
  const nb = await k.locator('#cpl-number').boundingBox();
  assert.ok(nb.width >= 120, `the tracking number is ${nb.width}px wide`);
  assert.ok(nb.height <= 60, `the tracking number is ${nb.height}px high (one letter a line?)`);
  assert.match(await k.textContent('#cpl-verify-due'), /WITA \((\d+ hari kerja tersisa|1 hari kerja tersisa|batas waktunya hari ini|terlambat.*)\)/);
  assert.deepEqual(k.problems, [], 'console errors or failed requests');
});

test('the coordinator merges a duplicate by its number, after a question that names it', async (t) => {
  const k = await phone(t);
  await login(k, 'koordinator');
  const main = await file(k, 'Got tersumbat di Jl. Pejanggik',
    'Saluran got di depan toko tersumbat sampah, air meluap ke jalan setiap hujan.');
  const dup = await file(k, 'Got meluap di Pejanggik',
    'Got di Jl. Pejanggik meluap lagi karena tersumbat sampah, jalan tergenang.');
  await k.goto(`${BASE}${dup.path}`);
  // with the coordinator (baru) or already with an OPD (auto-routed): either merge form
  const field = (await k.locator('#m-into').count()) ? '#m-into' : '#mo-into';
  await k.fill(field, main.number.toLowerCase());
  await submit(k, k.locator(`form:has(${field}) button[type="submit"]`));
  // the question comes first, on the first screen, naming where it goes; nothing merged yet
  assert.equal(new URL(k.url()).pathname, `${dup.path}/aksi`);
  const box = await k.locator('#cpl-confirm').boundingBox();
  assert.ok(box && box.y < PHONE.height, 'the question is not on the first screen');
  const target = await k.textContent('#cpl-confirm-target');
  assert.ok(target.includes(main.number) && target.includes('Got tersumbat di Jl. Pejanggik'), target);
  assert.notEqual((await k.textContent('#cpl-status')).trim(), 'Digabung');
  await submit(k, '#cpl-confirm button[type="submit"]');
  assert.equal(new URL(k.url()).pathname, dup.path);
  assert.equal((await k.textContent('#cpl-status')).trim(), 'Digabung');
  assert.match(await k.textContent('main'), new RegExp(main.number.replace(/\./g, '\\.')));
  assert.deepEqual(k.problems, [], 'console errors or failed requests');
});

// The demo citizen files a KTP-el application through the API; returns its id.
async function fileApplication(t) {
  const w = await phone(t);
  await login(w, 'warga');
  await w.goto(`${BASE}/t/${TENANT}/akun/sandi`);
  const csrf = await w.inputValue('input[name="_csrf"]');
  const res = await w.request.post(`${BASE}/api/v1/t/${TENANT}/applications`, {
    headers: { 'X-CSRF-Token': csrf },
    data: {
      service: 'ktp-el', values: { nama: 'Baiq Nurul Aini', nik_pemohon: '5271014101900001', alasan: 'Baru' },
      files: { kk: { filename: 'kk.pdf', content_base64: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64') } },
    },
  });
  assert.equal(res.status(), 201, await res.text());
  const { id } = await res.json();
  return id;
}

test('one tap on "Teruskan" does not send an application to another OPD', async (t) => {
  const id = await fileApplication(t);
  const p = await phone(t);
  await login(p, 'petugas');
  const page = `${BASE}/t/${TENANT}/permohonan/${id}`;
  await p.goto(page);
  assert.equal(await p.inputValue('#t-trf'), '');
  await p.click('form:has(#t-trf) button[type="submit"]');
  // the browser asks for a choice; the page stays and the application with this OPD
  assert.equal(p.url(), page);
  assert.equal(await p.evaluate(() => document.querySelector('#t-trf').validity.valueMissing), true);
  await p.reload();
  assert.ok(await p.locator('#t-trf').count(), 'the officer lost the application');
  assert.deepEqual(p.problems, [], 'console errors or failed requests');
});

test('a rejection asks for a tick first, and the reason typed stays', async (t) => {
  const id = await fileApplication(t);
  // the 400 below is the refusal this test causes
  const p = await phone(t, (u, s) => s === 400 && u.pathname.endsWith(`/permohonan/${id}/aksi`));
  await login(p, 'petugas');
  const page = `${BASE}/t/${TENANT}/permohonan/${id}`;
  await p.goto(page);
  await p.fill('#t-rej', 'KK tidak sesuai dengan data kependudukan');
  await p.click('#tolak button[type="submit"]');
  // the browser asks for the tick: nothing is sent
  assert.equal(p.url(), page);
  assert.equal(await p.evaluate(() => document.querySelector('#tolak input[name="yakin"]').validity.valueMissing), true);
  // a browser that does not check (or an old page): the server asks, at the form, the reason kept
  await p.evaluate(() => document.querySelector('#tolak input[name="yakin"]').removeAttribute('required'));
  await submit(p, '#tolak button[type="submit"]');
  assert.match(await p.textContent('#tolak .alert'), /Ya, tolak permohonan ini/);
  assert.equal(await p.inputValue('#t-rej'), 'KK tidak sesuai dengan data kependudukan');
  await fitsPhone(p, 'the application page with the refusal');
  await p.check('#tolak input[name="yakin"]');
  await submit(p, '#tolak button[type="submit"]');
  assert.match(await p.textContent('.svc-state'), /Ditolak/);
  assert.deepEqual(p.problems, [], 'console errors or failed requests');
});

test('the audit log pages back and filters on a phone', async (t) => {
  const p = await phone(t);
  await login(p, 'sekda');
  await p.goto(`${BASE}/t/${TENANT}/admin/audit`);
  await fitsPhone(p, 'the audit log');
  const newest = Number((await p.locator('main table tbody tr td').first().textContent()).replace('#', ''));
  await submit(p, '#audit-older');
  const first = Number((await p.locator('main table tbody tr td').first().textContent()).replace('#', ''));
  assert.ok(first <= newest - 100, `the older page starts at #${first}, the newest was #${newest}`);
  await p.fill('#a-action', 'complaints.');
  await submit(p, '#audit-filter button[type="submit"]');
  const actions = await p.locator('main table tbody td[data-label="Tindakan"]').allTextContents();
  assert.ok(actions.length > 0 && actions.every((a) => a.startsWith('complaints.')), actions.join(', '));
  assert.equal(await p.inputValue('#a-action'), 'complaints.');
  await fitsPhone(p, 'the filtered audit log');
  assert.deepEqual(p.problems, [], 'console errors or failed requests');
});
