// A Vitest globalSetup: one authmock for the run, its URLs given to the tests through inject().
//   // vitest.config.js
//   export default { test: { globalSetup: ['authmock/vitest'] } }
//   // a test
//   import { inject } from 'vitest';
//   const url = inject('authmockUrl');
// AUTHMOCK_SEED and AUTHMOCK_STRICT (read here, not passed on) choose --seed and --strict.
import { startAuthmock } from './index.js';

export default async function setup(project) {
  const seed = process.env.AUTHMOCK_SEED;
  const mock = await startAuthmock({
    seed: seed ? Number(seed) : undefined,
    strict: process.env.AUTHMOCK_STRICT === 'true',
    tls: true,
  });
  project.provide('authmockUrl', mock.url);
  project.provide('authmockHttpsUrl', mock.httpsUrl);
  project.provide('authmockCaPem', mock.caPem);
  return async () => {
    await mock.stop();
  };
}
