import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_BIN, run, splitAddress, startServer } from '../support/processes.js';
import { cleanup } from '../support/sockets.js';

afterEach(cleanup);

describe('echo-server TLS (--tls-cert/--tls-key) with echo-client --tls', () => {
  let dir: string;
  let cert: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'echo-tls-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
        '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      ], { stdio: 'ignore' });
    } catch {
      // no openssl: the committed long-lived fixture (same subject and SANs)
      cert = new URL('../fixtures/tls-cert.pem', import.meta.url).pathname;
      key = new URL('../fixtures/tls-key.pem', import.meta.url).pathname;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('echoes over TLS when the client trusts the certificate (--ca); refuses without it; --insecure warns', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key]);
    const address = server.listening[0]!;
    const ok = await run(CLIENT_BIN, ['--server', address, '--tls', '--ca', cert, 'secret hello']);
    expect(ok).toMatchObject({ code: 0, stdout: 'secret hello\n', stderr: '' });

    const untrusted = await run(CLIENT_BIN, ['--server', address, '--tls', 'x']);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr.trim()).toMatch(/^echo-client: IOCP_ERR_TLS_VERIFY: /);

    const insecure = await run(CLIENT_BIN, ['--server', address, '--tls', '--insecure', 'unverified']);
    expect(insecure.code).toBe(0);
    expect(insecure.stdout).toBe('unverified\n');
    expect(insecure.stderr).toMatch(/--insecure: the server certificate is NOT verified/);

    const env = await run(CLIENT_BIN, ['--server', `localhost:${splitAddress(address).port}`, '--tls', 'via env'], {
      env: { NODE_EXTRA_CA_CERTS: cert },
    });
    expect(env).toMatchObject({ code: 0, stdout: 'via env\n' });

    const plain = await run(CLIENT_BIN, ['--server', address, '--timeout', '2000', 'no tls']);
    expect(plain.code).not.toBe(0);
  });
});
