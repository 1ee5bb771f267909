import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError, readCaFile, readTlsKeyPair, tlsVerifyMessage } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** A certificate and its key (the file-server's test pair). */
const CERT = path.resolve(here, '../../../apps/file-server/test/fixtures/cert.pem');
const KEY = path.resolve(here, '../../../apps/file-server/test/fixtures/key.pem');
/** PEM armour around text that is not a certificate. */
const junk = path.join(here, 'fixtures/junk-cert.pem');

function usage(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('no UsageError');
}

describe('readTlsKeyPair', () => {
  it('returns a matching certificate and key', () => {
    const pair = readTlsKeyPair(CERT, KEY);
    expect(pair.cert.toString()).toMatch(/BEGIN CERTIFICATE/);
    expect(pair.key.toString()).toMatch(/PRIVATE KEY/);
  });

  it('swapped, junk or missing files are one-line usage errors (exit 2)', () => {
    for (const [cert, key] of [
      [KEY, CERT],
      [junk, KEY],
      [CERT, junk],
    ] as const) {
      const e = usage(() => readTlsKeyPair(cert, key));
      expect(e).toMatchObject({ code: 'IOCP_ERR_USAGE', exitCode: 2 });
      expect(e.message).toMatch(new RegExp(`^--tls-cert/--tls-key: ${cert} / ${key} is not a valid PEM certificate/key \\(or they do not match\\)`));
      expect(e.message).not.toMatch(/\n/);
    }
    expect(usage(() => readTlsKeyPair('/nonexistent/cert.pem', KEY)).message).toBe('--tls-cert /nonexistent/cert.pem: ENOENT');
  });
});

describe('readCaFile', () => {
  it('accepts a PEM certificate; refuses a key, junk inside PEM armour, or no certificate at all', () => {
    expect(readCaFile(CERT).toString()).toMatch(/BEGIN CERTIFICATE/);
    for (const file of [KEY, junk]) {
      const e = usage(() => readCaFile(file));
      expect(e.message).toMatch(new RegExp(`^--ca ${file} is not a valid PEM CA certificate \\(bundle\\)`));
      expect(e.message).not.toMatch(/\n/);
    }
  });
});

describe('tlsVerifyMessage', () => {
  const nodeError = (code: string) => Object.assign(new Error(code), { code });
  const target = { where: '127.0.0.1:7000', name: 'localhost' };

  it('finds the certificate code along the cause chain and gives the hint', () => {
    const wrapped = Object.assign(new Error('handshake failed', { cause: nodeError('SELF_SIGNED_CERT_IN_CHAIN') }), { code: 'IOCP_ERR_TLS' });
    expect(tlsVerifyMessage(wrapped, target)).toBe(
      '127.0.0.1:7000: server certificate not trusted (SELF_SIGNED_CERT_IN_CHAIN); pass --ca FILE, set NODE_EXTRA_CA_CERTS, or --insecure',
    );
    expect(tlsVerifyMessage(nodeError('ERR_TLS_CERT_ALTNAME_INVALID'), target)).toBe(
      "127.0.0.1:7000: server certificate is not valid for 'localhost' (ERR_TLS_CERT_ALTNAME_INVALID); pass --servername NAME or connect by a name it lists",
    );
  });

  it('other errors are not certificate failures', () => {
    expect(tlsVerifyMessage(nodeError('ECONNREFUSED'), target)).toBeUndefined();
    expect(tlsVerifyMessage(Object.assign(new Error('x'), { code: 'IOCP_ERR_CONNECT_TIMEOUT' }), target)).toBeUndefined();
    expect(tlsVerifyMessage(new Error('plain'), target)).toBeUndefined();
  });
});
