import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionJobs, ECHO_WORKER_PATH, JobPool, jobPoolHandler } from '../src/index.js';
import { FakeConnection, eventually } from './fake-connection.js';
import { JOBS, Pools, turn } from './helpers.js';

const pools = new Pools();
afterEach(() => pools.closeAll());

function echoPool(costUs: number, extra: Partial<ConstructorParameters<typeof JobPool>[0]> = {}) {
  return pools.track(
    new JobPool<Uint8Array, Uint8Array, number>({
      filename: ECHO_WORKER_PATH,
      threads: 2,
      workerData: { costUs },
      ...extra,
    }),
  );
}

function frame(i: number, size = 8): Uint8Array {
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(0, i);
  return bytes;
}

describe('ConnectionJobs', () => {
  it('sends results back in request order, byte for byte, while jobs finish out of order', async () => {
    const pool = echoPool(1500);
    const a = new FakeConnection(1);
    const b = new FakeConnection(2);
    const ja = new ConnectionJobs(pool, a);
    const jb = new ConnectionJobs(pool, b);
    for (let i = 0; i < 40; i++) {
      ja.submit(frame(i));
      jb.submit(frame(1000 + i));
    }
    await eventually(() => a.sent.length === 40 && b.sent.length === 40);
    expect(a.sent.map((f) => new DataView(f.buffer, f.byteOffset).getUint32(0))).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
    expect(b.sent.map((f) => new DataView(f.buffer, f.byteOffset).getUint32(0))).toEqual(
      Array.from({ length: 40 }, (_, i) => 1000 + i),
    );
    expect(b.sent.every((f) => f.byteLength === 8)).toBe(true);
    // The randomised cost made jobs finish out of order: the reorderer had work to do.
    expect(pool.stats().reordered).toBeGreaterThan(0);
  });

  it('never detaches a view of a larger buffer; transfers owned frames only when allowed', async () => {
    const pool = echoPool(0);
    const conn = new FakeConnection(1);
    const chunk = new Uint8Array(64);
    chunk.fill(7);
    const view = chunk.subarray(8, 16);
    new ConnectionJobs(pool, conn).submit(view);
    expect(chunk.byteLength).toBe(64);
    expect(view.byteLength).toBe(8);
    const owned = new Uint8Array([9, 9, 9]);
    const conn2 = new FakeConnection(2);
    new ConnectionJobs(pool, conn2, { transferOwnedFrames: true }).submit(owned);
    // Moved when the batch leaves, at the end of the turn.
    await turn();
    expect(chunk.byteLength).toBe(64);
    expect(owned.byteLength).toBe(0);
    await eventually(() => conn.sent.length === 1 && conn2.sent.length === 1);
    // Only the frame's 8 bytes travelled, not the 64-byte chunk behind the view.
    expect(conn.sent[0]?.buffer.byteLength).toBe(8);
    expect([...conn.sent[0]!]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    expect([...conn2.sent[0]!]).toEqual([9, 9, 9]);
  });

  it('pauses reading at the high watermark and resumes when drained', async () => {
    const pool = echoPool(2000, { perKey: { max: 16, highWaterMark: 4, lowWaterMark: 1 } });
    const conn = new FakeConnection(7);
    const jobs = new ConnectionJobs(pool, conn);
    const accepted = [0, 1, 2, 3].map((i) => jobs.submit(frame(i)));
    expect(accepted).toEqual([true, true, true, false]);
    expect(conn.calls).toEqual(['pause']);
    expect(jobs.paused).toBe(true);
    const resumed = jobs.whenResumed();
    await resumed;
    expect(conn.calls).toEqual(['pause', 'resume']);
    expect(jobs.paused).toBe(false);
    await jobs.whenResumed(); // settles at once when not paused
    await eventually(() => conn.sent.length === 4);
  });

  it('a paused connection is released when the pool is force-closed', async () => {
    const pool = echoPool(50_000, { perKey: { max: 4, highWaterMark: 1, lowWaterMark: 0 } });
    const conn = new FakeConnection(5);
    const jobs = new ConnectionJobs(pool, conn);
    expect(jobs.submit(frame(0))).toBe(false);
    const resumed = jobs.whenResumed();
    await pool.close({ force: true });
    await resumed;
    expect(conn.calls).toEqual(['pause', 'resume']);
    expect(conn.sent).toEqual([]);
  });

  it('pauses reading while the send queue is full and resumes on drain, combined with pool pressure', async () => {
    const pool = echoPool(0, { perKey: { max: 8, highWaterMark: 2, lowWaterMark: 0 } });
    const conn = new FakeConnection(9);
    const jobs = new ConnectionJobs(pool, conn);
    conn.writable = false; // the peer does not read
    jobs.submit(frame(0));
    await eventually(() => conn.sent.length === 1);
    expect(conn.calls).toEqual(['pause']);
    // Pool pressure comes and goes while the send side is still blocked: reading stays paused.
    jobs.submit(frame(1));
    expect(jobs.submit(frame(2))).toBe(false);
    await eventually(() => conn.sent.length === 3 && !jobs.paused);
    expect(conn.calls).toEqual(['pause']);
    conn.writable = true;
    jobs.drained();
    expect(conn.calls).toEqual(['pause', 'resume']);
  });

  it('cancels on close: nothing is sent afterwards', async () => {
    const pool = echoPool(3000);
    const conn = new FakeConnection(3);
    const jobs = new ConnectionJobs(pool, conn);
    for (let i = 0; i < 10; i++) jobs.submit(frame(i));
    expect(jobs.close()).toBe(10);
    expect(jobs.submit(frame(99))).toBe(false);
    await eventually(() => pool.stats().inFlight === 0);
    expect(conn.sent).toEqual([]);
    expect(pool.stats().cancelled).toBe(10);
  });

  it('destroys the connection on a job error by default, or sends the reply given by onJobError', async () => {
    const pool = pools.track(new JobPool<Uint8Array, Uint8Array, number>({ filename: JOBS, threads: 1 }));
    // fixtures/jobs.mjs reads payload.op: a raw frame has none, so every job throws.
    const conn = new FakeConnection(1);
    new ConnectionJobs(pool, conn).submit(frame(1));
    await eventually(() => conn.calls.includes('destroy'));
    expect((conn.destroyedWith as { code?: string }).code).toBe('IOCP_ERR_JOB_FAILED');
    const conn2 = new FakeConnection(2);
    const jobs2 = new ConnectionJobs(pool, conn2, { onJobError: () => new Uint8Array([0xee]) });
    jobs2.submit(frame(1));
    jobs2.submit(frame(2));
    await eventually(() => conn2.sent.length === 2);
    expect(conn2.sent.map((f) => f[0])).toEqual([0xee, 0xee]);
    expect(conn2.calls).toEqual([]);
  });

  it('destroys a connection that ignores pressure and exceeds perKey.max', async () => {
    const pool = echoPool(5000, { perKey: { max: 2, highWaterMark: 1, lowWaterMark: 0 } });
    const conn = new FakeConnection(1);
    const jobs = new ConnectionJobs(pool, conn);
    jobs.submit(frame(0));
    jobs.submit(frame(1));
    expect(jobs.submit(frame(2))).toBe(false);
    expect((conn.destroyedWith as { code?: string }).code).toBe('IOCP_ERR_JOB_KEY_FULL');
    await eventually(() => pool.stats().inFlight === 0);
    expect(conn.sent).toEqual([]);
  });
});

describe('jobPoolHandler', () => {
  it('wires onOpen/onMessage/onClose and holds events while paused', async () => {
    const pool = echoPool(2000, { perKey: { max: 8, highWaterMark: 2, lowWaterMark: 0 } });
    const handler = jobPoolHandler(pool);
    const conn = new FakeConnection(11);
    handler.onOpen(conn);
    expect(handler.onMessage(conn, frame(0))).toBeUndefined();
    const held = handler.onMessage(conn, frame(1));
    expect(held).toBeInstanceOf(Promise);
    await held;
    expect(conn.calls).toEqual(['pause', 'resume']);
    await eventually(() => conn.sent.length === 2);
    conn.writable = false;
    handler.onMessage(conn, frame(2));
    await eventually(() => conn.sent.length === 3);
    expect(conn.calls).toEqual(['pause', 'resume', 'pause']);
    conn.writable = true;
    handler.onDrain(conn);
    expect(conn.calls).toEqual(['pause', 'resume', 'pause', 'resume']);
    handler.onMessage(conn, frame(4));
    handler.onClose(conn);
    await eventually(() => pool.stats().inFlight === 0);
    expect(conn.sent.length).toBe(3);
    // A message for a connection that is closed and unknown is ignored.
    conn.open = false;
    expect(handler.onMessage(conn, frame(3))).toBeUndefined();
  });

  it('onEnd waits for the replies in flight, then settles; undefined when nothing is in flight', async () => {
    const pool = echoPool(2000);
    const handler = jobPoolHandler(pool);
    const conn = new FakeConnection(12);
    handler.onOpen(conn);
    expect(handler.onEnd(conn)).toBeUndefined();
    for (let i = 0; i < 6; i++) handler.onMessage(conn, frame(i));
    const ended = handler.onEnd(conn);
    expect(ended).toBeInstanceOf(Promise);
    await ended;
    // Settled only after the last reply was sent, in order.
    expect(conn.sent.map((f) => new DataView(f.buffer, f.byteOffset).getUint32(0))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(handler.onEnd(conn)).toBeUndefined();
  });

  it('a pending onEnd settles when the connection closes before its jobs finish', async () => {
    const pool = echoPool(20_000);
    const handler = jobPoolHandler(pool);
    const conn = new FakeConnection(13);
    handler.onOpen(conn);
    for (let i = 0; i < 4; i++) handler.onMessage(conn, frame(i));
    const ended = handler.onEnd(conn);
    handler.onClose(conn);
    await ended;
    expect(conn.sent.length).toBeLessThan(4);
  });
});
