#!/usr/bin/env node
// The manifest a published package ships, without the monorepo's development scripts.
//
// A package's `build`, `typecheck`, `test` and `bench` scripts name files that are not in its
// tarball (tsconfig*.json, test/, bench/), so they mean nothing to a user. pnpm publishes
// `scripts` as they are (it drops only the prepack/prepublish family), so each package runs
//
//   "prepack":  "node ../../tooling/release/pack-manifest.mjs strip"
//   "postpack": "node ../../tooling/release/pack-manifest.mjs restore"
//
// `strip` keeps the package.json as it is in `.package.json.prepack` and writes it without
// `scripts`; pnpm reads the manifest again after prepack, packs that, then runs postpack
// (from the manifest it read first), and `restore` puts the original back byte for byte.
// Should a pack die between the two, the next `strip` (or `restore` by hand) repairs it, and
// `.ci/run` fails when a package.json is left changed.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const MANIFEST = 'package.json';
const BACKUP = '.package.json.prepack';

function restore() {
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
}

const command = process.argv[2];
if (command === 'strip') {
  restore();
  const text = readFileSync(MANIFEST, 'utf8');
  const manifest = JSON.parse(text);
  writeFileSync(BACKUP, text);
  delete manifest.scripts;
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (command === 'restore') {
  restore();
} else {
  console.error('usage: pack-manifest.mjs strip|restore (in a package folder)');
  process.exit(2);
}
