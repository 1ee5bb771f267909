import { describe, expect, it } from 'vitest';
import { parseStressArgs } from '../../src/cli.js';
import { parseTarget } from '../../src/internal/parse-target.js';
import { splitConfig } from '../../src/internal/run-stress.js';

function options(argv: string[]) {
  const r = parseStressArgs(argv);
  if (r.kind !== 'run') throw new Error('expected run');
  return r.options;
}

describe('parseTarget', () => {
  it('accepts IPv4, names and bracketed IPv6', () => {
    expect(parseTarget('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseTarget('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    expect(parseTarget('[::1]:65535')).toEqual({ host: '::1', port: 65535 });
    expect(parseTarget('::1:7000')).toEqual({ host: '::1', port: 7000 }); // bare IPv6, as in the other apps
  });

  it('refuses a missing or out-of-range port and bad IPv6 with IOCP_ERR_USAGE', () => {
    for (const bad of ['127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', '[nope]:1', '::1:0', ':7000']) {
      expect(() => parseTarget(bad), bad).toThrow(expect.objectContaining({ code: 'IOCP_ERR_USAGE' }));
    }
  });
});

describe('parseStressArgs', () => {
  it('derives the pattern and defaults', () => {
    const o = options(['--target', '127.0.0.1:7']);
    expect(o).toMatchObject({ pattern: 'dense', mode: 'framed', connections: 1, depth: 1, sizeMin: 64, sizeMax: 64, durationMs: 10_000, maxErrors: 0 });
    expect(options(['--target', '127.0.0.1:7', '--interval', '250'])).toMatchObject({ pattern: 'timed', ratePerSec: 4 });
    expect(options(['--target', '127.0.0.1:7', '--short', '--per-conn', '5'])).toMatchObject({ pattern: 'short', perConn: 5 });
    expect(options(['--target', '127.0.0.1:7', '--short'])).toMatchObject({ perConn: 1 });
    expect(options(['--target', '127.0.0.1:7'])).toMatchObject({ perConn: 0, sources: [] });
    expect(options(['--target', '127.0.0.1:7', '--per-conn', '1'])).toMatchObject({ pattern: 'dense', perConn: 1, depth: 1 });
    expect(options(['--target', '127.0.0.1:7', '--messages', '10'])).toMatchObject({ durationMs: 0, messages: 10 });
    expect(options(['--target', '127.0.0.1:7', '--size', '1k-2m'])).toMatchObject({ sizeMin: 1024, sizeMax: 2 * 1024 * 1024 });
  });
});

describe('splitConfig', () => {
  it('spreads connections, ramp and message budget over threads without losing any', () => {
    const o = options(['--target', '127.0.0.1:7', '--connections', '10', '--threads', '3', '--messages', '1001', '--ramp', '30']);
    const parts = splitConfig(o);
    expect(parts.map((p) => p.connections)).toEqual([4, 3, 3]);
    expect(parts.map((p) => p.connIdBase)).toEqual([0, 4, 7]);
    expect(parts.reduce((a, p) => a + p.messages, 0)).toBe(1001);
    expect(parts.reduce((a, p) => a + p.rampPerSec, 0)).toBeCloseTo(30);
  });

  it('gives every thread the whole --source list: the connection id picks the address, so the spread is global', () => {
    const o = options(['--target', '127.0.0.1:7', '--connections', '7', '--threads', '2', '--source', '127.0.0.2-127.0.0.4']);
    const parts = splitConfig(o);
    expect(parts.map((p) => p.sources)).toEqual([
      ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
      ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
    ]);
    expect(parts.map((p) => p.connIdBase)).toEqual([0, 4]);
  });

  it('never gives a thread a zero budget (which would mean unbounded)', () => {
    const o = options(['--target', '127.0.0.1:7', '--connections', '8', '--threads', '4', '--messages', '2']);
    const parts = splitConfig(o);
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.messages > 0)).toBe(true);
  });
});
