import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type TestServer,
  blackhole,
  corruptAt,
  dropAfter,
  echo,
  runJson,
  runStress,
  startServer,
  swapPairs,
} from './helpers/test-servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('stress --reconnect', () => {
  it('reconnects after every close and re-sends what was unanswered: every message answered, none lost', async () => {
    server = await startServer(dropAfter(7));
    const { code, summary } = await runJson([
      '--target', server.target, '--connections', '3', '--depth', '4', '--messages', '300', '--reconnect', '--max-errors', '1000',
    ]);
    expect(code).toBe(0);
    expect(summary.mismatches.count).toBe(0);
    expect(summary.messages.unanswered).toBe(0);
    expect(summary.messages.total).toBeGreaterThanOrEqual(300);
    expect(summary.connections.reconnects).toBeGreaterThan(30);
    // every close was an error the tool reconnected after
    expect(summary.connections.reconnects).toBe(summary.errors.total);
    expect(summary.messages.resent).toBeGreaterThan(0);
    expect(summary.messages.sent).toBe(summary.messages.received + summary.messages.resent);
  });

  it('is refused with --short, --rate and --per-conn', async () => {
    for (const extra of [['--short'], ['--rate', '10'], ['--per-conn', '5']]) {
      const r = await runStress(['--target', '127.0.0.1:1', '--reconnect', ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--reconnect/);
    }
  });
});

describe('stress: verified load', () => {
  it('framed dense run verifies every echo and prints the JSON summary', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--connections', '4', '--depth', '8', '--duration', '1']);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ target: server.target, mode: 'framed', pattern: 'dense', exitCode: 0 });
    expect(summary.config).toMatchObject({ connections: 4, depth: 8, sizeMin: 64, sizeMax: 64, threads: 1 });
    expect(summary.connections).toMatchObject({ requested: 4, opened: 4, failed: 0, closedEarly: 0 });
    expect(summary.connections.openMs).toBeGreaterThan(0);
    expect(summary.messages.received).toBeGreaterThan(100);
    expect(summary.messages.received).toBe(summary.messages.sent);
    expect(summary.messages.perSecond).toBeGreaterThan(0);
    expect(summary.bytes.received).toBe(summary.messages.received * 68);
    expect(summary.bytes.mibPerSecond).toBeGreaterThan(0);
    const l = summary.latencyUs;
    expect(l.count).toBe(summary.messages.received);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max);
    expect(summary.connectLatencyUs.count).toBe(4);
    expect(summary.errors).toEqual({ total: 0, maxAllowed: 0, byCode: {} });
    expect(summary.mismatches).toEqual({ count: 0, first: null });
    expect(summary.elapsedSec).toBeGreaterThanOrEqual(0.9);
  });

  it('raw mode with a size range verifies the returned byte stream', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--mode', 'raw', '--size', '1-70k', '--connections', '2', '--depth', '4', '--duration', '1']);
    expect(code).toBe(0);
    expect(summary.mode).toBe('raw');
    expect(summary.messages.received).toBeGreaterThan(10);
    expect(summary.bytes.received).toBe(summary.bytes.sent);
    expect(summary.mismatches.count).toBe(0);
  });

  it('framed frames over 64 KiB (header + payload slice path) verify', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--size', '60k-200k', '--depth', '3', '--duration', '0.5']);
    expect(code).toBe(0);
    expect(summary.messages.received).toBeGreaterThan(3);
    expect(summary.bytes.received).toBe(summary.bytes.sent);
  });

  it('connects to an IPv6 target given as [::1]:PORT', async () => {
    server = await startServer(echo, '::1');
    const { code, summary } = await runJson(['--target', server.target, '--connections', '2', '--depth', '2', '--duration', '0.3']);
    expect(code).toBe(0);
    expect(summary.target).toMatch(/^\[::1\]:\d+$/);
    expect(summary.connections.opened).toBe(2);
    expect(summary.messages.received).toBeGreaterThan(0);
    // Bare ::1:PORT, as the other apps accept it.
    const bare = server.target.replace(/^\[::1\]:/, '::1:');
    const again = await runJson(['--target', bare, '--duration', '0.2']);
    expect(again.code).toBe(0);
    expect(again.summary.connections.opened).toBe(1);
  });

  it('prints a human summary without --json', async () => {
    server = await startServer(echo);
    const r = await runStress(['--target', server.target, '--duration', '0.3', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^stress 127\.0\.0\.1:\d+ {2}framed/);
    expect(r.stdout).toMatch(/latency us {3}p50 \d/);
    expect(r.stdout).toMatch(/result {7}ok \(exit 0\)/);
  });
});

describe('stress: load patterns and bounds', () => {
  it('timed mode roughly honours --rate', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--connections', '2', '--rate', '50', '--duration', '2']);
    expect(code).toBe(0);
    expect(summary.pattern).toBe('timed');
    // 2 connections x 50/s x 2 s = 200; generous bounds for a busy machine.
    expect(summary.messages.received).toBeGreaterThanOrEqual(120);
    expect(summary.messages.received).toBeLessThanOrEqual(215);
  });

  it('--interval is the same as a rate of 1000/MS', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--interval', '20', '--duration', '1']);
    expect(code).toBe(0);
    expect(summary.config.ratePerSec).toBe(50);
    expect(summary.messages.received).toBeGreaterThanOrEqual(25);
    expect(summary.messages.received).toBeLessThanOrEqual(55);
  });

  it('short mode reports connections per second and connect latency', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--short', '--per-conn', '3', '--depth', '2', '--connections', '2', '--duration', '1']);
    expect(code).toBe(0);
    expect(summary.pattern).toBe('short');
    expect(summary.connections.completed).toBeGreaterThan(5);
    expect(summary.connections.perSecond).toBeGreaterThan(0);
    expect(summary.connections.opened).toBeGreaterThanOrEqual(summary.connections.completed);
    expect(summary.connectLatencyUs.count).toBe(summary.connections.opened);
    expect(summary.messages.received).toBeGreaterThanOrEqual(summary.connections.completed * 3);
    // A connect in progress at the stop is dropped by the client but may reach the server.
    expect(server.connections).toBeGreaterThanOrEqual(summary.connections.opened);
    expect(server.connections).toBeLessThanOrEqual(summary.connections.opened + 2);
  });

  it('--messages bounds the run exactly', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--messages', '1001', '--connections', '3', '--depth', '4']);
    expect(code).toBe(0);
    expect(summary.messages.sent).toBe(1001);
    expect(summary.messages.received).toBe(1001);
  });

  it('--depth 0 opens idle connections and closes them at the end', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--connections', '50', '--depth', '0', '--duration', '0.5']);
    expect(code).toBe(0);
    expect(summary.connections.opened).toBe(50);
    expect(summary.connections.openMs).toBeGreaterThan(0);
    expect(summary.messages.sent).toBe(0);
    expect(server.connections).toBe(50);
  });

  it('--per-conn on long connections: each sends K messages, then stays open and idle until the end', async () => {
    const received: number[] = [];
    server = await startServer((socket, index) => {
      received[index] = 0;
      socket.on('data', (chunk: Buffer) => {
        received[index]! += chunk.length;
        socket.write(chunk);
      });
    });
    const { code, summary } = await runJson(['--target', server.target, '--connections', '30', '--depth', '2', '--per-conn', '3', '--after-open', '--duration', '0.6']);
    expect(code).toBe(0);
    expect(summary.config.perConn).toBe(3);
    expect(summary.connections).toMatchObject({ requested: 30, opened: 30, failed: 0, closedEarly: 0 });
    expect(summary.messages.total).toBe(90);
    expect(summary.errors.total).toBe(0);
    // Every connection sent exactly 3 frames of 68 bytes and nothing after them.
    expect(received).toEqual(Array(30).fill(3 * 68));
    expect(summary.connections.doneMs).toBeGreaterThanOrEqual(summary.connections.openMs!);
    // The connections stayed open (idle) for the whole duration after the last echo.
    expect(summary.elapsedSec).toBeGreaterThanOrEqual(0.55);
    // Without --per-conn there is no "all idle" moment.
    const plain = await runJson(['--target', server.target, '--duration', '0.2']);
    expect(plain.summary.connections.doneMs).toBeNull();
    expect(plain.summary.config.perConn).toBe(0);
  });

  it('--source binds new connections round-robin, split correctly over --threads', async () => {
    const peers: string[] = [];
    server = await startServer((socket) => {
      peers.push(socket.remoteAddress ?? '');
      echo(socket);
    });
    for (const threads of ['1', '2']) {
      peers.length = 0;
      const { code, summary } = await runJson([
        '--target',
        server.target,
        '--connections',
        '9',
        '--threads',
        threads,
        '--source',
        '127.0.0.2-127.0.0.3',
        '--source',
        '127.0.0.4',
        '--depth',
        '1',
        '--duration',
        '0.3',
      ]);
      expect(code, `threads ${threads}`).toBe(0);
      expect(summary.config.sources).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
      expect(summary.messages.received).toBeGreaterThan(0);
      const count = (ip: string) => peers.filter((p) => p === ip).length;
      expect([count('127.0.0.2'), count('127.0.0.3'), count('127.0.0.4')], `threads ${threads}`).toEqual([3, 3, 3]);
    }
  });

  it('--ramp paces the opening and --after-open starts the clock once all are open', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--connections', '20', '--ramp', '20', '--after-open', '--depth', '2', '--duration', '0.5']);
    expect(code).toBe(0);
    // 20 connections at 20/s: the last starts ~950 ms after the first, after a 0.5 s run
    // would have ended without --after-open.
    expect(summary.connections.opened).toBe(20);
    expect(summary.connections.openMs).toBeGreaterThanOrEqual(850);
    expect(summary.elapsedSec).toBeGreaterThanOrEqual(0.45);
    expect(summary.elapsedSec).toBeLessThan(0.9);
    expect(summary.messages.received).toBeGreaterThan(0);
  });

  it('--warmup is excluded from the measured window', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--warmup', '0.5', '--duration', '0.5']);
    expect(code).toBe(0);
    expect(summary.elapsedSec).toBeGreaterThanOrEqual(0.45);
    expect(summary.elapsedSec).toBeLessThan(0.9);
  });

  it('--threads 2 spreads connections over workers and merges the results', async () => {
    server = await startServer(echo);
    const { code, summary } = await runJson(['--target', server.target, '--threads', '2', '--connections', '4', '--depth', '4', '--duration', '1']);
    expect(code).toBe(0);
    expect(summary.config.threads).toBe(2);
    expect(summary.connections.opened).toBe(4);
    expect(server.connections).toBe(4);
    expect(summary.messages.received).toBe(summary.messages.sent);
    expect(summary.latencyUs.count).toBe(summary.messages.received);
  });

  it('--hgrm writes the percentile distribution', async () => {
    server = await startServer(echo);
    const dir = mkdtempSync(join(tmpdir(), 'stress-hgrm-'));
    try {
      const file = join(dir, 'latency.hgrm');
      const { code } = await runJson(['--target', server.target, '--duration', '0.3', '--hgrm', file]);
      expect(code).toBe(0);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/Value\s+Percentile\s+TotalCount/);
      expect(text).toMatch(/#\[Mean\s+=/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('an unwritable --hgrm file (missing folder, or a directory) is reported and the summary states the real exit 1', async () => {
  server = await startServer(echo);
  const dir = mkdtempSync(join(tmpdir(), 'stress-hgrm-'));
  try {
    for (const hgrm of [join(dir, 'missing', 'x.hgrm'), dir]) {
      const r = await runStress(['--target', server.target, '--duration', '0.2', '--quiet', '--hgrm', hgrm]);
      expect(r.code, hgrm).toBe(1);
      expect(r.stderr).toMatch(/^stress: IOCP_ERR_HGRM_WRITE: /);
      expect(r.stdout).toMatch(/\nresult {7}FAILED \(exit 1\)\n$/);
      const json = await runStress(['--target', server.target, '--duration', '0.2', '--quiet', '--json', '--hgrm', hgrm]);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).exitCode).toBe(1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('stress: detecting bad servers', () => {
  it('a corrupted byte fails the run with its connection and offset', async () => {
    server = await startServer(corruptAt(1000));
    const { code, summary } = await runJson(['--target', server.target, '--depth', '4', '--duration', '1']);
    expect(code).toBe(3);
    expect(summary.exitCode).toBe(3);
    expect(summary.mismatches.count).toBe(1);
    const first = summary.mismatches.first!;
    expect(first.connection).toBe(0);
    expect(first.offset).toBe(1000);
    expect(first.actual).toBe(first.expected ^ 0xff);
  });

  it('the human summary names the offending connection and offset', async () => {
    server = await startServer(corruptAt(77));
    const r = await runStress(['--target', server.target, '--duration', '0.5', '--quiet']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/first: connection 0 offset 77 /);
  });

  it('frames echoed in the wrong order are detected', async () => {
    server = await startServer(swapPairs);
    const { code, summary } = await runJson(['--target', server.target, '--depth', '8', '--duration', '0.5']);
    expect(code).toBe(3);
    const first = summary.mismatches.first!;
    // Same size, same header: the first difference is inside the first payload.
    expect(first.offset).toBeGreaterThanOrEqual(4);
    expect(first.offset).toBeLessThan(68);
  });

  it('a corrupted byte inside a large frame is found at its offset', async () => {
    server = await startServer(corruptAt(150_000));
    const { code, summary } = await runJson(['--target', server.target, '--size', '100k', '--depth', '2', '--duration', '0.5']);
    expect(code).toBe(3);
    expect(summary.mismatches.first).toMatchObject({ connection: 0, offset: 150_000 });
  });

  it('raw mode detects a corrupted byte too', async () => {
    server = await startServer(corruptAt(5000));
    const { code, summary } = await runJson(['--target', server.target, '--mode', 'raw', '--size', '100-900', '--depth', '4', '--duration', '1']);
    expect(code).toBe(3);
    expect(summary.mismatches.first?.offset).toBe(5000);
  });

  it('connections dropped by the server count against --max-errors', async () => {
    const dropFirst = (socket: import('node:net').Socket, index: number) => (index === 0 ? socket.destroy() : echo(socket));
    server = await startServer(dropFirst);
    const strict = await runJson(['--target', server.target, '--connections', '3', '--depth', '2', '--duration', '0.5']);
    expect(strict.code).toBe(1);
    expect(strict.summary.errors.total).toBe(1);
    expect(strict.summary.connections.closedEarly).toBe(1);
    await server.close();
    server = await startServer(dropFirst);
    const lenient = await runJson(['--target', server.target, '--connections', '3', '--depth', '2', '--duration', '0.5', '--max-errors', '1']);
    expect(lenient.code).toBe(0);
    expect(lenient.summary.errors.total).toBe(1);
  });

  it('a refused connection is an error by code', async () => {
    server = await startServer(echo);
    const target = server.target;
    await server.close();
    server = undefined;
    const { code, summary } = await runJson(['--target', target, '--duration', '1']);
    expect(code).toBe(1);
    expect(summary.connections.failed).toBe(1);
    expect(summary.errors.byCode).toEqual({ ECONNREFUSED: 1 });
    const human = await runStress(['--target', target, '--duration', '1', '--quiet']);
    expect(human.stdout).toMatch(/^connections {2}opened 0 {2}failed 1 {2}closed early 0 {2}none opened$/m);
    expect(human.stdout).not.toMatch(/all open in/);
  });

  it('unanswered messages fail the run after the drain timeout', async () => {
    server = await startServer(blackhole);
    const { code, summary } = await runJson(['--target', server.target, '--connections', '2', '--depth', '3', '--duration', '0.3', '--drain-timeout', '200']);
    expect(code).toBe(1);
    expect(summary.messages.unanswered).toBe(6);
    expect(summary.errors.byCode).toEqual({ IOCP_ERR_DRAIN_TIMEOUT: 2 });
  });
});

describe('stress: bad flags', () => {
  const cases: [string, string[]][] = [
    ['missing --target', []],
    ['unknown flag', ['--target', '127.0.0.1:9', '--bogus']],
    ['bad integer', ['--target', '127.0.0.1:9', '--connections', 'x']],
    ['bad mode', ['--target', '127.0.0.1:9', '--mode', 'json']],
    ['bad size', ['--target', '127.0.0.1:9', '--size', '10-5']],
    ['bad target', ['--target', 'localhost']],
    ['port 0', ['--target', '127.0.0.1:0']],
    ['depth with rate', ['--target', '127.0.0.1:9', '--depth', '2', '--rate', '5']],
    ['rate with interval', ['--target', '127.0.0.1:9', '--rate', '5', '--interval', '5']],
    ['per-conn with rate', ['--target', '127.0.0.1:9', '--per-conn', '2', '--rate', '5']],
    ['per-conn with depth 0', ['--target', '127.0.0.1:9', '--per-conn', '2', '--depth', '0']],
    ['per-conn with messages', ['--target', '127.0.0.1:9', '--per-conn', '2', '--messages', '10']],
    ['source not an IP', ['--target', '127.0.0.1:9', '--source', 'localhost']],
    ['source range reversed', ['--target', '127.0.0.1:9', '--source', '127.0.0.9-127.0.0.2']],
    ['source not on this host', ['--target', '127.0.0.1:9', '--source', '192.0.2.1']],
    ['source family differs from target', ['--target', '[::1]:9', '--source', '127.0.0.2']],
    ['extra argument', ['--target', '127.0.0.1:9', 'extra']],
  ];
  it.each(cases)('%s exits 2 with one line on stderr', async (_name, args) => {
    const r = await runStress(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^stress: IOCP_ERR_USAGE: [^\n]+\n$/);
  });

  it('--help exits 0 and lists the flags', async () => {
    const r = await runStress(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--connections');
    expect(r.stdout).toContain('--hgrm');
  });
});
