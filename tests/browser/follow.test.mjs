// "Never report the same thing twice", on a phone: a citizen starts typing a report, the form
// shows the similar one already filed ("Laporan serupa yang sudah ada"), the citizen follows it
// ("Saya juga mengalami ini") instead of filing, finds it on "Laporan saya", and later sees its
// answer and is notified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, phone, submit, signIn, fitsPhone } from './lib.mjs';

test('a citizen follows a similar report instead of filing it again, and sees its answer', async (t) => {
  // (rubbish: a category no other journey files in, so that its answer is offered to none of theirs)
  const tag = `tumpukan${Date.now() % 100000}`;
  // someone reported the pile of rubbish already
  const w = await phone(t);
  await w.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  await w.check('input[name="kind"][value="pengaduan"]');
  await w.check('input[name="identity"][value="anonim"]');
  await w.fill('#title', `Sampah ${tag} menumpuk`);
  await w.fill('#description', `Sampah ${tag} menumpuk di pinggir lapangan, belum diangkut petugas sepekan, baunya menyengat.`);
  await w.selectOption('#category', 'sampah');
  await w.selectOption('#kelurahan', '52.71.02.1011');
  await submit(w, 'form[action$="/pengaduan/baru"] button[type="submit"]');
  const first = new URL(w.url()).pathname;
  assert.match(first, /^\/t\/52\.71\/pengaduan\/\d+$/);
  const number = (await w.textContent('#cpl-number')).trim();

  // a citizen starts to report the same pile
  const c = await phone(t);
  await signIn(c, 'warga');
  await c.goto(`${BASE}/t/${TENANT}/pengaduan/baru`);
  assert.equal(await c.locator('#cpl-similar-open').isVisible(), false);
  await c.selectOption('#category', 'sampah');
  await c.selectOption('#kelurahan', '52.71.02.1011');
  await c.fill('#description', `Sampah ${tag} menumpuk di pinggir lapangan sudah sepekan belum diangkut, bau sekali.`);
  await c.locator('#cpl-similar-open').waitFor({ state: 'visible' });
  const item = c.locator('#cpl-similar-open li', { hasText: number });
  await item.waitFor();
  assert.match(await item.textContent(), new RegExp(`Sampah ${tag} menumpuk`));
  await fitsPhone(c, 'the intake form with a similar report');
  // follows it instead of filing
  await submit(c, item.locator('a.cpl-follow-link'));
  assert.equal(new URL(c.url()).pathname, first);
  assert.match(await c.textContent('#cpl-follow'), /Saya juga mengalami ini/);
  await submit(c, '#cpl-follow-btn');
  assert.match(await c.textContent('p.notice'), /Anda mengikuti laporan ini/);
  assert.match(await c.textContent('#cpl-followers'), /1 warga juga mengalami ini/);
  assert.equal(await c.locator('#cpl-unfollow-btn').count(), 1);
  await fitsPhone(c, 'the complaint page followed');
  // "Laporan saya" lists it under the reports the citizen follows
  await c.goto(`${BASE}/t/${TENANT}/pengaduan/kelola`);
  assert.match(await c.textContent('#cpl-followed'), new RegExp(`${number}.*Sampah ${tag} menumpuk`));
  await fitsPhone(c, '"Laporan saya" with a followed report');

  // the coordinator sees the count, sends it on and answers it
  const k = await phone(t);
  await signIn(k, 'koordinator');
  await k.goto(`${BASE}${first}`);
  assert.match(await k.textContent('#cpl-followers'), /1 warga juga mengalami ini/);
  if (await k.locator('#cpl-verify').count()) {
    await k.selectOption('#v-category', 'sampah');
    await submit(k, '#cpl-verify form:has(input[value="verifikasi"]) button[type="submit"]');
  }
  await k.fill('#a-text', `Sampah ${tag} sudah diangkut petugas DLH.`);
  await submit(k, '#cpl-answer-form button[type="submit"]');

  // later the citizen sees the answer, and the notification about it
  await c.goto(`${BASE}${first}`);
  assert.equal((await c.textContent('#cpl-status')).trim(), 'Dijawab');
  assert.match(await c.textContent('#cpl-answer'), new RegExp(`Sampah ${tag} sudah diangkut`));
  await c.goto(`${BASE}/t/${TENANT}/dasbor`);
  assert.match(await c.textContent('body'), /Laporan yang Anda ikuti telah dijawab/);
  await fitsPhone(c, 'the dashboard with the notification');

  for (const pg of [w, c, k]) assert.deepEqual(pg.problems, [], 'console errors or failed requests');
});
