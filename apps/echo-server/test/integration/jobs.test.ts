import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_BIN, run, startServer } from '../support/processes.js';
import { cleanup, socketTo } from '../support/sockets.js';
import { eventually, frame, metricValue, scrape, untilClosed } from '../support/wire.js';

afterEach(cleanup);

const STRESS_BIN = fileURLToPath(new URL('../../../stress/bin/stress.js', import.meta.url));

interface StressSummary {
  messages: { sent: number; received: number; unanswered: number };
  mismatches: { count: number };
  errors: { total: number };
  exitCode: number;
}

/** `count` frames whose payloads are their index (4 bytes) and a tag, in one buffer. */
function numberedFrames(count: number, tag: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const body = Buffer.alloc(12, tag);
    body.writeUInt32BE(i, 0);
    body.writeUInt32BE(tag, 4);
    parts.push(frame(body));
  }
  return Buffer.concat(parts);
}

/** Split a framed byte stream into payloads. */
function payloads(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const len = bytes.readUInt32BE(at);
    if (at + 4 + len > bytes.length) break;
    out.push(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

describe('echo-server --jobs (frames as @iocp/jobpool jobs)', () => {
  it('stress: 20 connections × depth 8 through 2 threads — every message echoed byte for byte, in order', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--jobs', '2', '--job-cost-us', '200', '--metrics', '127.0.0.1:0']);
    const N = 2000;
    const r = await run(
      STRESS_BIN,
      ['--target', server.listening[0]!, '--connections', '20', '--depth', '8', '--messages', String(N), '--json', '--quiet'],
      { timeoutMs: 25_000 },
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as StressSummary;
    expect(summary.mismatches.count).toBe(0);
    expect(summary.errors.total).toBe(0);
    expect(summary.messages.sent).toBe(N);
    expect(summary.messages.received).toBe(N);
    expect(summary.messages.unanswered).toBe(0);
    // Every message really went through the pool.
    const text = await scrape(server.metrics!);
    expect(metricValue(text, 'iocp_jobs_completed_total')).toBe(N);
    expect(metricValue(text, 'iocp_jobs_failed_total')).toBe(0);
    expect(metricValue(text, 'iocp_jobs_threads')).toBe(2);
  });

  it('jobs finish out of order (iocp_jobs_reordered_total > 0) and replies still arrive in request order', async () => {
    // Randomised 1–3 ms jobs on 2 threads, 64 pipelined frames per connection: later jobs of a
    // connection regularly finish first, so a pool without reordering would answer out of order.
    const server = await startServer(['--listen', '127.0.0.1:0', '--jobs', '2', '--job-cost-us', '2000', '--metrics', '127.0.0.1:0']);
    const COUNT = 64;
    const sockets = await Promise.all([1, 2].map(() => socketTo(server.listening[0]!)));
    const replies = sockets.map((s) => untilClosed(s));
    sockets.forEach((s, tag) => s.end(numberedFrames(COUNT, tag + 1)));
    const received = await Promise.all(replies);
    received.forEach((bytes, i) => {
      const frames = payloads(bytes);
      expect(frames.map((f) => f.readUInt32BE(0))).toEqual(Array.from({ length: COUNT }, (_, k) => k));
      expect(frames.every((f) => f.length === 12 && f.readUInt32BE(4) === i + 1)).toBe(true);
      expect(bytes.equals(numberedFrames(COUNT, i + 1))).toBe(true);
    });
    const text = await scrape(server.metrics!);
    expect(metricValue(text, 'iocp_jobs_reordered_total')).toBeGreaterThan(0);
    expect(metricValue(text, 'iocp_jobs_completed_total')).toBe(2 * COUNT);
    expect(metricValue(text, 'iocp_jobs_cancelled_total')).toBe(0);
    expect(await server.stop('SIGTERM')).toBe(0);
    const closed = server.stderr().split('\n').find((l) => l.includes('"job pool closed"'));
    expect(JSON.parse(closed!).jobs.reordered).toBeGreaterThan(0);
  });

  it('a peer that half-closes right after its frames still receives every reply, then the FIN', async () => {
    // 5–15 ms per job on one thread: the FIN arrives while nearly all jobs are still queued.
    const server = await startServer(['--listen', '127.0.0.1:0', '--jobs', '1', '--job-cost-us', '10000']);
    const COUNT = 30;
    const s = await socketTo(server.listening[0]!);
    const reply = untilClosed(s);
    s.end(numberedFrames(COUNT, 9));
    const frames = payloads(await reply);
    expect(frames.map((f) => f.readUInt32BE(0))).toEqual(Array.from({ length: COUNT }, (_, k) => k));
  });

  it('good frames then an oversized header: every reply of the jobs in flight arrives before the close', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--jobs', '1', '--job-cost-us', '10000', '--max-frame', '1k']);
    const COUNT = 20;
    const s = await socketTo(server.listening[0]!);
    const reply = untilClosed(s);
    const tooLong = Buffer.alloc(4);
    tooLong.writeUInt32BE(1025);
    s.write(Buffer.concat([numberedFrames(COUNT, 7), tooLong]));
    const bytes = await reply;
    expect(bytes.equals(numberedFrames(COUNT, 7))).toBe(true);
  });

  it('rejects a bad --jobs with exit 2 and one IOCP_ERR_USAGE line', async () => {
    for (const bad of ['-1', 'two', '1.5', '1025']) {
      const r = await run(SERVER_BIN, ['--listen', '127.0.0.1:0', '--jobs', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('IOCP_ERR_USAGE');
      expect(r.stdout).toBe('');
    }
  });

  it('SIGTERM with jobs in flight exits 0 and closes the pool', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--jobs', '1', '--job-cost-us', '50000', '--metrics', '127.0.0.1:0']);
    const s = await socketTo(server.listening[0]!);
    s.write(numberedFrames(40, 3)); // ~2 s of work on one thread
    await eventually(async () => ((metricValue(await scrape(server.metrics!), 'iocp_jobs_in_flight') ?? 0) > 0 ? true : undefined));
    const started = Date.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    // The drain does not wait for 40 queued jobs: the connection closes, its jobs are cancelled.
    expect(Date.now() - started).toBeLessThan(15_000);
    const closed = server.stderr().split('\n').find((l) => l.includes('"job pool closed"'));
    expect(closed).toBeDefined();
    const jobs = JSON.parse(closed!).jobs as { submitted: number; completed: number; cancelled: number };
    expect(jobs.cancelled).toBeGreaterThan(0);
    expect(jobs.completed + jobs.cancelled).toBe(jobs.submitted);
  });

  it('--workers 2 --jobs 1: each cluster worker runs its own pool; metrics sum over them', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--workers', '2', '--jobs', '1', '--metrics', '127.0.0.1:0']);
    const pools = await eventually(() => {
      const pids = server
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"job pool started"'))
        .map((l) => (JSON.parse(l) as { pid: number }).pid);
      return pids.length >= 2 ? new Set(pids) : undefined;
    });
    expect(pools.size).toBe(2);
    expect(pools.has(server.child.pid!)).toBe(false);
    const s = await socketTo(server.listening[0]!);
    const reply = untilClosed(s);
    s.end(numberedFrames(10, 5));
    expect(payloads(await reply).map((f) => f.readUInt32BE(0))).toEqual(Array.from({ length: 10 }, (_, k) => k));
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_jobs_completed_total') === 10 ? t : undefined;
    });
    expect(metricValue(text, 'iocp_jobs_threads')).toBe(2); // one thread in each worker
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});
