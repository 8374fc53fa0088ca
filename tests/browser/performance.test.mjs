// Browser tests of the performance dashboard on a phone, driven by Playwright (playwright-core)
// on Debian's /usr/bin/chromium (see tests/browser/run.sh): the Sekda opens the dashboard, sees
// the summary figures and the server-drawn SVG charts, each with an accessible name (its
// <title>) and a data table behind a <details> toggle; nothing is wider than the phone; the
// page loads without console errors (no CSP violation: the charts use no inline style or
// script); the filter form changes the period; a kepala OPD sees only their own OPD.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, PASSWORD, PHONE, phoneContext } from './lib.mjs';

async function login(page, username) {
  await page.goto(`${BASE}/t/${TENANT}/masuk`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForNavigation(),
    page.click('form[action$="/masuk"] button[type="submit"]'),
  ]);
}

test('the Sekda reads the performance dashboard on a phone', async (t) => {
  const page = await phoneContext(t);
  await login(page, 'sekda');
  // listen after login: the browser's own favicon.ico probe (404) is not ours
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(String(err)));
  const resp = await page.goto(`${BASE}/t/${TENANT}/kinerja`);
  assert.equal(resp.status(), 200);
  assert.equal((await page.textContent('main h1')).trim(), 'Kinerja pelayanan');
  // summary figures
  for (const label of ['Diterima', 'Selesai', 'Tepat waktu (%)', 'Median (hari kerja)', 'Terlambat']) {
    assert.equal(await page.locator('.perf-cards .perf-label', { hasText: label }).count() >= 1, true, label);
  }
  // every chart is an image with a name, and has its numbers as a table
  const charts = page.getByRole('img');
  assert.ok(await charts.count() >= 4, 'four charts');
  assert.equal(await page.getByRole('img', { name: 'Penyelesaian tepat waktu (%)' }).count(), 1);
  assert.equal(await page.getByRole('img', { name: 'Tren bulanan' }).count(), 1);
  const details = page.locator('details.chart-data').first();
  await details.locator('summary').click();
  assert.ok(await details.locator('table').isVisible());
  // nothing wider than the phone
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= PHONE.width, `dashboard is ${scrollWidth}px wide on a ${PHONE.width}px phone`);
  // the filter: weekly trend
  await page.selectOption('#tren', 'minggu');
  await Promise.all([page.waitForNavigation(), page.click('form.perf-filter button[type="submit"]')]);
  assert.match(page.url(), /tren=minggu/);
  assert.equal(await page.getByRole('img', { name: 'Tren mingguan' }).count(), 1);
  assert.deepEqual(problems, []);
});

test('a kepala OPD sees only their own OPD', async (t) => {
  const page = await phoneContext(t);
  await login(page, 'kepala_opd');
  const resp = await page.goto(`${BASE}/t/${TENANT}/kinerja`);
  assert.equal(resp.status(), 200);
  assert.match(await page.textContent('main h1'), /DISDUKCAPIL/);
  assert.equal(await page.locator('#opd').count(), 0, 'no OPD chooser');
  const other = await page.goto(`${BASE}/t/${TENANT}/kinerja?opd=DLH`);
  assert.equal(other.status(), 403);
});
