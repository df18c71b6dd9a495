// Runs under Vitest with `globalSetup: ['authmock/vitest']`: the run's authmock comes through inject().
import { expect, inject, test } from 'vitest';
import https from 'node:https';
import { Admin } from 'authmock';

test('the global setup provides a running authmock', async () => {
  const url = inject('authmockUrl');
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const admin = new Admin(url).namespace('vitest');
  const r = await fetch(`${url}/app-portal-service/v2.2/login`, {
    method: 'POST',
    headers: { ...admin.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ account: 'portal_demo', password: 'Test1234' }),
  });
  const body = await r.json();
  expect([r.status, body.code]).toEqual([200, 0]);
  expect(body.data.accessToken).toMatch(/^APP_PORTAL_S_/);
  expect(await admin.verify('POST /app-portal-service/v2.2/login', { count: 1, noWarnings: true })).toBe(1);
});

test('and its https listener with the CA', async () => {
  const status = await new Promise((resolve, reject) => {
    https.get(`${inject('authmockHttpsUrl')}/__admin/health`, { ca: inject('authmockCaPem') }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
  expect(status).toBe(200);
});
