// Node half of bench/harness_startup.py: prints {"node bare": [ms…], "node": [ms…], "node tls": [ms…]}.
// Run from a directory where the authmock npm package is installed; AUTHMOCK_BIN names the binary.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startAuthmock } from 'authmock';

const rounds = Number(process.argv[2] || 30);
const bin = process.env.AUTHMOCK_BIN;

async function health(url) {
  const r = await fetch(`${url}/__admin/health`);
  if (r.status !== 200) throw new Error(`health answered ${r.status}`);
  await r.arrayBuffer();
}

async function bare() {
  const t0 = performance.now();
  const p = spawn(bin, ['--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, RUST_LOG: 'warn' } });
  const line = await new Promise((resolve) => createInterface({ input: p.stdout }).once('line', resolve));
  await health(line.split(' ').pop());
  const ms = performance.now() - t0;
  p.stdout.resume();
  p.kill('SIGTERM');
  await new Promise((r) => p.once('exit', r));
  return ms;
}

async function harness(tls) {
  const t0 = performance.now();
  const m = await startAuthmock({ tls });
  await health(m.url);
  const ms = performance.now() - t0;
  await m.stop();
  return ms;
}

const out = { 'node bare': [], node: [], 'node tls': [] };
for (let i = 0; i < rounds; i++) {
  out['node bare'].push(await bare());
  out.node.push(await harness(false));
  out['node tls'].push(await harness(true));
}
console.log(JSON.stringify(out));
