// Whoever answers a complaint is offered what the Pemda already answered to complaints like it:
// on a phone, the coordinator opens the earlier answer, puts it into the answer field with the
// button (asked first, since something is typed there), adapts it and sends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, phone, submit, signIn, fitsPhone } from './lib.mjs';

async function fileComplaint(page, title, description) {
  await page.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  await page.check('input[name="kind"][value="pengaduan"]');
  await page.check('input[name="identity"][value="anonim"]');
  await page.fill('#title', title);
  await page.fill('#description', description);
  await page.selectOption('#category', 'drainase');
  await page.selectOption('#kelurahan', '52.71.02.1011');
  await submit(page, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  const m = new URL(page.url()).pathname.match(/^\/t\/52\.71\/pengaduan\/(\d+)$/);
  assert.ok(m, page.url());
  return `${BASE}${m[0]}`;
}

// The coordinator makes sure the complaint is with the OPD (verifying it unless it was routed
// there already), so that the answer form is on the page.
async function withOpd(k, page) {
  await k.goto(page);
  if (await k.locator('#cpl-verify').count()) {
    await k.selectOption('#v-category', 'drainase');
    await submit(k, '#cpl-verify form:has(input[value="verifikasi"]) button[type="submit"]');
  }
  assert.equal((await k.textContent('#cpl-status')).trim(), 'Ditangani OPD');
}

test('an earlier answer to a similar complaint is offered and put into the answer field', async (t) => {
  const tag = `gorong${Date.now() % 100000}`;
  const w = await phone(t);
  const first = await fileComplaint(w, `Saluran ${tag} tersumbat`,
    `Saluran air ${tag} di depan sekolah tersumbat sampah, banjir setiap hujan deras.`);
  const k = await phone(t);
  await signIn(k, 'koordinator');
  await withOpd(k, first);
  // nothing answered like it yet: nothing offered
  assert.equal(await k.locator('#cpl-similar-h').count(), 0);
  await k.fill('#a-text', `Saluran ${tag} sudah dibersihkan oleh tim DPUPR.\nTerima kasih atas laporannya.`);
  await submit(k, '#cpl-answer-form button[type="submit"]');

  const second = await fileComplaint(w, `Saluran ${tag} tersumbat lagi`,
    `Saluran air ${tag} dekat sekolah tersumbat sampah lagi, banjir setiap hujan.`);
  await withOpd(k, second);
  assert.match(await k.textContent('#cpl-similar-h'), /Jawaban atas pengaduan serupa/);
  await fitsPhone(k, 'the complaint page with similar answers');
  const item = k.locator('.cpl-similar li', { hasText: `Saluran ${tag} tersumbat` }).first();
  await item.locator('summary').click();
  assert.match(await item.locator('.cpl-pre').textContent(), /sudah dibersihkan oleh tim DPUPR/);
  // something typed already: the button asks first; declined, the text stays
  await k.fill('#a-text', 'Catatan awal saya');
  k.once('dialog', (d) => d.dismiss());
  await item.locator('button.cpl-use').click();
  assert.equal(await k.inputValue('#a-text'), 'Catatan awal saya');
  k.once('dialog', (d) => d.accept());
  await item.locator('button.cpl-use').click();
  assert.equal(await k.inputValue('#a-text'), `Saluran ${tag} sudah dibersihkan oleh tim DPUPR.\nTerima kasih atas laporannya.`);
  assert.equal(await k.evaluate(() => document.activeElement.id), 'a-text');
  await k.fill('#a-text', (await k.inputValue('#a-text')) + '\nPembersihan berkala dijadwalkan bulanan.');
  await submit(k, '#cpl-answer-form button[type="submit"]');
  assert.equal((await k.textContent('#cpl-status')).trim(), 'Dijawab');
  assert.match(await k.textContent('#cpl-answer'), /sudah dibersihkan[\s\S]*dijadwalkan bulanan/);

  for (const pg of [w, k]) assert.deepEqual(pg.problems, [], 'console errors or failed requests');
});
