// What the browser journeys share (not a test file: run.sh runs *.test.mjs only): the server's base
// URL from run.sh, Debian's chromium launched headless once per file, a phone-sized context per
// test that collects console errors and failed requests, and small steps.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = (process.env.SIGAP_BASE_URL || '').replace(/\/+$/, '');
export const CHROMIUM = process.env.SIGAP_CHROMIUM || '/usr/bin/chromium';
export const TENANT = '52.71';
export const PASSWORD = 'sigap-demo-2026';
export const PHONE = { width: 360, height: 740 };

if (!BASE) throw new Error('SIGAP_BASE_URL is not set; run the tests through tests/browser/run.sh');

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});
after(async () => { if (browser) await browser.close(); });

// A browser context of the shared browser with these options (a test that wants its own device
// or permissions); the caller closes it.
export function newContext(options) {
  return browser.newContext(options);
}

// A page on a fresh phone (own cookie jar) for test t, closed after it; nothing is watched.
export async function phoneContext(t, timeout = 10_000) {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID' });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  return page;
}

// A fresh phone (own cookie jar) for test t. page.problems collects console errors, failed
// requests and answers >= 400; expected(url, status) says which answers a test causes on purpose.
export async function phone(t, expected = () => false) {
  const page = await phoneContext(t);
  const problems = [];
  page.on('console', (m) => {
    // Chromium logs every answer >= 400 as "Failed to load resource": those are judged below
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.pathname !== '/favicon.ico' && !expected(u, r.status())) {
      problems.push(`${r.status()} ${u.pathname}`);
    }
  });
  page.on('requestfailed', (r) => problems.push('failed ' + r.url()));
  page.problems = problems;
  return page;
}

// Clicks what selector (a string) or locator finds, and waits for the page it leads to.
export async function submit(page, what) {
  const click = typeof what === 'string' ? page.click(what) : what.click();
  await Promise.all([page.waitForNavigation(), click]);
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

export async function fitsPhone(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${what} is ${w}px wide on a ${PHONE.width}px phone`);
}

export async function signIn(page, username, password = PASSWORD) {
  await page.goto(`${BASE}/t/${TENANT}/masuk`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await submit(page, 'form[action$="/masuk"] button[type="submit"]');
}
