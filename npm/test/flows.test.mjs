// Every vendor family's flow, the clock, faults, verify, namespaces and HTTPS through the installed
// `authmock` package, with node:test and fetch. One server for the file, one namespace per test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startAuthmock, VerificationError, AdminError } from 'authmock';

const KOO_USER = '1008600000701011201';
const KOO_LOGIN = '/koodrive/ose/v1/auth/login';
const SESSION = '/koodrive/ose/v1/session';
const REFRESH = '/koodrive/ose/v1/session/refresh';
const OA = { client: '9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ', secret: 'demo-client-secret', tenant: '08f770f51f80d2f40f38c00cb199fd21', fp: '156aysdna213sac' };
const LOGIN_BODY = { account: '0027188460911', authType: '1', password: '123qweASD143' };

let mock;
before(async () => { mock = await startAuthmock({ tls: true }); });
after(async () => { await mock.stop(); });

/** A fresh namespace: `{ url, headers, admin }`. */
function ns(t) {
  const admin = mock.namespace(`${t.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40)}-${randomUUID().slice(0, 8)}`);
  return { url: mock.url, headers: admin.headers, admin };
}

async function post(m, path, body, headers = {}, base = m.url) {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { ...m.headers, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

const kooLogin = (m, extra = {}) => post(m, KOO_LOGIN, { ...LOGIN_BODY, ...extra }, { 'x-hw-agentName': 'node-test' });

async function newSession(m) {
  const code = await m.admin.koodrive.mintAuthCode(KOO_USER);
  const r = await post(m, SESSION, { code });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.code, r.body.msg, r.body.data.userId], [0, 'Successful', KOO_USER]);
  return r.body.data;
}

test('KooDrive: a session from a minted code, then refresh', async (t) => {
  const m = ns(t);
  const s = await newSession(m);
  const auth = { ...m.headers, Authorization: s.accessToken, 'x-session-id': s.sessionId };
  const r = await fetch(m.url + REFRESH, { method: 'POST', headers: auth });
  const body = await r.json();
  assert.equal(r.status, 200);
  assert.deepEqual([body.code, body.msg], [0, 'success']);
  assert.match(body.accessToken, /^Bearer [0-9a-f]{48}$/);
  assert.notEqual(body.accessToken, s.accessToken);
  assert.equal(await m.admin.verify(`POST ${REFRESH}`, { count: 1, status: 200 }), 1);
  const again = await fetch(m.url + REFRESH, { method: 'POST', headers: auth });
  assert.deepEqual([again.status, await again.json()], [401, { code: 13000202, msg: 'Session is invalid or expired.' }]);
});

test('KooDrive: login', async (t) => {
  const m = ns(t);
  const r = await kooLogin(m);
  assert.equal(r.status, 200);
  assert.match(r.body.data.sessionInfo.accessToken, /^AT /);
  assert.equal(r.body.data.sessionInfo.expiresIn, 1800);
  assert.equal(await m.admin.verify(`POST ${KOO_LOGIN}`, { count: 1, noWarnings: true }), 1);
});

test('advancing the clock expires a session', async (t) => {
  const m = ns(t);
  await m.admin.clock.freeze();
  const s = await newSession(m);
  const auth = { ...m.headers, Authorization: s.accessToken };
  assert.equal((await fetch(`${m.url}${SESSION}/auth`, { headers: auth })).status, 200);
  await m.admin.clock.advance('20m');
  const r = await fetch(`${m.url}${SESSION}/auth`, { headers: auth });
  assert.deepEqual([r.status, await r.json()], [401, { code: 13000202, msg: 'Session is invalid or expired.' }]);
});

test('OneAccess: sso_ticket from a session_token', async (t) => {
  const m = ns(t);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: OA.client, client_secret: OA.secret });
  const app = (await (await fetch(`${m.url}/api/v2/tenant/token`, { method: 'POST', headers: m.headers, body: form })).json()).access_token;
  const login = await post(m, '/api/v2/sdk/login', { user_name: 'zhangsan', password: 'Zhangsan@123' }, {
    'X-client-id': OA.client, 'X-device-fingerprint': OA.fp, 'X-operating-sys-version': 'Android 10', 'X-agent': 'node-test',
  });
  const r = await post(m, '/api/v2/tenant/sso/session-token/sso-ticket', {
    session_token: login.body.session_token, operating_sys_version: 'Android 10', device_ip: '10.10.10.1', device_fingerprint: OA.fp, client_id: OA.client,
  }, { Authorization: `Bearer ${app}`, 'X-tenant-id': OA.tenant });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body).sort(), ['expire', 'sso_ticket']);
  assert.equal(r.body.expire, 9600);
});

test('EnOS: login and session/set', async (t) => {
  const m = ns(t);
  const login = await post(m, '/app-portal-service/v2.2/login', { account: 'portal_demo', password: 'Test1234' });
  assert.equal(login.body.code, 0);
  const r = await post(m, '/app-portal-service/v2.2/session/set', { orgId: 'yourOrgId' }, { Authorization: `Bearer ${login.body.data.accessToken}` });
  assert.deepEqual([r.status, r.body.code, r.body.message], [200, 0, 'OK']);
  assert.deepEqual([r.body.data.currentOrgId, r.body.data.currentOrgName], ['yourOrgId', 'Portal Demo']);
});

test('a queued fault answers once', async (t) => {
  const m = ns(t);
  const f = await m.admin.faults.add(`POST ${KOO_LOGIN}`, { error: '13000204' });
  assert.match(f.id, /^f_/);
  const first = await kooLogin(m);
  const second = await kooLogin(m);
  assert.deepEqual([first.status, first.body], [401, { code: 13000204, msg: 'Account is locked. Try again later.' }]);
  assert.equal(second.status, 200);
  assert.deepEqual(await m.admin.faults.list(), []);
});

test('verify passes and fails with the nearest requests', async (t) => {
  const m = ns(t);
  await kooLogin(m);
  assert.equal(await m.admin.verify(`POST ${KOO_LOGIN}`), 1);
  assert.equal(await m.admin.verify(KOO_LOGIN, { atMost: 1 }), 1);
  await assert.rejects(m.admin.verify(`POST ${KOO_LOGIN}`, { count: 2 }), (e) => {
    assert.ok(e instanceof VerificationError);
    assert.equal(e.matched, 1);
    assert.ok(e.message.startsWith(`expected exactly 2 POST ${KOO_LOGIN}, found 1\n  POST ${KOO_LOGIN} -> 200`), e.message);
    assert.deepEqual(e.nearest.map((n) => n.path), [KOO_LOGIN]);
    return true;
  });
  await assert.rejects(m.admin.verify(`POST ${REFRESH}`), /found 0/);
});

test('journal, warnings and revoke', async (t) => {
  const m = ns(t);
  const r = await kooLogin(m, { acount: 'x' });
  assert.match(r.headers.get('x-mock-warnings'), /^unknown-field: acount/);
  assert.deepEqual((await m.admin.warnings()).map((w) => w.id), ['unknown-field']);
  await assert.rejects(m.admin.verify(`POST ${KOO_LOGIN}`, { noWarnings: true }), /deviate from their vendor page/);
  const [entry] = await m.admin.requests({ path: KOO_LOGIN });
  assert.equal(entry.request.body.password, '123q****');
  const s = await newSession(m);
  await m.admin.revoke(s.accessToken);
  assert.equal((await fetch(`${m.url}${SESSION}/auth`, { headers: { ...m.headers, Authorization: s.accessToken } })).status, 401);
  await assert.rejects(m.admin.revoke(s.accessToken), (e) => e instanceof AdminError && e.status === 404);
});

test('two namespaces in parallel never see each other', async (t) => {
  const a = ns(t);
  const b = { ...a, admin: a.admin.namespace(`${a.admin.namespaceName}-b`) };
  b.headers = b.admin.headers;
  await Promise.all([...Array(2)].map(() => kooLogin(a)).concat([...Array(3)].map(() => kooLogin(b))));
  assert.deepEqual(await Promise.all([a.admin.verify(`POST ${KOO_LOGIN}`, { count: 2 }), b.admin.verify(`POST ${KOO_LOGIN}`, { count: 3 })]), [2, 3]);
  assert.equal(await mock.admin.verify(`POST ${KOO_LOGIN}`, { count: 0 }), 0);
});

test('HTTPS through the CA: node:https with ca, and fetch with NODE_EXTRA_CA_CERTS', async (t) => {
  const m = ns(t);
  assert.match(mock.httpsUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  const status = await new Promise((resolve, reject) => {
    https.get(`${mock.httpsUrl}/__admin/health`, { ca: mock.caPem }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
  });
  assert.equal(status, 200);
  await assert.rejects(fetch(`${mock.httpsUrl}/__admin/health`)); // not trusted without the CA
  // Node's fetch trusts extra CAs from NODE_EXTRA_CA_CERTS, read at start-up: a child process.
  const caDir = mkdtempSync(join(tmpdir(), 'authmock-ca-'));
  t.after(() => rmSync(caDir, { recursive: true, force: true }));
  const ca = join(caDir, 'ca.pem');
  writeFileSync(ca, mock.caPem);
  const script = `const r = await fetch(process.argv[1] + '${KOO_LOGIN}', { method: 'POST', headers: JSON.parse(process.argv[2]), body: process.argv[3] }); console.log(r.status);`;
  const headers = JSON.stringify({ ...m.headers, 'Content-Type': 'application/json', 'x-hw-agentName': 'node-test' });
  const out = await new Promise((resolve, reject) => execFile(process.execPath, ['--input-type=module', '-e', script, mock.httpsUrl, headers, JSON.stringify(LOGIN_BODY)],
    { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout.trim()))));
  assert.equal(out, '200');
  assert.equal(await m.admin.verify(`POST ${KOO_LOGIN}`, { count: 1 }), 1);
});
