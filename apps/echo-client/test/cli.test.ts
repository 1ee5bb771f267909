import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, parseClientArgs } from '../src/cli.js';
import { formatErrorLine } from '../src/errors.js';

const quiet = (): void => {};

function parse(args: string[]) {
  const result = parseClientArgs(args, quiet);
  if (result.kind !== 'run') throw new Error('expected a config');
  return result.config;
}

/** A PEM file that holds a key, not a certificate (a `--ca` mix-up). */
const NOT_A_CERT = fileURLToPath(new URL('../../echo-server/test/fixtures/tls-key.pem', import.meta.url));

describe('parseClientArgs', () => {
  it('reads server, mode, timeout, TLS and messages', () => {
    const c = parse(['--server', '[::1]:7001', '--mode', 'raw', '--timeout', '250', '--tls', '--servername', 'echo.test', 'a', 'b c']);
    expect(c.server).toEqual({ host: '::1', port: 7001 });
    expect(c.mode).toBe('raw');
    expect(c.timeoutMs).toBe(250);
    expect(c.tls).toEqual({ ca: undefined, insecure: false, servername: 'echo.test' });
    expect(c.messages).toEqual(['a', 'b c']);
  });

  it('defaults: framed, 5 s, no TLS, stdin; SNI from a host name but not from an IP', () => {
    const c = parse(['--server', '127.0.0.1:7000']);
    expect(c).toMatchObject({ mode: 'framed', timeoutMs: DEFAULT_TIMEOUT_MS, tls: undefined, messages: [] });
    expect(parse(['--server', 'localhost:1', '--tls']).tls?.servername).toBe('localhost');
    expect(parse(['--server', '127.0.0.1:1', '--tls']).tls?.servername).toBeUndefined();
  });

  it.each([
    [[], /--server/],
    [['--server', 'nope'], /--server/],
    [['--server', '127.0.0.1:0'], /--server .*port 0 in '127\.0\.0\.1:0' names no server/],
    [['--server', '127.0.0.1:1', '--ca', 'x.pem'], /--ca needs --tls/],
    [['--server', '127.0.0.1:1', '--insecure'], /--insecure needs --tls/],
    [['--server', '127.0.0.1:1', '--tls', '--insecure', '--ca', 'x.pem'], /contradict/],
    [['--server', '127.0.0.1:1', '--tls', '--ca', '/nonexistent/ca.pem'], /ENOENT/],
    [['--server', '127.0.0.1:1', '--tls', '--ca', NOT_A_CERT], /--ca .*tls-key\.pem is not a valid PEM CA certificate \(bundle\)/],
    [['--server', '127.0.0.1:1', '--timeout', '0'], /--timeout/],
    [['--server', '127.0.0.1:1', '--max-frame', '4', 'hello'], /message 1 is 5 bytes/],
    [['--server', '127.0.0.1:1', '--frobnicate'], /unknown option/],
  ])('%j is a one-line usage error (exit 2)', (args, pattern) => {
    let error: unknown;
    try {
      parseClientArgs(args as string[], quiet);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'IOCP_ERR_USAGE', exitCode: 2 });
    const line = formatErrorLine(error);
    expect(line).toMatch(/^echo-client: IOCP_ERR_USAGE: /);
    expect(line).toMatch(pattern);
    expect(line).not.toContain('\n');
  });
});
