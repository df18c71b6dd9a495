// Compiled (not run) with tsc --strict by scripts/harness-test.sh: the hand-written .d.ts files hold.
import { startAuthmock, VerificationError, Admin, type JournalEntry } from 'authmock';
import 'authmock/vitest';
import { inject } from 'vitest';

const mock = await startAuthmock({ seed: 1, tls: true, fixtures: 'dir', strict: false });
const ns: Admin = mock.namespace('x');
const code: string = await ns.koodrive.mintAuthCode('1008600000701011201', { ttlSeconds: 60 });
const captcha: string = await ns.koodrive.mintVerificationCode('0027188460911');
await ns.clock.advance('31m');
await ns.faults.add('POST /koodrive/ose/v1/auth/login', { error: '13000204', times: 1 });
const n: number = await ns.verify('POST /x', { count: 1, noWarnings: true });
const entries: JournalEntry[] = await ns.requests({ path: '/x', status: 200 });
const url: string = inject('authmockUrl');
try {
  await ns.verify('/x');
} catch (e) {
  if (e instanceof VerificationError) console.log(e.matched, e.nearest[0]?.status);
}
await mock.stop();
console.log(code, captcha, n, entries.length, url, mock.httpsUrl, mock.caPem);
