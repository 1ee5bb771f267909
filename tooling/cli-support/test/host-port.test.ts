import { formatEndpoint, parseEndpoint } from '@iocp/transport';
import { describe, expect, it } from 'vitest';
import { parseHostPort, parseServerHostPort } from '../src/index.js';

// The grammar itself is tested with parseEndpoint in @iocp/transport; here: the narrowing.
describe('parseHostPort', () => {
  it('is parseEndpoint without the family: exactly { host, port }', () => {
    for (const text of ['127.0.0.1:7000', 'localhost:0', '[::1]:7001', '::1:7001']) {
      const { host, port, family } = parseEndpoint(text);
      const hostPort = parseHostPort(text);
      expect(Object.keys(hostPort).sort(), text).toEqual(['host', 'port']);
      expect(hostPort).toEqual({ host, port });
      expect(family).toBeDefined();
    }
    const { host, port } = parseHostPort('[::]:65535');
    expect(formatEndpoint(host, port)).toBe('[::]:65535');
  });

  it('passes parseEndpoint errors through (IOCP_ERR_INVALID_ENDPOINT, one line)', () => {
    expect(() => parseHostPort('bad host:1')).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_ENDPOINT' }));
    expect(() => parseHostPort('127.0.0.1:65536')).toThrow(/out of range 0\.\.65535/);
  });
});

describe('parseServerHostPort', () => {
  it('is parseHostPort for an address to connect to: port 0 names no server', () => {
    expect(parseServerHostPort('[::1]:7001')).toEqual({ host: '::1', port: 7001 });
    expect(parseServerHostPort('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    expect(() => parseServerHostPort('127.0.0.1:0')).toThrow(/port 0 in '127\.0\.0\.1:0' names no server \(1\.\.65535\)/);
    expect(() => parseServerHostPort('bad host:1')).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_ENDPOINT' }));
  });
});
