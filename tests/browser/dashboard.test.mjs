// Real-browser test of the authmock dashboard: Debian's Chromium driven by playwright-core.
//
// Run through `bash scripts/browser-test.sh`, which builds and starts the server and sets:
//   AUTHMOCK_URL   base URL of a running authmock (e.g. http://127.0.0.1:41234)
//   AUTHMOCK_BIN   the authmock binary (the admin-token test starts its own server with it)
//   SCREENSHOT     where to save the screenshot (default ../../target/dashboard.png)
//   CHROMIUM       the browser (default /usr/bin/chromium)
//
// Every request of this test, the page's included, goes to its own namespace, so that the page showing
// what the test did also proves the page sends X-Mock-Namespace.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.AUTHMOCK_URL;
if (!BASE) throw new Error('AUTHMOCK_URL is not set: run bash scripts/browser-test.sh');
const SCREENSHOT = process.env.SCREENSHOT || path.resolve(import.meta.dirname ?? '.', '../../target/dashboard.png');
const NS = 'demo';
const LOGIN = '/koodrive/ose/v1/auth/login';
const KOO_ACCOUNT = { account: '0027188460911', authType: '1', password: '123qweASD143' };

let context, page, userDataDir;
const pageErrors = [];

/** Chromium with a fresh user-data-dir (playwright passes it as --user-data-dir). */
function launch() {
  userDataDir = mkdtempSync(path.join(tmpdir(), 'authmock-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    colorScheme: 'light',
  });
}

/** A request to the mock from the test itself (not from the page), in the test's namespace. */
async function call(method, p, { json, form, headers = {} } = {}) {
  const h = { 'X-Mock-Namespace': NS, ...headers };
  let body;
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (form !== undefined) { h['Content-Type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(form).toString(); }
  const r = await fetch(BASE + p, { method, headers: h, body });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: r.status, body: data };
}

async function kooLogin() {
  const r = await call('POST', LOGIN, { json: KOO_ACCOUNT, headers: { 'x-hw-agentName': 'browser-test' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const info = r.body.data.sessionInfo;
  return { access: info.accessToken.replace(/^AT /, ''), refresh: info.refreshToken };
}

const tokenRow = (t) => page.locator(`#tokens-body tr[data-token="${t}"]`);

before(async () => {
  const reset = await call('POST', '/__admin/reset');
  assert.equal(reset.status, 200);
  context = await launch();
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => d.accept());
  const resp = await page.goto(`${BASE}/__admin/ui?ns=${NS}`);
  assert.equal(resp.status(), 200);
  assert.match(resp.headers()['content-type'], /^text\/html; charset=utf-8/);
});

after(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('the page shows the fixture users of every vendor family', async () => {
  const users = page.locator('#users-panel');
  await users.locator('tr[data-user="portal_demo"]').waitFor();
  await users.locator('tr[data-user="zhangsan"]').waitFor();
  await users.locator('tr[data-user="0027188460911"]').waitFor();
  assert.match(await users.innerText(), /Portal Demo/);
  assert.equal(await page.locator('#ns-input').inputValue(), NS);
  assert.match(await page.locator('#hdr-time').innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('a login over HTTP appears in Live tokens and its revoke button removes it', async () => {
  const { access } = await kooLogin();
  const row = tokenRow(access);
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /0027188460911/, 'owner shown by account');
  assert.match(text, /Login access/);
  assert.match(text, /\d+m \d\ds/, 'a running countdown');

  // Revoke with the keyboard: focus the button, press Enter.
  await row.locator('button[data-action=revoke]').focus();
  await page.keyboard.press('Enter');
  await row.waitFor({ state: 'detached' });
  const st = await call('GET', '/__admin/state');
  assert.equal(st.status, 200);
  assert.ok(!st.body.tokens.some((t) => t.token === access), 'the token is gone from the state');
  const after = await call('POST', '/koodrive/ose/v1/auth/refreshToken', {
    json: { refreshToken: 'x' }, headers: { Authorization: `AT ${access}` },
  });
  assert.equal(after.body.code, 13000202, 'the revoked token is refused by the vendor route');
});

test('advance 30 m makes a countdown jump by 30 minutes', async () => {
  const { refresh } = await kooLogin();
  const cd = tokenRow(refresh).locator('.countdown');
  await cd.waitFor();
  await page.waitForFunction((el) => el.dataset.remainingS !== undefined, await cd.elementHandle());
  const before = Number(await cd.getAttribute('data-remaining-s'));
  assert.ok(before > 29 * 86400, `30-day refresh token, got ${before}s`);

  await page.getByRole('button', { name: 'Advance the mock clock by 30 minutes' }).click();
  await page.waitForFunction(([el, b]) => Number(el.dataset.remainingS) <= b - 1790, [await cd.elementHandle(), before]);
  const after = Number(await cd.getAttribute('data-remaining-s'));
  const jump = before - after;
  assert.ok(jump >= 1795 && jump <= 1815, `jumped ${jump}s`);
  assert.equal(await page.locator('#clock-mode').innerText(), 'shifted');
  const clock = await call('GET', '/__admin/clock');
  assert.equal(clock.body.mode, 'offset');
});

test('a fault added from the form makes the next login fail with its code', async () => {
  await page.selectOption('#fault-route', `POST ${LOGIN}`);
  await page.selectOption('#fault-code', '13000204');
  await page.fill('#fault-times', '1');
  await page.click('#fault-add');
  const row = page.locator('#faults-body tr', { hasText: '13000204' });
  await row.waitFor();
  assert.match(await row.innerText(), /0 \/ 1/);
  const listed = await call('GET', '/__admin/faults');
  assert.deepEqual(listed.body.faults.map((f) => [f.route, f.error, f.times]), [[`POST ${LOGIN}`, '13000204', 1]]);

  const failed = await call('POST', LOGIN, { json: KOO_ACCOUNT, headers: { 'x-hw-agentName': 'browser-test' } });
  assert.equal(failed.status, 401);
  assert.deepEqual(failed.body, { code: 13000204, msg: 'Account is locked. Try again later.' });
  await row.waitFor({ state: 'detached' });   // used up (times = 1)
  await kooLogin();                           // and the route answers normally again
});

test('the journal tails requests, filters them and expands one with a curl command', async () => {
  const faulted = page.locator('tbody.entry[data-status="401"]', { has: page.locator('.badge', { hasText: 'fault' }) });
  await faulted.first().waitFor();
  await page.fill('#f-status', '4xx');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('tbody.entry')];
    return rows.length > 0 && rows.every((r) => r.dataset.status.startsWith('4'));
  });
  await faulted.first().locator('tr.sum').click();
  const detail = faulted.first().locator('tr.detail');
  await detail.waitFor();
  const text = await detail.innerText();
  assert.match(text, /13000204/);
  assert.match(text, /123q\*\*\*\*/, 'the password is masked');
  const curl = await detail.locator('pre.curl').innerText();
  assert.match(curl, /^curl -sS -X 'POST' 'http:\/\/127\.0\.0\.1:\d+\/koodrive\/ose\/v1\/auth\/login'/);
  assert.match(curl, /-H 'x-hw-agentname: browser-test'/);
  assert.match(curl, /-H 'x-mock-namespace: demo'/);
  assert.match(curl, /--data-raw '\{"account":"0027188460911"/);
  const copy = detail.getByRole('button', { name: 'Copy as curl' });
  assert.match(await copy.getAttribute('title'), /masked/);
  await page.fill('#f-status', '');
  await faulted.first().locator('button.toggle').click();   // collapse again
  await detail.waitFor({ state: 'hidden' });
});

test('the journal table fits a 1400 px window, a long path and an expanded entry included', async () => {
  await call('GET', '/koodrive/ose/v1/' + 'a-rather-long-path-segment/'.repeat(12) + '?q=' + 'x'.repeat(200));
  const entry = page.locator('tbody.entry').first();
  await page.locator('tbody.entry[data-status="404"]').first().waitFor();
  await entry.locator('tr.sum').click();
  await entry.locator('tr.detail').waitFor();
  const widths = await page.evaluate(() => {
    const table = document.querySelector('tbody.entry').closest('table');
    return { viewport: window.innerWidth, table: table.scrollWidth, page: document.documentElement.scrollWidth,
      box: table.parentElement.scrollWidth, boxClient: table.parentElement.clientWidth };
  });
  assert.equal(widths.viewport, 1400);
  assert.ok(widths.page <= widths.viewport, `the page scrolls sideways: ${JSON.stringify(widths)}`);
  assert.ok(widths.table <= widths.viewport, `the journal table is wider than the window: ${JSON.stringify(widths)}`);
  assert.ok(widths.box <= widths.boxClient, `the journal scrolls sideways in its panel: ${JSON.stringify(widths)}`);
  await entry.locator('button.toggle').click();
});

/**
 * Sends one raw HTTP/1.1 request in the test's namespace — with a method fetch() refuses but HTTP allows
 * (any token characters, such as ` | ' &) — and resolves with the status line.
 */
function rawRequest(method, p, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(BASE);
    const s = connect(Number(u.port), u.hostname, () => {
      s.end(`${method} ${p} HTTP/1.1\r\nHost: ${u.host}\r\nX-Mock-Namespace: ${NS}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('error', reject);
    s.on('close', () => resolve(got.split('\r\n')[0]));
  });
}

/** The words a POSIX shell makes of a generated curl command, with `curl` a function that prints them. */
function shellWords(command) {
  const out = execFileSync('sh', ['-c', `curl() { printf '%s\\0' "$@"; }\n${command}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('copy as curl quotes every part, so a journaled method such as `id` runs nothing', async () => {
  const body = `{"account":"x'$(id)\`id\`"}`;
  for (const method of ['`id`', '|id|', "a'&id&'b"]) {
    assert.match(await rawRequest(method, LOGIN, body), /^HTTP\/1\.1 405/);
    const entry = page.locator(`tbody.entry[data-method="${method}"]`).first();
    await entry.waitFor();
    await entry.locator('tr.sum').click();
    const curl = await entry.locator('pre.curl').innerText();

    const words = shellWords(curl);

    assert.deepEqual(words.slice(0, 4), ['-sS', '-X', method, BASE + LOGIN], curl);
    assert.deepEqual(words.slice(-2), ['--data-raw', body], curl);
    assert.ok(words.includes(`x-mock-namespace: ${NS}`), curl);
    await entry.locator('button.toggle').click();   // collapse again
  }
});

test('a request that deviates from its vendor page is marked and its warnings shown', async () => {
  const r = await call('POST', LOGIN, { json: { ...KOO_ACCOUNT, authType: 1 }, headers: { 'x-hw-agentName': 'browser-test' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await page.check('#f-warnings');
  const warned = page.locator('tbody.entry', { has: page.locator('.lintmark') });
  await warned.first().waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('tbody.entry')].every((e) => e.querySelector('.lintmark')));
  assert.equal(await warned.first().locator('.lintmark').innerText(), '⚠ 1');
  await warned.first().locator('tr.sum').click();
  const list = warned.first().locator('ul.lint');
  await list.waitFor();
  assert.match(await list.innerText(), /type: authType is a JSON number; the page says String/);
  await warned.first().locator('button.toggle').click();
  await page.uncheck('#f-warnings');
});

test('screenshot with live tokens of every family and a journal', async () => {
  const enos = await call('POST', '/app-portal-service/v2.2/login', { json: { account: 'portal_demo', password: 'Test1234' } });
  assert.equal(enos.body.code, 0);
  const set = await call('POST', '/app-portal-service/v2.2/session/set', {
    json: { orgId: 'yourOrgId' }, headers: { Authorization: `Bearer ${enos.body.data.accessToken}` },
  });
  assert.equal(set.body.code, 0);
  const app = await call('POST', '/api/v2/tenant/token', {
    form: { grant_type: 'client_credentials', client_id: '9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ', client_secret: 'demo-client-secret' },
  });
  assert.equal(app.status, 200);
  const oa = await call('POST', '/api/v2/sdk/login', {
    json: { user_name: 'zhangsan', password: 'Zhangsan@123' },
    headers: { 'X-client-id': '9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ', 'X-device-fingerprint': 'fp-laptop-01', 'X-operating-sys-version': 'macOS 15', 'X-agent': 'browser-test' },
  });
  assert.equal(oa.status, 200);
  await call('POST', '/app-portal-service/v2.2/login', { json: { account: 'portal_demo', password: 'wrong' } });
  await call('POST', '/__admin/faults', { json: { route: 'POST /api/v2/sdk/login', delayMs: 250, times: 3 } });
  await tokenRow(set.body.data.accessToken).waitFor();
  await tokenRow(oa.body.session_token).waitFor();
  await page.locator('#faults-body tr', { hasText: 'delay 250 ms' }).waitFor();
  await page.waitForTimeout(1200);   // let a poll settle so the fresh-row highlight has faded
  await page.screenshot({ path: SCREENSHOT });
  assert.deepEqual(pageErrors, [], 'no JavaScript error on the page');
});

test('reset, once confirmed, brings the namespace back to its fixtures', async () => {
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); });
  await page.click('#reset-btn');
  await page.locator('#faults-empty').waitFor();
  assert.match(asked, /Reset namespace "demo"/);
  const st = await call('GET', '/__admin/state');
  assert.equal(st.body.clock.mode, 'real');
  assert.deepEqual(st.body.tokens.map((t) => t.fixture), [true], 'only the fixture token is left');
  assert.equal(st.body.counts.faults, 0);
  await page.locator('#clock-mode', { hasText: 'real' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#tokens-body tr').length === 1);
});

test('with --admin-token the page asks for the token and then works', async (t) => {
  const bin = process.env.AUTHMOCK_BIN;
  if (!bin) { t.skip('AUTHMOCK_BIN not set'); return; }
  const child = spawn(bin, ['--port', '0', '--admin-token', 'let-me-in'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += d;
        const m = /listening on (http:\/\/\S+)/.exec(buf);
        if (m) resolve(m[1]);
      });
      child.on('exit', (c) => reject(new Error(`authmock exited with ${c}`)));
      setTimeout(() => reject(new Error('authmock did not start')), 10000);
    });
    const p = await context.newPage();
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    await p.goto(`${url}/__admin/`);
    const prompt = p.getByRole('region', { name: 'Admin token required' });
    await prompt.waitFor();
    assert.equal(await p.evaluate(() => document.activeElement.id), 'auth-input', 'the token field has focus');
    await p.keyboard.type('wrong-token');
    await p.keyboard.press('Enter');
    await p.locator('#auth-err', { hasText: 'refused' }).waitFor();
    await p.fill('#auth-input', 'let-me-in');
    await p.keyboard.press('Enter');
    await p.locator('#users-panel tr[data-user="portal_demo"]').waitFor();
    assert.ok(await prompt.isHidden());
    assert.equal(await p.evaluate(() => sessionStorage.getItem('authmock.adminToken')), 'let-me-in');
    await p.close();
    assert.deepEqual(pageErrors, []);
  } finally {
    child.kill('SIGTERM');
  }
});
