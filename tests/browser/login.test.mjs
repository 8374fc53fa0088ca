// Browser tests of sigap's login flow, driven by Playwright (the playwright-core package only,
// no downloaded browsers) on Debian's /usr/bin/chromium, and run with Node's built-in test
// runner. They check what a person on a phone sees: the Indonesian login page, a successful
// login as the demo Sekda landing on the dashboard with name and role, logout, the error shown
// for a wrong password, the switch to English, and that the login page loads cleanly (no failed
// request, no console error such as a CSP violation), stays small and comes gzipped.
//
// The server is not started here: tests/browser/run.sh starts sigap on a demo database and passes
// its base URL in SIGAP_BASE_URL (e.g. http://127.0.0.1:43127). SIGAP_CHROMIUM overrides the
// browser path, SIGAP_SCREENSHOT the path of the dashboard screenshot.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TENANT, PASSWORD, PHONE, phoneContext } from './lib.mjs';

const SCREENSHOT = process.env.SIGAP_SCREENSHOT || '/tmp/sigap-dashboard.png';
const LOGIN = `/t/${TENANT}/masuk`;
const DASHBOARD = `/t/${TENANT}/dasbor`;
const HOME = `/t/${TENANT}/`;
const MAX_LOGIN_BYTES = 20 * 1024;

function path(page) {
  return new URL(page.url()).pathname;
}

async function login(page, username, password) {
  await page.goto(BASE + LOGIN);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForNavigation(),
    page.click('form[action$="/masuk"] button[type="submit"]'),
  ]);
}

test('sekda logs in on a phone, sees the dashboard, and logs out', async (t) => {
  const page = await phoneContext(t);
  await page.goto(BASE + LOGIN);
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  assert.match(await page.title(), /^Masuk\b/);
  assert.equal((await page.textContent('main h1')).trim(), 'Masuk');
  assert.equal((await page.textContent('label[for="username"]')).trim(), 'Nama pengguna');
  assert.equal((await page.textContent('label[for="password"]')).trim(), 'Kata sandi');

  await login(page, 'sekda', PASSWORD);
  assert.equal(path(page), DASHBOARD);
  assert.match(await page.title(), /^Dasbor\b/);
  const who = await page.textContent('main');
  assert.match(who, /Lalu Sukri Hamzah/);
  assert.match(who, /Sekretaris Daerah/);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // Nothing on the dashboard may be wider than the phone (no sideways scrolling).
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= PHONE.width, `dashboard is ${scrollWidth}px wide on a ${PHONE.width}px phone`);

  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Keluar' }).click(),
  ]);
  assert.equal(path(page), HOME);
  assert.equal(await page.getByRole('button', { name: 'Keluar' }).count(), 0);

  // The session is gone: the dashboard sends us back to the login page.
  await page.goto(BASE + DASHBOARD);
  assert.equal(path(page), LOGIN);
  assert.equal((await page.textContent('main h1')).trim(), 'Masuk');
});

test('a wrong password shows the Indonesian error and stays on the login page', async (t) => {
  const page = await phoneContext(t);
  await login(page, 'sekda', 'bukan-sandi-yang-benar');
  assert.equal(path(page), LOGIN);
  const alert = page.getByRole('alert');
  assert.equal(await alert.count(), 1);
  assert.equal((await alert.textContent()).trim(), 'nama pengguna atau kata sandi salah');
  // The username is kept, the password is not.
  assert.equal(await page.inputValue('#username'), 'sekda');
  assert.equal(await page.inputValue('#password'), '');
  assert.equal(await page.getByRole('button', { name: 'Keluar' }).count(), 0);
});

test('the English link in the header switches the page language to en', async (t) => {
  const page = await phoneContext(t);
  await page.goto(BASE + LOGIN);
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  await Promise.all([
    page.waitForNavigation(),
    page.click('header a[hreflang="en"]'),
  ]);
  assert.equal(path(page), LOGIN, 'the language switch returns to the same page');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.notEqual((await page.textContent('label[for="username"]')).trim(), 'Nama pengguna');
  // And back again.
  assert.equal(await page.locator('header a[hreflang="id"]').count(), 1);
});

test('the login page loads cleanly and is small', async (t) => {
  const page = await phoneContext(t);
  const problems = [];
  const responses = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    responses.push(res);
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });

  await page.goto(BASE + LOGIN, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, []);

  // The stylesheet really applied (a CSP block would leave the default styles).
  const cssLoaded = responses.some((r) => new URL(r.url()).pathname.endsWith('.css') && r.ok());
  assert.ok(cssLoaded, 'the stylesheet was loaded');

  let total = 0;
  const parts = [];
  for (const res of responses) {
    const sizes = await res.request().sizes();
    const bytes = sizes.responseHeadersSize + sizes.responseBodySize;
    parts.push(`${new URL(res.url()).pathname} ${bytes} B`);
    total += bytes;
  }
  t.diagnostic(`login page transfer: ${total} B (${parts.join(', ')})`);
  assert.ok(total > 0);
  // The page and its stylesheet (both over 1 KiB) came gzipped: Chromium asks for it.
  for (const res of responses) {
    const p = new URL(res.url()).pathname;
    if (p === LOGIN || p === '/static/style.css') {
      assert.equal((await res.allHeaders())['content-encoding'], 'gzip', `${p} was not gzipped`);
    }
  }
  assert.ok(total < MAX_LOGIN_BYTES, `login page transferred ${total} B, limit ${MAX_LOGIN_BYTES} B`);
});

test('a form is sent once: a second tap while it is on its way does nothing', async (t) => {
  // On a slow line the first tap seems to do nothing, and a second one sent the form again (two
  // applications with two numbers). forms.js, on every page, lets a POST form go once. Here the
  // form is sent into a frame, so the page and its button stay to be looked at and tapped again.
  const page = await phoneContext(t);
  let posts = 0;
  page.on('request', (r) => { if (r.method() === 'POST') posts++; });
  await page.goto(BASE + LOGIN);
  await page.evaluate(() => {
    const f = document.createElement('iframe');
    f.name = 'sink';
    document.body.appendChild(f);
    document.querySelector('form[action$="/masuk"]').target = 'sink';
  });
  await page.fill('#username', 'sekda');
  await page.fill('#password', PASSWORD);
  const button = page.locator('form[action$="/masuk"] button[type="submit"]');
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && /\/masuk$/.test(r.url()));
  await button.click();
  await page.waitForFunction(() => document.querySelector('form[action$="/masuk"] button[type="submit"]').disabled);
  assert.equal((await button.textContent()).trim(), 'Mengirim…');
  await button.click({ force: true });
  await page.evaluate(() => document.querySelector('form[action$="/masuk"]').requestSubmit());
  assert.equal((await answered).status(), 303);
  await page.waitForTimeout(500); // room for a second request, if one were made
  assert.equal(posts, 1, `the form went out ${posts} times`);
});
