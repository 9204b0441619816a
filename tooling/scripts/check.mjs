#!/usr/bin/env node
// The README's test command: lint, build, typecheck, the Rust test peer (when cargo exists), every
// package's tests, then one summary line `tests: N passed, N failed, N skipped` from the vitest reports.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const pnpmBin = process.env.npm_execpath;

function run(label, cmd, args, opts = {}) {
  console.log(`\n▶ ${label}: ${[cmd, ...args].join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`◀ ${label}: ${r.status === 0 ? 'ok' : `failed (exit ${r.status ?? r.signal})`} in ${secs}s`);
  return r.status === 0;
}

const pnpm = (args) => (pnpmBin ? [process.execPath, [pnpmBin, ...args]] : ['pnpm', args]);
const workspaceDirs = ['packages', 'apps', 'tooling'].flatMap((top) =>
  existsSync(join(root, top)) ? readdirSync(join(root, top)).map((d) => join(root, top, d)) : [],
);

let ok = true;
ok = run('lint', ...pnpm(['exec', 'biome', 'ci', '.'])) && ok;
ok =
  run(
    'build + typecheck',
    ...pnpm(['exec', 'turbo', 'run', 'build', 'typecheck', '--output-logs=errors-only']),
  ) && ok;
if (process.env.IROH_TS_SKIP_RUST === '1') {
  console.log('\nSKIP Rust test peer: IROH_TS_SKIP_RUST=1 (tests that need it print their own skip reason)');
} else {
  // Without a built peer its tests skip and print why; a failed build (no crates.io, say) is reported
  // loudly but does not fail the run, so that machines without Rust tooling still pass.
  if (!run('Rust test peer', 'bash', ['tooling/interop-rs/scripts/build-peer.sh'])) {
    console.log('\nWARNING Rust test peer did not build: tests that need it will skip and say so');
  }
  // The real iroh-relay and iroh-dns-server binaries, for testing our clients against them.
  if (
    !run('Rust iroh-relay and iroh-dns-server', 'bash', [
      'tooling/interop-rs/scripts/install-rust-servers.sh',
    ])
  ) {
    console.log(
      '\nWARNING iroh-relay / iroh-dns-server did not install: tests that need them will skip and say so',
    );
  }
}
for (const dir of workspaceDirs) rmSync(join(dir, '.test-results'), { recursive: true, force: true });
ok = run('tests', ...pnpm(['exec', 'turbo', 'run', 'test', '--concurrency=2', '--continue'])) && ok;

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaceDirs) {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg) || !JSON.parse(readFileSync(pkg, 'utf8')).scripts?.test) continue;
  const report = join(dir, '.test-results', 'vitest.json');
  if (!existsSync(report)) {
    missing.push(dir.slice(root.length));
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
if (missing.length > 0) {
  console.log(`\nno test report from: ${missing.join(', ')} (counted as a failure)`);
  failed += missing.length;
}
if (passed === 0) ok = false;
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = ok && failed === 0 ? 0 : 1;
