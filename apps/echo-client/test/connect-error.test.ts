import { ConnectRefusedError, ConnectTimeoutError, TlsError } from '@iocp/transport';
import { describe, expect, it } from 'vitest';
import type { ClientConfig } from '../src/cli.js';
import { connectError } from '../src/connect-error.js';

const plain: ClientConfig = { server: { host: '::1', port: 7001 }, mode: 'framed', maxFrame: 1024, timeoutMs: 100, tls: undefined, messages: [] };
const tls: ClientConfig = { ...plain, tls: { ca: undefined, insecure: false, servername: undefined } };

function nodeError(code: string, message = code): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

describe('connectError', () => {
  it('keeps transport codes and names the address, exit 3', () => {
    const e = connectError(new ConnectRefusedError('connection refused', { cause: nodeError('ECONNREFUSED') }), plain);
    expect(e).toMatchObject({ code: 'IOCP_ERR_CONNECT_REFUSED', exitCode: 3 });
    expect(e.message).toContain('[::1]:7001');
    expect(connectError(new ConnectTimeoutError('timed out'), plain).code).toBe('IOCP_ERR_CONNECT_TIMEOUT');
  });

  it('turns an untrusted certificate into IOCP_ERR_TLS_VERIFY with a hint', () => {
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED']) {
      const e = connectError(new TlsError('handshake failed', { cause: nodeError(code) }), tls);
      expect(e.code).toBe('IOCP_ERR_TLS_VERIFY');
      expect(e.message).toContain(code);
      expect(e.message).toContain('--ca FILE');
    }
  });

  it('says when the certificate is for another name', () => {
    const e = connectError(new TlsError('handshake failed', { cause: nodeError('ERR_TLS_CERT_ALTNAME_INVALID') }), {
      ...tls,
      tls: { ca: undefined, insecure: false, servername: 'wrong.example' },
    });
    expect(e.code).toBe('IOCP_ERR_TLS_VERIFY');
    expect(e.message).toContain("not valid for 'wrong.example'");
  });

  it('maps bare Node errors when the transport gave no code', () => {
    expect(connectError(nodeError('ECONNREFUSED'), plain).code).toBe('IOCP_ERR_CONNECT_REFUSED');
    expect(connectError(nodeError('ETIMEDOUT'), plain).code).toBe('IOCP_ERR_CONNECT_TIMEOUT');
    expect(connectError(nodeError('EHOSTUNREACH'), plain).code).toBe('IOCP_ERR_CONNECT');
  });
});
