import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME, parseServerArgs } from '../src/cli.js';
import { formatErrorLine } from '../src/errors.js';
import { parseHostPort, parseByteSize as parseSize } from '@iocp/cli-support';
import { formatEndpoint as formatHostPort } from '@iocp/transport';
import { sendQueueCap } from '../src/server.js';

const quiet = (): void => {};

function parse(args: string[]) {
  const result = parseServerArgs(args, quiet);
  if (result.kind !== 'run') throw new Error('expected a config');
  return result.config;
}

function usageLine(args: string[]): string {
  try {
    parseServerArgs(args, quiet);
  } catch (error) {
    expect((error as { code: string }).code).toBe('IOCP_ERR_USAGE');
    expect((error as { exitCode: number }).exitCode).toBe(2);
    return formatErrorLine('echo-server', error);
  }
  throw new Error(`expected a usage error for ${args.join(' ')}`);
}

describe('parseHostPort', () => {
  it('reads IPv4, host names, bracketed and bare IPv6', () => {
    expect(parseHostPort('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseHostPort('[::1]:7001')).toEqual({ host: '::1', port: 7001 });
    expect(parseHostPort('::1:7001')).toEqual({ host: '::1', port: 7001 });
    expect(parseHostPort('[::]:65535')).toEqual({ host: '::', port: 65535 });
  });

  it.each(['7000', ':7000', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:-1', '[::1]7001', '[nope]:1', 'bad host:1', '1.2.3.4:7x'])(
    'refuses %j',
    (text) => {
      expect(() => parseHostPort(text)).toThrow();
    },
  );

  it('formats IPv6 in brackets', () => {
    expect(formatHostPort('::1', 7001)).toBe('[::1]:7001');
    expect(formatHostPort('127.0.0.1', 7000)).toBe('127.0.0.1:7000');
  });
});

describe('parseSize', () => {
  it('takes binary suffixes', () => {
    expect(parseSize('65536', 1, 2 ** 30)).toBe(65536);
    expect(parseSize('64k', 1, 2 ** 30)).toBe(65536);
    expect(parseSize('1m', 1, 2 ** 30)).toBe(1 << 20);
    expect(parseSize('16MiB', 1, 2 ** 30)).toBe(16 << 20);
    expect(parseSize('1G', 1, 2 ** 30)).toBe(2 ** 30);
  });

  it.each(['', 'k', '1.5m', '-1', '1x', '2g', '0'])('refuses %j', (text) => {
    expect(() => parseSize(text, 1, 2 ** 30)).toThrow();
  });
});

describe('parseServerArgs', () => {
  it('has documented defaults', () => {
    const c = parse([]);
    expect(c.listen).toEqual([{ host: '127.0.0.1', port: 7000 }]);
    expect(c.mode).toBe('framed');
    expect(c.maxFrame).toBe(DEFAULT_MAX_FRAME);
    expect(c.maxConnections).toBeUndefined();
    expect(c.firstDataTimeoutMs).toBe(0);
    expect(c.idleTimeoutMs).toBe(0);
    expect(c.writeTimeoutMs).toBe(0);
    expect(c.heartbeatMs).toBe(0);
    expect(c.heartbeatMisses).toBe(2);
    expect(c.workers).toBe(1);
    expect(c.metrics).toBeUndefined();
    expect(c.tls).toBeUndefined();
    expect(c.jobs).toBe(0);
    expect(c.jobCostUs).toBe(0);
  });

  it('reads every flag', () => {
    const c = parse([
      '--listen', '127.0.0.1:0', '--listen', '[::1]:0', '--max-frame', '64k', '--max-connections', '10',
      '--max-conn-rate', '5', '--max-conn-per-ip', '2', '--first-data-timeout', '100', '--idle-timeout', '200',
      '--write-timeout', '400', '--heartbeat', '1000', '--heartbeat-misses', '3', '--drain-timeout', '300', '--workers', '2', '--metrics', '127.0.0.1:0', '--log-level', 'debug',
      '--jobs', '0', '--job-cost-us', '50', '--max-buffered', '256m',
    ]);
    expect(c.listen).toEqual([
      { host: '127.0.0.1', port: 0 },
      { host: '::1', port: 0 },
    ]);
    expect(c).toMatchObject({
      maxFrame: 65536, maxConnections: 10, maxConnRate: 5, maxConnPerIp: 2, firstDataTimeoutMs: 100,
      idleTimeoutMs: 200, writeTimeoutMs: 400, heartbeatMs: 1000, heartbeatMisses: 3, drainMs: 300, workers: 2, metrics: { host: '127.0.0.1', port: 0 }, logLevel: 'debug', jobCostUs: 50,
      maxBuffered: 256 * 1024 * 1024,
    });
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--listen', 'nope'], /--listen/],
    [['--max-frame', '12q'], /--max-frame/],
    [['--max-frame', '2g'], /out of range/],
    [['--max-buffered', '100k'], /--max-buffered/],
    [['--mode', 'udp'], /--mode/],
    [['--workers', '0'], /--workers/],
    [['--idle-timeout', '-5'], /--idle-timeout/],
    [['--write-timeout', '-5'], /--write-timeout/],
    [['--write-timeout', '1.5'], /--write-timeout/],
    [['--heartbeat', '-1'], /--heartbeat/],
    [['--heartbeat-misses', '0'], /--heartbeat-misses/],
    [['--tls-cert', 'a.pem'], /--tls-cert and --tls-key go together/],
    [['--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem'], /ENOENT/],
    [['--mode', 'raw', '--max-frame', '1m'], /framed only/],
    [['extra'], /too many arguments|unexpected/],
    [['--listen'], /argument missing/],
  ])('%j is a one-line usage error', (args, pattern) => {
    const line = usageLine(args as string[]);
    expect(line).toMatch(/^echo-server: IOCP_ERR_USAGE: /);
    expect(line).toMatch(pattern);
    expect(line).not.toContain('\n');
  });

  it('prints help on --help and asks to exit 0', () => {
    let text = '';
    const result = parseServerArgs(['--help'], (t) => {
      text += t;
    });
    expect(result).toEqual({ kind: 'exit', exitCode: 0 });
    for (const flag of ['--listen', '--mode', '--max-frame', '--max-connections', '--max-conn-rate', '--max-conn-per-ip',
      '--first-data-timeout', '--idle-timeout', '--write-timeout', '--heartbeat', '--heartbeat-misses', '--tls-cert', '--tls-key', '--workers', '--metrics', '--jobs', '--job-cost-us']) {
      expect(text).toContain(flag);
    }
  });
});

describe('sendQueueCap', () => {
  it('is never below one max-size frame with its header', () => {
    for (const maxFrame of [1, 1024, 4 << 20, 16 << 20, 1 << 30]) {
      expect(sendQueueCap({ mode: 'framed', maxFrame })).toBeGreaterThanOrEqual(maxFrame + 4);
      expect(sendQueueCap({ mode: 'framed', maxFrame })).toBeGreaterThanOrEqual(4 << 20);
    }
  });
});
