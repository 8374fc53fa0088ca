// Accessibility check of the web UI with axe-core (npm axe-core, run inside Debian's chromium on a
// 360x740 phone, through Playwright and Node's test runner; started by tests/browser/run.sh with
// SIGAP_BASE_URL). The important pages are opened as an anonymous visitor and signed in as the
// citizen, the Sekda, officers and the administrator, and axe checks each against the WCAG 2.0 and
// 2.1 level A and AA rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa). A violation of impact
// "serious" or "critical" fails the test, listed with its rule id, help text and the selectors of
// the offending nodes; "moderate" and "minor" ones are printed as a summary (t.diagnostic) without
// failing, so they stay visible. Pages must also load cleanly (no failed request, no console error
// such as a CSP violation). axe is evaluated through the DevTools protocol, which the page's
// Content-Security-Policy does not govern, so the server needs no exception for it. Two AA checks
// axe does not make are added (ownChecks): form field border contrast and the language of links.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE, TENANT, phone, pathOf, signIn } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING = new Set(['serious', 'critical']);
const T = `/t/${TENANT}`;

// Runs axe on what the page shows now; returns its violations.
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), impact: n.impact, summary: n.failureSummary })),
    }));
  }, TAGS);
}

// Two WCAG AA checks axe does not make, in axe's shape: the border of a text field, select or text
// area must stand out 3:1 from the field's own background and from what is around it (1.4.11
// non-text contrast: on a white card the border is all that shows where to type), and a link in
// another language than the page's (the language switch) must say so with lang (3.1.2).
async function ownChecks(page) {
  return page.evaluate(() => {
    const rgba = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const bg = (el) => {
      for (; el; el = el.parentElement) {
        const c = rgba(getComputedStyle(el).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] === 1)) return c;
      }
      return [255, 255, 255];
    };
    const sel = (el) => el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.name ? `[name="${el.name}"]` : '');
    const out = [];
    const weak = [];
    for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file]), select, textarea')) {
      const cs = getComputedStyle(el);
      if (!el.getClientRects().length || cs.visibility === 'hidden' || parseFloat(cs.borderTopWidth) === 0) continue;
      const border = rgba(cs.borderTopColor);
      const r = Math.min(ratio(border, bg(el)), ratio(border, bg(el.parentElement)));
      if (r < 3) weak.push({ target: sel(el), summary: `border ${cs.borderTopColor}: ${r.toFixed(2)}:1` });
    }
    if (weak.length) out.push({ id: 'sigap-field-border-contrast', impact: 'serious', help: 'Form field borders must have a 3:1 contrast (WCAG 1.4.11)', nodes: weak });
    const page = document.documentElement.lang;
    const unmarked = [...document.querySelectorAll('a[hreflang]')].filter((a) => a.hreflang !== page && a.lang !== a.hreflang);
    if (unmarked.length) {
      out.push({ id: 'sigap-lang-of-parts', impact: 'serious', help: 'A link in another language must carry its lang (WCAG 3.1.2)',
        nodes: unmarked.map((a) => ({ target: `a[hreflang="${a.hreflang}"]`, summary: a.textContent })) });
    }
    return out;
  });
}

// Opens each path (or runs each step: a function that leaves the page where it should be checked),
// runs axe there, and fails the test at the end with every serious or critical violation found.
async function check(t, page, steps) {
  const failures = [];
  let pages = 0;
  for (const step of steps) {
    if (typeof step === 'string') {
      const res = await page.goto(BASE + step);
      assert.ok(res, `no answer for ${step}`);
    } else {
      await step(page);
    }
    const where = pathOf(page) + new URL(page.url()).search;
    pages++;
    for (const v of [...await axe(page), ...await ownChecks(page)]) {
      const line = `${where}: ${v.impact} ${v.id} (${v.nodes.length}x): ${v.help}`;
      if (FAILING.has(v.impact)) {
        failures.push(line + '\n' + v.nodes.map((n) => `      ${n.target}\n        ${(n.summary || '').replace(/\n/g, '\n        ')}`).join('\n'));
      } else {
        t.diagnostic(`a11y (not failing) ${line}: ${v.nodes.map((n) => n.target).slice(0, 5).join(' | ')}`);
      }
    }
  }
  t.diagnostic(`a11y: ${pages} pages checked, ${failures.length} serious or critical violations`);
  assert.equal(failures.length, 0, `serious or critical WCAG A/AA violations:\n  ${failures.join('\n  ')}`);
  assert.deepEqual(page.problems, []);
}

// The address of the first link on the current page whose path matches re.
async function firstLink(page, re, within = 'main') {
  const hrefs = await page.$$eval(`${within} a[href]`, (as) => as.map((a) => new URL(a.href).pathname));
  const href = hrefs.find((h) => re.test(h));
  assert.ok(href, `a link matching ${re} on ${pathOf(page)}`);
  return href;
}

// Goes to the first link on the page at path whose path matches re.
function follow(path, re) {
  return async (p) => { await p.goto(BASE + path); await p.goto(BASE + await firstLink(p, re)); };
}

// Fills a form and sends it as it is, without the browser's own checks (the server's answer with
// its message is what is checked).
async function send(page, form) {
  await page.$eval(form, (f) => { f.noValidate = true; });
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type="submit"]`)]);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

test('accessibility: the public pages (anonymous visitor)', async (t) => {
  // refusals asked for on purpose: a wrong password, a mistyped confirmation, a complaint without
  // text, numbers and a reset link that do not exist, a page that does not exist
  const page = await phone(t, (u, status) => (status === 401 && u.pathname.endsWith('/masuk')) ||
    (status === 400 && /\/(daftar|pengaduan\/baru)$/.test(u.pathname)) ||
    (status === 404 && /\/(lacak|pengaduan|lupa-sandi\/bukan-token|tidak-ada)$/.test(u.pathname)));
  await check(t, page, [
    '/',
    `${T}/`,
    `${T}/masuk`,
    async (p) => { // a wrong password
      await p.goto(`${BASE}${T}/masuk`);
      await p.fill('#username', 'bukan-pengguna');   // no demo account's lockout counter moves
      await p.fill('#password', 'salah-sekali');
      await send(p, 'form[action$="/masuk"]');
      assert.ok(await p.locator('[role="alert"]').count());
    },
    `${T}/daftar`,
    async (p) => { // a mistyped confirmation
      await p.goto(`${BASE}${T}/daftar`);
      await p.fill('#full_name', 'Lalu Muhammad Zaini');
      await p.fill('#username', 'aksesibel' + Date.now().toString(36));
      await p.fill('#password', 'kata-sandi-warga-1');
      await p.fill('#confirm', 'kata-sandi-warga-2');
      await send(p, 'form[action$="/daftar"]');
      assert.ok(await p.locator('[role="alert"]').count());
    },
    `${T}/lupa-sandi`,
    `${T}/lupa-sandi/bukan-token`,
    `${T}/layanan`,
    `${T}/layanan?q=akta`,
    follow(`${T}/layanan`, /\/layanan\/[a-z0-9-]+$/),
    `${T}/lacak`,
    `${T}/lacak?nomor=52.71/PMH/2020/999999`,
    `${T}/pengaduan/baru`,
    async (p) => { // a complaint without its text is refused, with the message
      await p.goto(`${BASE}${T}/pengaduan/baru`);
      await p.fill('#title', 'Lampu jalan mati');
      await send(p, 'form[action$="/pengaduan/baru"]');
      assert.ok(await p.locator('[role="alert"]').count());
    },
    async (p) => { // an anonymous complaint: the page that shows the reporter code
      await p.goto(`${BASE}${T}/pengaduan/baru`);
      await p.check('input[name="identity"][value="anonim"]');
      await p.fill('#title', 'Trotoar berlubang');
      await p.fill('#description', 'Trotoar di depan sekolah berlubang besar, anak-anak harus turun ke jalan.');
      await p.selectOption('#kelurahan', '52.71.02.1011');
      await p.fill('#address', 'Jl. Pejanggik');
      await send(p, 'form[action$="/pengaduan/baru"]');
      assert.match(pathOf(p), /\/pengaduan\/\d+$/, await p.locator('main').textContent());
      assert.ok(await p.locator('#cpl-key').count());
    },
    `${T}/pengaduan`,
    `${T}/pengaduan?nomor=52.71/ADU/2020/999999`,
    follow(`${T}/pengaduan`, /\/pengaduan\/\d+$/),
    `${T}/kinerja/ikm`,
    `${T}/jdih`,
    follow(`${T}/jdih`, /\/verifikasi\/[0-9a-f]+$/),
    `${T}/tidak-ada`,
    `${T}/privasi`,
    `${T}/akun/dihapus`,
    async (p) => { // in English too
      await p.goto(`${BASE}/bahasa/en?next=${T}/layanan`);
      assert.equal(await p.getAttribute('html', 'lang'), 'en');
    },
    `${T}/pengaduan/baru`,
  ]);
});

test('accessibility: the citizen\'s pages (warga)', async (t) => {
  const page = await phone(t);
  await signIn(page, 'warga');
  await check(t, page, [
    `${T}/dasbor`,
    `${T}/layanan/ktp-el/ajukan`,
    async (p) => { // an application: its page with the number, QR code and history
      await p.goto(`${BASE}${T}/layanan/ktp-el/ajukan`);
      await p.fill('#f-nama', 'Baiq Nurul Aini');
      await p.fill('#f-nik_pemohon', '5271014101900001');
      await p.selectOption('#f-alasan', 'Baru');
      await p.setInputFiles('#f-kk', { name: 'kk.pdf', mimeType: 'application/pdf', buffer: PDF });
      await send(p, 'form[action$="/ajukan"]');
      assert.match(pathOf(p), /\/permohonan\/\d+$/);
    },
    `${T}/permohonan`,
    `${T}/pengaduan/baru`,
    `${T}/pengaduan/kelola`, // "Laporan saya", with the reports the citizen follows
    `${T}/akun/sandi`,
    `${T}/akun/dua-langkah`,
    `${T}/akun`,
    `${T}/akun/hapus`,
  ]);
});

test('accessibility: the Sekda\'s dashboard, performance and proposals', async (t) => {
  const page = await phone(t);
  await signIn(page, 'sekda');
  await check(t, page, [
    `${T}/dasbor`,
    `${T}/kinerja`,
    `${T}/usulan`,
    follow(`${T}/usulan`, /\/usulan\/\d+$/),
    async (p) => { // one waiting for the Sekda's recommendation: the signing form
      await p.goto(`${BASE}${T}/usulan`);
      await p.goto(BASE + await firstLink(p, /\/usulan\/\d+$/, '#inbox'));
      assert.ok(await p.locator('#form-saran').count());
    },
    `${T}/usulan/rekap`,
    `${T}/kunci-tanda-tangan`,
    `${T}/admin/audit`,
  ]);
});

test('accessibility: the officers\' work pages', async (t) => {
  const k = await phone(t);
  await signIn(k, 'koordinator');
  await check(t, k, [
    `${T}/dasbor`,
    `${T}/pengaduan/kelola`,
    follow(`${T}/pengaduan/kelola`, /\/pengaduan\/\d+$/),
    `${T}/pengaduan/pengaturan`,
  ]);
  const o = await phone(t);
  await signIn(o, 'petugas');
  await check(t, o, [`${T}/antrian`, `${T}/pengaduan/kelola`]);
  const h = await phone(t);
  await signIn(h, 'kepala_opd');
  await check(t, h, [`${T}/antrian`, `${T}/kinerja`, `${T}/usulan/baru`]);
  const w = await phone(t);
  await signIn(w, 'wakil');
  await check(t, w, [follow(`${T}/usulan`, /\/usulan\/\d+$/)]);
});

test('accessibility: the administration pages (admin)', async (t) => {
  const page = await phone(t);
  await signIn(page, 'admin');
  await check(t, page, [
    `${T}/admin`,
    `${T}/admin/pengguna`,
    `${T}/admin/pengguna/petugas`,
    `${T}/admin/pengguna/petugas/status`,
    `${T}/admin/opd`,
    follow(`${T}/admin/opd`, /\/admin\/opd\/[A-Z0-9_-]+$/),
    `${T}/admin/kunci-api`,
    async (p) => { // a new key, shown once
      await p.goto(`${BASE}${T}/admin/kunci-api`);
      await p.fill('#name', 'Uji aksesibilitas ' + Date.now().toString(36));
      await send(p, 'form[action$="/admin/kunci-api"]');
      assert.ok(await p.locator('#apikey').count());
    },
    `${T}/admin/webhook`,
    async (p) => { // a refused URL: the message above the form
      await p.goto(`${BASE}${T}/admin/webhook`);
      await p.fill('#url', 'https://127.0.0.1/hook');
      await send(p, 'form[action$="/admin/webhook"]');
      assert.ok(await p.locator('.alert').count());
      const i = p.problems.indexOf(`400 ${T}/admin/webhook`); // the refusal is a 400 on purpose
      if (i >= 0) p.problems.splice(i, 1);
    },
    async (p) => { // a new webhook, its secret shown once (a public literal address: no lookup)
      await p.goto(`${BASE}${T}/admin/webhook`);
      await p.fill('#url', 'https://93.184.216.34/uji-aksesibilitas');
      await send(p, 'form[action$="/admin/webhook"]');
      assert.ok(await p.locator('#secret').count());
    },
    follow(`${T}/admin/webhook`, /\/admin\/webhook\/\d+\/hapus$/),
    async (p) => { // and removed again: the sweeps must not try to reach it
      await send(p, 'form[action$="/hapus"]');
      assert.ok(await p.locator('.notice').count());
    },
    `${T}/admin/hari-libur`,
    `${T}/admin/privasi`,
    `${T}/admin/audit`,
    `${T}/admin/layanan`,
    `${T}/admin/layanan/baru`,
    follow(`${T}/admin/layanan`, /\/admin\/layanan\/(?!baru$)[a-z0-9-]+$/),
  ]);
});
