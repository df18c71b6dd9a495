// Real-browser test of the KooDrive sign-in journey (docs/signin.md): authCodeURL → OrgID's sign-in page
// served by authmock → back to a front end (a tiny HTTP server of this test) with ?code=…&state=… →
// create-session. Run through `bash scripts/browser-test.sh` (AUTHMOCK_URL, CHROMIUM, SIGNIN_SCREENSHOT).
//
// Everything runs in its own namespace, which only the URL carries into the browser (mock_namespace).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.AUTHMOCK_URL;
if (!BASE) throw new Error('AUTHMOCK_URL is not set: run bash scripts/browser-test.sh');
const SCREENSHOT = process.env.SIGNIN_SCREENSHOT || path.resolve(import.meta.dirname ?? '.', '../../target/signin.png');
const NS = 'signin-browser';
const KOO_USER = '1008600000701011201';
const KOO_ADMIN = '1008600000701011200';

let context, page, userDataDir, front, frontOrigin;
const requests = [];

/** The front end: its landing page shows what came back. */
function startFront() {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      res.writeHead(u.pathname === '/cloudfile/index.html' ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>front end</title><h1 id="landed">${u.pathname}</h1>`);
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

async function call(method, p, json) {
  const h = { 'X-Mock-Namespace': NS };
  if (json !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(BASE + p, { method, headers: h, body: json === undefined ? undefined : JSON.stringify(json) });
  return { status: r.status, body: await r.json() };
}

/** The sign-in URI authCodeURL hands the front end, with a state. */
async function signinUri(state) {
  const domain = new URL(frontOrigin).host;
  const r = await call('GET', `/koodrive/ose/v1/session/authCodeURL?domain=${encodeURIComponent(domain)}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.code, 0);
  assert.equal(r.body.orgIdHost, BASE);
  assert.ok(r.body.uri.includes(`&redirect_uri=${frontOrigin}/cloudfile/index.html`), r.body.uri);
  assert.ok(r.body.uri.endsWith(`&mock_namespace=${NS}`), r.body.uri);
  return `${r.body.uri}&state=${encodeURIComponent(state)}`;
}

/** Waits for the landing page and returns its query. */
async function landed() {
  await page.waitForURL((u) => u.href.startsWith(`${frontOrigin}/cloudfile/index.html?`), { timeout: 10000 });
  await page.locator('#landed').waitFor();
  return new URL(page.url()).searchParams;
}

async function createSession(code) {
  return call('POST', '/koodrive/ose/v1/session/', { code });
}

before(async () => {
  front = await startFront();
  frontOrigin = `http://127.0.0.1:${front.address().port}`;
  await call('POST', '/__admin/reset');
  userDataDir = mkdtempSync(path.join(tmpdir(), 'authmock-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 900, height: 900 },
    colorScheme: 'light',
    javaScriptEnabled: false,
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
});

after(async () => {
  await context?.close();
  front?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('a user button signs in and create-session redeems the code for that user', async () => {
  await page.goto(await signinUri('s-1'));
  await page.locator('#user-koo_user').waitFor();
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  await page.click('#user-koo_user');
  const q = await landed();
  assert.equal(q.get('state'), 's-1');
  const code = q.get('code');
  assert.ok(code && code.length >= 32, code);
  const r = await createSession(code);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.equal(r.body.data.userInfo.userId, KOO_USER);
  assert.equal(r.body.data.userInfo.userName, 'koo_user');
  const again = await createSession(code);
  assert.equal(again.body.code, 13000201);
});

test('the password form refuses a wrong password, then signs in', async () => {
  await page.goto(await signinUri('pw'));
  await page.fill('#account', 'koo_admin');
  await page.fill('#password', 'wrong-password');
  await page.click('#sign-in');
  await page.locator('#error').waitFor();
  assert.equal(await page.locator('#error').textContent(), 'Incorrect account or password.');
  assert.equal(await page.inputValue('#account'), 'koo_admin');
  await page.fill('#password', 'Admin@Koo123');
  await page.click('#sign-in');
  const q = await landed();
  assert.equal(q.get('state'), 'pw');
  const r = await createSession(q.get('code'));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.equal(r.body.data.userInfo.userId, KOO_ADMIN);
});

test('Deny goes back with error=access_denied and the state', async () => {
  await page.goto(await signinUri('d&1'));
  await page.click('#deny');
  const q = await landed();
  assert.equal(q.get('error'), 'access_denied');
  assert.equal(q.get('state'), 'd&1');
  assert.equal(q.get('code'), null);
});

test('the page loads nothing but itself', () => {
  const foreign = requests.filter((u) => !u.startsWith(BASE) && !u.startsWith(frontOrigin));
  assert.deepEqual(foreign, []);
});

test('the dashboard links to the sign-in page, which comes back to it with the minted code listed', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
  });
  try {
    const p = await browser.newPage();
    await p.goto(`${BASE}/__admin/?ns=${NS}`);
    const link = p.locator('#signin-link');
    await link.waitFor();
    assert.ok((await link.getAttribute('href')).includes(`mock_namespace=${NS}`));
    await link.click();
    await p.click('#user-koo_user');
    await p.locator('#signin-note').waitFor();
    assert.match(await p.locator('#signin-note').textContent(), /^Signed in: one-time code /);
    await p.locator('#minted-codes .chip').first().waitFor();
    assert.match(await p.locator('#minted-codes').textContent(), /koo_user/);
  } finally {
    await browser.close();
  }
});
