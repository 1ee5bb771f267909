// The registry (ERROR_CODES in @iocp/errors), the packages' error classes and the generated
// docs/error-codes.md must agree. Runs against the built packages (dist).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, InvalidOptionError, IocpError } from '@iocp/errors';
import { OUTPUT, PACKAGE_ORDER, renderErrorCodes } from '../error-codes.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = PACKAGE_ORDER.map((name) => ({ name, dir: join(ROOT, 'packages', name.slice('@iocp/'.length)) }));
/** Base classes: no code of their own. */
const BASES = new Set(['IocpError', 'FramingError', 'ReorderError', 'TransportError', 'JobPoolError', 'JobError', 'FileTransferError']);

function sources(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** `class Name ... super('IOCP_ERR_X'` pairs of one errors.ts. */
function classCodes(file) {
  const pairs = new Map();
  for (const part of readFileSync(file, 'utf8').split(/^export class /m).slice(1)) {
    const name = /^(\w+)/.exec(part)?.[1];
    const code = /super\(\s*'(IOCP_ERR_[A-Z0-9_]+)'/.exec(part)?.[1];
    if (name && code) pairs.set(name, code);
  }
  return pairs;
}

describe('error codes', () => {
  it('docs/error-codes.md is generated from the registry and up to date', () => {
    assert.equal(readFileSync(OUTPUT, 'utf8'), renderErrorCodes(), 'run `node tooling/docs/error-codes.mjs`');
  });

  it("every IOCP_ERR_ code in a package's source is registered", () => {
    const unregistered = [];
    for (const { name, dir } of PACKAGES) {
      for (const file of sources(join(dir, 'src'))) {
        for (const [, code] of readFileSync(file, 'utf8').matchAll(/['"`](IOCP_ERR_[A-Z0-9_]+)['"`]/g)) {
          if (!Object.hasOwn(ERROR_CODES, code)) unregistered.push(`${code} (${name}, ${file.slice(ROOT.length)})`);
        }
      }
    }
    assert.deepEqual(unregistered, [], 'add these to ERROR_CODES in packages/errors/src/codes.ts');
  });

  it('each registered code is raised by the class it names, exported by its package', async () => {
    for (const { name, dir } of PACKAGES) {
      const mod = await import(name);
      const declared = classCodes(join(dir, 'src', name === '@iocp/errors' ? 'iocp-error.ts' : 'errors.ts'));
      const registered = Object.entries(ERROR_CODES).filter(([, info]) => info.package === name);
      for (const [code, info] of registered) {
        assert.equal(typeof mod[info.className], 'function', `${name} exports ${info.className}`);
        assert.ok(mod[info.className].prototype instanceof IocpError, `${info.className} is an IocpError`);
        assert.equal(declared.get(info.className), code, `${info.className} raises ${code}`);
      }
      // And the other way round: no coded class of the package is missing from the registry.
      const names = new Set(registered.map(([, info]) => info.className));
      for (const [cls, code] of declared) assert.ok(names.has(cls), `${cls} (${code}) of ${name} is registered`);
    }
  });

  it('every error class every package exports is an IocpError; InvalidOptionError is one class', async () => {
    for (const { name } of PACKAGES) {
      const mod = await import(name);
      assert.equal(mod.IocpError, IocpError, `${name} re-exports IocpError`);
      assert.equal(mod.InvalidOptionError, InvalidOptionError, `${name} re-exports the shared InvalidOptionError`);
      for (const [exported, value] of Object.entries(mod)) {
        if (typeof value !== 'function' || !/^[A-Z]\w*Error$/.test(exported) || exported === 'IocpError') continue;
        assert.ok(value.prototype instanceof IocpError, `${name} ${exported} extends IocpError`);
        if (!BASES.has(exported)) {
          assert.ok(
            Object.values(ERROR_CODES).some((info) => info.className === exported),
            `${name} ${exported} has a registered code`,
          );
        }
      }
    }
  });
});
