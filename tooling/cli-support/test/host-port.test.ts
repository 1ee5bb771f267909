import { formatEndpoint } from '@iocp/transport';
import { describe, expect, it } from 'vitest';
import { parseHostPort } from '../src/index.js';

describe('parseHostPort', () => {
  it('keeps host and port only', () => {
    expect(parseHostPort('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseHostPort('[::1]:7001')).toEqual({ host: '::1', port: 7001 });
    expect(parseHostPort('::1:7001')).toEqual({ host: '::1', port: 7001 });
    const { host, port } = parseHostPort('[::]:65535');
    expect(formatEndpoint(host, port)).toBe('[::]:65535');
  });

  it.each(['7000', ':7000', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:-1', '[::1]7001', '[nope]:1', 'bad host:1', '1.2.3.4:7x'])(
    'refuses %j with IOCP_ERR_INVALID_ENDPOINT',
    (text) => {
      expect(() => parseHostPort(text)).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_ENDPOINT' }));
    },
  );
});
