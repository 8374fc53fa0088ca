// The public complaint list of a Pemda with many villages (the demo's provinsi, 52: over a
// thousand) on a phone, without JavaScript doing anything for it: the kecamatan first, "Tampilkan",
// then a select of that kecamatan's villages only; the page fits 360 px and stays small.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, phone, submit, fitsPhone } from './lib.mjs';

test('the kelurahan filter of a large Pemda is two steps on a phone', async (t) => {
  const page = await phone(t);
  const resp = await page.goto(`${BASE}/t/52/pengaduan`);
  assert.equal(resp.status(), 200);
  const bytes = (await resp.body()).length;
  t.diagnostic(`/t/52/pengaduan: ${bytes} B`);
  assert.ok(bytes < 12000, `${bytes} B`);
  await fitsPhone(page, 'the complaint list');
  assert.equal(await page.locator('#kelurahan').count(), 0);
  const kec = page.locator('#kecamatan');
  assert.ok(await kec.locator('option').count() > 100);
  // grouped by kabupaten/kota: a kecamatan of Kota Mataram
  const value = await kec.locator('optgroup[label="Kota Mataram"] option').first().getAttribute('value');
  assert.ok(value && value.startsWith('52.71.'), value);
  await kec.selectOption(value);
  await submit(page, '.cpl-filter button[type="submit"]');
  assert.equal(new URL(page.url()).searchParams.get('kecamatan'), value);
  const kel = page.locator('#kelurahan');
  const codes = await kel.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(codes.length > 0 && codes.every((c) => c.startsWith(value + '.')), codes.join(' '));
  await kel.selectOption(codes[0]);
  await submit(page, '.cpl-filter button[type="submit"]');
  assert.equal(new URL(page.url()).searchParams.get('kelurahan'), codes[0]);
  assert.equal(await page.locator('#kelurahan').inputValue(), codes[0]);
  await fitsPhone(page, 'the filtered list');
  assert.deepEqual(page.problems, []);
});
