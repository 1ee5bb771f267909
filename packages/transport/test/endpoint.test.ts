import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { raw } from '@iocp/framing';
import { CompletionPort, InvalidEndpointError, formatEndpoint, parseEndpoint } from '../src/index.js';

describe('parseEndpoint', () => {
  it('reads IPv4, host names, bracketed and bare IPv6', () => {
    expect(parseEndpoint('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000, family: 'IPv4' });
    expect(parseEndpoint('localhost:0')).toEqual({ host: 'localhost', port: 0, family: 'hostname' });
    expect(parseEndpoint('echo-1.example.com:65535')).toEqual({ host: 'echo-1.example.com', port: 65535, family: 'hostname' });
    expect(parseEndpoint('[::1]:7001')).toEqual({ host: '::1', port: 7001, family: 'IPv6' });
    expect(parseEndpoint('[::]:7000')).toEqual({ host: '::', port: 7000, family: 'IPv6' });
    expect(parseEndpoint('::1:7001')).toEqual({ host: '::1', port: 7001, family: 'IPv6' });
    expect(parseEndpoint('[::ffff:127.0.0.1]:80')).toEqual({ host: '::ffff:127.0.0.1', port: 80, family: 'IPv6' });
    expect(parseEndpoint('[fe80::1%eth0]:80')).toMatchObject({ host: 'fe80::1%eth0', family: 'IPv6' });
  });

  it('takes defaultHost for a bare port, and only then', () => {
    expect(parseEndpoint('7000', { defaultHost: '127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 7000, family: 'IPv4' });
    expect(parseEndpoint(':7001', { defaultHost: '::1' })).toEqual({ host: '::1', port: 7001, family: 'IPv6' });
    expect(parseEndpoint('10.0.0.1:80', { defaultHost: '::1' }).host).toBe('10.0.0.1');
    expect(() => parseEndpoint('7000')).toThrow(/'7000' is not HOST:PORT/);
    expect(() => parseEndpoint(':7000')).toThrow(/is not HOST:PORT/);
    expect(() => parseEndpoint('7000', { defaultHost: 'bad host' })).toThrow(/default host 'bad host'/);
  });

  it('refuses malformed and hostile input with IOCP_ERR_INVALID_ENDPOINT and a one-line message', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['', /is not HOST:PORT/],
      ['nohostport', /is not HOST:PORT/],
      [':80', /is not HOST:PORT/],
      ['127.0.0.1:', /port '' in/],
      ['127.0.0.1:65536', /port 65536 .* out of range 0\.\.65535/],
      ['127.0.0.1:123456', /is not a number/],
      ['127.0.0.1:-1', /is not a number/],
      ['127.0.0.1:+1', /is not a number/],
      ['127.0.0.1: 80', /is not a number/],
      ['127.0.0.1:8e3', /is not a number/],
      ['127.0.0.1:٨٠', /is not a number/], // Arabic-Indic digits are not ASCII digits
      ['[::1]', /IPv6 form is \[ADDR\]:PORT/],
      ['[::1:80', /IPv6 form/],
      ['[::1]80', /IPv6 form/],
      ['[127.0.0.1]:80', /is not an IPv6 address/],
      ['[]:80', /is not an IPv6 address/],
      ['[::1]:80:80', /is not a number/],
      ['bad_host:80', /is not an IP address or host name/],
      ['-lead.example:80', /is not an IP address or host name/],
      ['a..b:80', /is not an IP address or host name/],
      ['host name:80', /is not an IP address or host name/],
      ['evil\n.example:80', /is not an IP address or host name/],
      ['127.0.0.1\r\n:80', /is not an IP address or host name/],
      ['127.0.0.1:80\n', /is not a number/],
      ['\u0000:80', /is not an IP address or host name/],
      [`${'a'.repeat(64)}.com:80`, /is not an IP address or host name/],
      [`${'a.'.repeat(130)}com:80`, /is not an IP address or host name/],
      [`${'a'.repeat(400)}:80`, /longer than 300 characters/],
      [42, /must be a string, got number/],
      [undefined, /must be a string, got undefined/],
    ];
    for (const [text, re] of bad) {
      let thrown: unknown;
      try {
        parseEndpoint(text as string);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, String(text)).toBeInstanceOf(InvalidEndpointError);
      expect((thrown as InvalidEndpointError).code).toBe('IOCP_ERR_INVALID_ENDPOINT');
      expect((thrown as Error).message, JSON.stringify(text)).toMatch(re);
      expect((thrown as Error).message).not.toMatch(/[\n\r\0]/);
    }
  });

  it('never throws anything but InvalidEndpointError and never hangs on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => {
        try {
          const e = parseEndpoint(text);
          expect(e.port).toBeGreaterThanOrEqual(0);
          expect(e.port).toBeLessThanOrEqual(65535);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEndpointError);
        }
      }),
      { numRuns: 2000 },
    );
    // A long run of label characters does not backtrack catastrophically.
    const started = performance.now();
    expect(() => parseEndpoint(`${'a-'.repeat(140)}!:1`)).toThrow(InvalidEndpointError);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('formatEndpoint', () => {
  it('brackets IPv6 only', () => {
    expect(formatEndpoint('127.0.0.1', 7000)).toBe('127.0.0.1:7000');
    expect(formatEndpoint('localhost', 1)).toBe('localhost:1');
    expect(formatEndpoint('::1', 7001)).toBe('[::1]:7001');
    expect(formatEndpoint('::ffff:127.0.0.1', 80)).toBe('[::ffff:127.0.0.1]:80');
  });

  it('round-trips with parseEndpoint', () => {
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
    fc.assert(
      fc.property(host, fc.integer({ min: 0, max: 65535 }), (h, port) => {
        const parsed = parseEndpoint(formatEndpoint(h, port));
        expect(parsed.host).toBe(h);
        expect(parsed.port).toBe(port);
        expect(formatEndpoint(parsed.host, parsed.port)).toBe(formatEndpoint(h, port));
      }),
      { numRuns: 500 },
    );
  });

  it('is what Listener.address prints, for IPv4 and IPv6', async () => {
    const port = new CompletionPort();
    try {
      for (const at of ['127.0.0.1:0', '[::1]:0']) {
        const { host } = parseEndpoint(at);
        const listener = await port.listen({ host, port: 0, codec: raw() }, {});
        expect(listener.address).toBe(formatEndpoint(listener.host, listener.port));
        expect(parseEndpoint(listener.address)).toMatchObject({ host, port: listener.port });
      }
    } finally {
      await port.close();
    }
  });
});

