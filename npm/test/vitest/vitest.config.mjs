export default { test: { globalSetup: ['authmock/vitest'], include: ['*.test.mjs'] } };
