// Start authmock from JavaScript tests: the binary of the per-platform package (authmock-linux-x64, …,
// the esbuild pattern) or AUTHMOCK_BIN, on a free port; the admin client; stop().
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { Admin, AdminError, AuthmockError, VerificationError } from './admin.js';

export { Admin, AdminError, AuthmockError, VerificationError };

const PLATFORMS = {
  'linux-x64': 'authmock-linux-x64',
  'linux-arm64': 'authmock-linux-arm64',
  'darwin-x64': 'authmock-darwin-x64',
  'darwin-arm64': 'authmock-darwin-arm64',
  'win32-x64': 'authmock-win32-x64',
};
const LISTENING = 'authmock listening on ';
// Lines of stderr kept to explain a failure.
const STDERR_LINES = 200;

/** The authmock binary: `explicit`, else AUTHMOCK_BIN, else the one of this platform's package. */
export function findBinary(explicit) {
  const chosen = explicit || process.env.AUTHMOCK_BIN;
  if (chosen) {
    try {
      accessSync(chosen, constants.X_OK);
    } catch {
      throw new AuthmockError(`authmock binary ${JSON.stringify(chosen)} does not exist or is not executable`);
    }
    return chosen;
  }
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORMS[key];
  if (!pkg) throw new AuthmockError(`authmock has no binary package for ${key}: set AUTHMOCK_BIN`);
  const exe = process.platform === 'win32' ? 'authmock.exe' : 'authmock';
  try {
    return createRequire(import.meta.url).resolve(`${pkg}/bin/${exe}`);
  } catch {
    throw new AuthmockError(
      `authmock binary not found: the optional dependency ${pkg} is not installed (npm install --include=optional), or set AUTHMOCK_BIN`,
    );
  }
}

/**
 * Starts authmock on 127.0.0.1 and resolves once it listens.
 * @param {import('./index.d.ts').StartOptions} [opts]
 * @returns {Promise<import('./index.d.ts').Authmock>}
 */
export async function startAuthmock(opts = {}) {
  const binary = findBinary(opts.binary);
  const args = ['--port', String(opts.port ?? 0)];
  if (opts.seed !== undefined && opts.seed !== null) args.push('--seed', String(opts.seed));
  if (opts.fixtures) args.push('--fixtures', String(opts.fixtures));
  if (opts.tls) args.push('--tls-port', '0');
  if (opts.strict) args.push('--strict');
  if (opts.store) args.push('--store', opts.store);
  args.push(...(opts.args || []));
  // Flags decide, not this environment's AUTHMOCK_* variables; one log line per request is noise here.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AUTHMOCK_')));
  env.RUST_LOG ??= 'warn';

  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const stderr = [];
  child.stderr.setEncoding('utf8');
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > STDERR_LINES) stderr.shift();
  });
  const stderrText = () => stderr.join('\n').trim() || '(no stderr)';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // 'close' comes after the last stderr line is read.
  const closed = new Promise((resolve) => child.once('close', resolve));
  const describe = ({ code, signal }) => (signal ? `signal ${signal}` : `code ${code}`);

  const want = opts.tls ? 2 : 1;
  const urls = await new Promise((resolve, reject) => {
    const found = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      closed.then(() => reject(new AuthmockError(`authmock did not start within ${opts.startTimeoutMs ?? 10000} ms: ${stderrText()}`)));
    }, opts.startTimeoutMs ?? 10000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new AuthmockError(`cannot run ${binary}: ${e.message}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (l) => {
      if (!l.startsWith(LISTENING)) return;
      found.push(l.slice(LISTENING.length).trim());
      if (found.length === want) {
        clearTimeout(timer);
        lines.removeAllListeners('line');
        child.stdout.resume(); // keep draining
        resolve(found);
      }
    });
    exited.then(async (how) => {
      if (found.length === want) return;
      clearTimeout(timer);
      await closed;
      reject(new AuthmockError(`authmock exited with ${describe(how)}: ${stderrText()}`));
    });
  });

  let exit; // set once the child has exited
  exited.then((how) => { exit = how; });
  // A script that never calls stop() neither hangs on the child's pipes nor leaves the child running.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.unref();
  child.stdout.unref();
  child.stderr.unref();
  let stopping = false;
  const whyDown = async () => {
    if (stopping) return 'authmock was stopped';
    child.ref();
    child.stdout.ref();
    child.stderr.ref();
    // A child killed a moment ago may not have been reaped yet.
    const how = exit || (await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]));
    if (!how) return undefined;
    await closed;
    return `authmock is not running (exited with ${describe(how)}): ${stderrText()}`;
  };
  const adminToken = opts.adminToken;
  const admin = new Admin(urls[0], { adminToken, whyDown });
  let caPem;
  if (opts.tls) {
    const r = await fetch(`${urls[0]}/__admin/ca.pem`);
    caPem = await r.text();
  }
  return {
    url: urls[0],
    httpsUrl: opts.tls ? urls[1] : undefined,
    caPem,
    pid: child.pid,
    admin,
    get stderr() { return stderr.join('\n'); },
    namespace: (name) => admin.namespace(name),
    async stop() {
      if (stopping) return;
      const died = exit;
      stopping = true;
      process.removeListener('exit', killOnExit);
      // Waiting for the exit must keep the event loop alive.
      child.ref();
      child.stdout.ref();
      child.stderr.ref();
      if (!died) child.kill('SIGTERM');
      const how = await exited;
      await closed;
      if (died) throw new AuthmockError(`authmock died while in use (exited with ${describe(died)}): ${stderrText()}`);
      if (how.code !== 0) throw new AuthmockError(`authmock exited with ${describe(how)} on SIGTERM: ${stderrText()}`);
    },
  };
}
