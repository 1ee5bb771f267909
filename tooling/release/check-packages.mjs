#!/usr/bin/env node
// Package checks, as a user meets the packages: pack every published package (packages/*),
// lint each tarball (publint, @arethetypeswrong/cli), install the tarballs with plain npm into
// a fresh project outside the repository, then load them from ESM and from require() on every
// Node binary given, and type-check a TypeScript consumer (NodeNext and Bundler resolution,
// strict, exactOptionalPropertyTypes, the packages' .d.ts checked too) with the repository's
// TypeScript and with the oldest one the READMEs promise.
//
//   node tooling/release/check-packages.mjs [NODE_BINARY ...]
//
// Needs the packages built. Node binaries to load the packages with default to this one.
// Ends with one line "package checks: N passed, N failed"; exit 1 when any failed.
//
// attw runs with --profile esm-only: the packages are ESM only and CommonJS loads them through
// require(esm) (Node >= 20.19 / 22.12). attw's own TypeScript (5.6) predates require(esm), so
// its node16-from-CJS verdict ("ESM, dynamic import only") is out of date and node10 never
// applied; the require() and TypeScript CommonJS consumers below check that path for real.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACK_DIR = join(ROOT, '.pack');
const SMOKE = fileURLToPath(new URL('./smoke/', import.meta.url));
const PNPM = ['-y', 'pnpm@9.15.9'];
const BIN = join(ROOT, 'node_modules', '.bin');
const nodes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [process.execPath];
const TYPESCRIPT = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
const FAST_CHECK = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'fast-check', 'package.json'), 'utf8')).version;
/** The oldest TypeScript the READMEs promise (4.9 cannot read `export type *` in the .d.ts). */
const MIN_TYPESCRIPT = '5.0.4';

let passed = 0;
let failed = 0;

/** Run one check: a command whose exit code decides; its output is shown when it fails. */
function check(name, command, args, options = {}) {
  const started = Date.now();
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, ...options });
  const ms = Date.now() - started;
  const ok = r.status === 0;
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name} (${(ms / 1000).toFixed(1)} s)`);
  if (!ok || process.env.CHECK_VERBOSE) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim();
    if (out) console.log(out.replace(/^/gm, '    '));
  }
  return ok;
}

const packages = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'packages', d.name, 'package.json')))
  .map((d) => join(ROOT, 'packages', d.name))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);

// 1. Pack (pnpm, as `pnpm publish` does: workspace: ranges resolved, dev scripts left out).
rmSync(PACK_DIR, { recursive: true, force: true });
mkdirSync(PACK_DIR);
const manifestsBefore = packages.map((dir) => readFileSync(join(dir, 'package.json'), 'utf8'));
for (const dir of packages) {
  check(`pack ${dir.slice(ROOT.length)}`, 'npx', [...PNPM, 'pack', '--pack-destination', PACK_DIR], { cwd: dir });
}
const unchanged = packages.every(
  (dir, i) => readFileSync(join(dir, 'package.json'), 'utf8') === manifestsBefore[i] && !existsSync(join(dir, '.package.json.prepack')),
);
check('packing left every package.json as it was', process.execPath, ['-e', `process.exit(${unchanged ? 0 : 1})`]);
const tarballs = readdirSync(PACK_DIR)
  .filter((f) => f.endsWith('.tgz'))
  .map((f) => join(PACK_DIR, f));

// 2. Lint every tarball.
for (const tgz of tarballs) {
  const name = tgz.slice(PACK_DIR.length + 1);
  check(`publint ${name}`, join(BIN, 'publint'), ['run', '--strict', tgz]);
  check(`attw --profile esm-only ${name}`, join(BIN, 'attw'), ['--profile', 'esm-only', '--no-color', '--no-emoji', '--format', 'ascii', tgz]);
}

// 3. A fresh project outside the repository, with plain npm.
const project = mkdtempSync(join(tmpdir(), 'iocp-smoke-'));
try {
  cpSync(SMOKE, project, { recursive: true });
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'iocp-smoke', private: true, type: 'module' }, null, 2)}\n`);
  // fast-check: the optional peer of @iocp/framing/testing, installed as its users would.
  const installed = check(`npm install the ${tarballs.length} tarballs, typescript@${TYPESCRIPT}, @types/node@20, fast-check@${FAST_CHECK}`, 'npm', [
    'install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error',
    ...tarballs, `typescript@${TYPESCRIPT}`, '@types/node@20', `fast-check@${FAST_CHECK}`,
  ], { cwd: project });
  if (installed) {
    for (const node of nodes) {
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
      check(`ESM import on Node ${version}`, node, ['esm.mjs'], { cwd: project });
      check(`CommonJS require() on Node ${version}`, node, ['cjs.cjs'], { cwd: project });
    }
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    check('tsc --noEmit, NodeNext (ESM .ts and CommonJS .cts consumers)', process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], { cwd: project });
    check('tsc --noEmit, Bundler resolution', process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: project });
    const min = check(`npm install typescript@${MIN_TYPESCRIPT}`, 'npm', [
      'install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `typescript@${MIN_TYPESCRIPT}`,
    ], { cwd: project });
    if (min) {
      check(`tsc ${MIN_TYPESCRIPT} --noEmit, NodeNext (ESM consumer)`, process.execPath, [tsc, '-p', 'tsconfig.nodenext-esm.json'], { cwd: project });
      check(`tsc ${MIN_TYPESCRIPT} --noEmit, Bundler resolution`, process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: project });
    }
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}

console.log(`package checks: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
