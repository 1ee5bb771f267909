#!/usr/bin/env node
// docs/error-codes.md, generated from the registry in @iocp/errors (ERROR_CODES).
//
//   node tooling/docs/error-codes.mjs          write docs/error-codes.md
//   node tooling/docs/error-codes.mjs --check  exit 1 when it is not up to date
//
// Needs the packages built (`pnpm build`); `pnpm run docs` runs it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@iocp/errors';

export const OUTPUT = fileURLToPath(new URL('../../docs/error-codes.md', import.meta.url));

/** The order packages appear in: the layers, bottom up. */
export const PACKAGE_ORDER = ['@iocp/errors', '@iocp/framing', '@iocp/reorder', '@iocp/transport', '@iocp/jobpool', '@iocp/file-transfer'];

const cell = (text) => text.replaceAll('|', '\\|');

/** The markdown of docs/error-codes.md for a registry. */
export function renderErrorCodes(codes = ERROR_CODES) {
  const rows = Object.entries(codes).sort(
    ([a, x], [b, y]) => PACKAGE_ORDER.indexOf(x.package) - PACKAGE_ORDER.indexOf(y.package) || a.localeCompare(b),
  );
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from ERROR_CODES in packages/errors/src/codes.ts by `node tooling/docs/error-codes.mjs`',
    '     (run by `pnpm run docs`). Do not edit by hand: CI fails when this file is out of date. -->',
    '',
    'Every error an iocp-kit package raises is an `IocpError` (from `@iocp/errors`, re-exported by',
    'every package) with a stable `code`. Match on the code, never on the message or the class',
    "name: codes don't change meaning and are not removed in a minor version, messages are for",
    'humans. Options are refused everywhere with the one shared `InvalidOptionError`; every other',
    "class belongs to its package's base class (`FramingError`, `ReorderError`, `TransportError`,",
    '`JobPoolError`, `FileTransferError`). The underlying cause is chained as `cause`.',
    '',
    '```ts',
    "import { IocpError } from '@iocp/transport';",
    '',
    'try {',
    '  await port.connect({ host, port, codec });',
    '} catch (err) {',
    "  if (err instanceof IocpError && err.code === 'IOCP_ERR_CONNECT_REFUSED') scheduleRetry();",
    '  else throw err;',
    '}',
    '```',
    '',
    `${rows.length} codes:`,
    '',
    '| code | package | class | raised when |',
    '|---|---|---|---|',
    ...rows.map(([code, info]) => `| \`${code}\` | \`${info.package}\` | \`${info.className}\` | ${cell(info.summary)} |`),
    '',
    'The command-line apps print their own failures as one line, `APP: CODE: message`, with codes',
    'of their own (`IOCP_ERR_USAGE` and others) and an exit code per failure; each app README lists',
    "them. A library error that ends an app's run keeps its code on that line.",
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = renderErrorCodes();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUTPUT, 'utf8');
    } catch {}
    if (current !== text) {
      console.error('docs/error-codes.md is out of date: run `node tooling/docs/error-codes.mjs` (or `pnpm run docs`)');
      process.exit(1);
    }
    console.log('docs/error-codes.md is up to date');
  } else {
    writeFileSync(OUTPUT, text);
    console.log(`wrote docs/error-codes.md (${Object.keys(ERROR_CODES).length} codes)`);
  }
}
