// A kepala OPD who lost the passphrase of their signing key replaces it on a phone
// (docs/governance.md, "Replacing a lost key"): asks with the account's password, the Sekda
// approves by signing with their own key, a day passes (the approval's time moved back in the
// database: the test clock of these journeys), the new key is made and signs a proposal.
// Run through run.sh, which gives the database (SIGAP_TEST_DB) and the binary (SIGAP_TEST_BIN).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, TENANT, PASSWORD, phone, submit, signIn, fitsPhone } from './lib.mjs';

const DB = process.env.SIGAP_TEST_DB;
const BIN = process.env.SIGAP_TEST_BIN;
const KEYS = `${BASE}/t/${TENANT}/kunci-tanda-tangan`;
const ACCOUNT_PASSWORD = 'rahasia-panjang-1';
const OLD_PASS = 'frasa-sandi-lama-2026';
const NEW_PASS = 'frasa-sandi-baru-2026';

function sql(query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', DB, query], { encoding: 'utf8' }).trim();
}

test('a lost passphrase: asked, approved by the Sekda, a day later a new key that signs', async (t) => {
  assert.ok(DB && BIN, 'run through tests/browser/run.sh (SIGAP_TEST_DB, SIGAP_TEST_BIN)');
  const user = `kunci${process.pid}`;
  execFileSync(BIN, ['user', 'add', '--tenant', TENANT, '--username', user, '--name', 'Kepala Dinas Uji',
    '--role', 'kepala_opd', '--unit', 'DISDUKCAPIL', '--db', DB], { input: ACCOUNT_PASSWORD + '\n' });

  // the official's first key
  const opd = await phone(t);
  await signIn(opd, user, ACCOUNT_PASSWORD);
  await opd.goto(KEYS);
  await opd.fill('#passphrase', OLD_PASS);
  await opd.fill('#confirm', OLD_PASS);
  await submit(opd, 'form[action$="/kunci-tanda-tangan"] button[type="submit"]');
  assert.match(await opd.textContent('[role="status"]'), /kunci tanda tangan dibuat/);

  // the passphrase is lost: the replacement asked, with the account's password
  await opd.fill('#minta-ganti #password', ACCOUNT_PASSWORD);
  await submit(opd, '#minta-ganti button[type="submit"]');
  assert.match(await opd.textContent('[role="status"]'), /permintaan penggantian kunci dikirim/);
  assert.match(await opd.textContent('#penggantian'), /Menunggu persetujuan: Sekretaris Daerah/);
  await fitsPhone(opd, 'the key page with a request');
  const id = sql(`SELECT id FROM governance_key_requests WHERE username = '${user}'`);
  assert.match(id, /^\d+$/);

  // the Sekda approves it with their own key
  const sekda = await phone(t);
  await signIn(sekda, 'sekda');
  await sekda.goto(KEYS);
  const form = sekda.locator(`form[action$="/ganti/${id}/setujui"]`);
  assert.match(await form.textContent(), new RegExp(user));
  await form.locator('input[name="passphrase"]').fill(PASSWORD);
  await submit(sekda, form.locator('button[type="submit"]'));
  assert.match(await sekda.textContent('[role="status"]'), /penggantian kunci disetujui dan ditandatangani/);

  // no new key yet: the day has not passed
  await opd.goto(KEYS);
  assert.equal(await opd.locator('#confirm').count(), 0);
  assert.match(await opd.textContent('#ready'), /Kunci baru dapat dibuat mulai/);

  // a day later (the test clock), the new key
  sql(`UPDATE governance_key_requests SET approved_at = approved_at - 86400 WHERE id = ${id}`);
  await opd.goto(KEYS);
  await opd.fill('#passphrase', NEW_PASS);
  await opd.fill('#confirm', NEW_PASS);
  await submit(opd, 'form[action$="/kunci-tanda-tangan"] button[type="submit"]');
  assert.match(await opd.textContent('[role="status"]'), /kunci tanda tangan dibuat/);

  // and it signs
  await opd.goto(`${BASE}/t/${TENANT}/usulan/baru`);
  await opd.fill('#title', 'Diajukan dengan kunci pengganti');
  await opd.fill('#background', 'Kunci lama hilang frasa sandinya.');
  await opd.fill('#proposed', 'Uji kunci pengganti.');
  await submit(opd, 'form[action$="/usulan"] button[type="submit"]');
  await opd.fill('#form-ajukan #passphrase', NEW_PASS);
  await submit(opd, '#form-ajukan button[type="submit"]');
  assert.match(await opd.textContent('[role="status"]'), /tindakan tersimpan dan ditandatangani/);
  assert.match(await opd.textContent('main'), /Semua tanda tangan sah/);
  assert.deepEqual(opd.problems, []);
  assert.deepEqual(sekda.problems, []);
});
