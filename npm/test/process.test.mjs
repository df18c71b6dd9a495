// Starting and stopping: bad fixtures, a missing binary, a port conflict, a server that dies mid-test —
// each a clear error, and no child process left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAuthmock, AuthmockError } from 'authmock';

/** The live child processes of this process (Linux). */
function children() {
  const kids = new Set();
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let text;
    // A worker thread may end between the listing and the read.
    try { text = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8'); } catch { continue; }
    for (const p of text.split(/\s+/).filter(Boolean)) kids.add(Number(p));
  }
  return kids;
}

const answers = (url) => fetch(`${url}/__admin/health`).then(() => true, () => false);

test('stop() ends the child and the port no longer answers', async () => {
  const before = children();
  const mock = await startAuthmock({ seed: 1 });
  assert.ok(children().has(mock.pid));
  assert.equal((await mock.admin.health()).status, 'ok');
  await mock.stop();
  assert.equal(await answers(mock.url), false);
  assert.deepEqual(children(), before);
});

test("bad fixtures reject with authmock's stderr", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authmock-fixtures-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'koodrive.json'), '{ not json');
  const before = children();
  await assert.rejects(startAuthmock({ fixtures: dir }), (e) => {
    assert.ok(e instanceof AuthmockError);
    assert.ok(e.message.startsWith('authmock exited with code 2: authmock: invalid fixtures, not starting:'), e.message);
    assert.match(e.message, /koodrive\.json/);
    return true;
  });
  assert.deepEqual(children(), before);
});

test('a missing binary throws', async () => {
  await assert.rejects(startAuthmock({ binary: '/nonexistent/authmock' }), /"\/nonexistent\/authmock" does not exist or is not executable/);
  process.env.AUTHMOCK_BIN = '/nonexistent/authmock';
  try {
    await assert.rejects(startAuthmock(), /"\/nonexistent\/authmock" does not exist/);
  } finally {
    delete process.env.AUTHMOCK_BIN;
  }
});

test('a port in use rejects naming it', async () => {
  const taken = createServer();
  await new Promise((r) => taken.listen(0, '127.0.0.1', r));
  const { port } = taken.address();
  const before = children();
  try {
    await assert.rejects(startAuthmock({ port }), (e) => {
      assert.ok(e instanceof AuthmockError);
      assert.match(e.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
      return true;
    });
  } finally {
    taken.close();
  }
  assert.deepEqual(children(), before);
});

test('a server that dies mid-test: the next call and stop() reject', async () => {
  const before = children();
  const mock = await startAuthmock();
  process.kill(mock.pid, 'SIGKILL');
  await assert.rejects(mock.admin.health(), /authmock is not running \(exited with signal SIGKILL\)/);
  await assert.rejects(mock.stop(), /authmock died while in use \(exited with signal SIGKILL\)/);
  assert.deepEqual(children(), before);
  assert.throws(() => process.kill(mock.pid, 0), { code: 'ESRCH' }); // reaped
});

/** Whether `pid` still runs (a zombie left to an init that does not reap counts as gone). */
function running(pid) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('a script that never calls stop() exits, and its authmock with it', async () => {
  const script = "import { startAuthmock } from 'authmock'; const m = await startAuthmock(); console.log(m.pid);";
  const pid = Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 20000 }).toString());
  assert.ok(pid > 0);
  for (let i = 0; i < 100 && running(pid); i++) await new Promise((r) => setTimeout(r, 50)); // bounded: 5 s
  assert.equal(running(pid), false, `authmock ${pid} outlived the script`);
});
