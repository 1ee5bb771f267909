import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { JobPool, jobPoolHandler } from '@iocp/jobpool';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobErrorPolicy, createJobsHandler } from '../src/jobs-handler.js';

const FAILING = fileURLToPath(new URL('./fixtures/failing-job.mjs', import.meta.url));
const pools: JobPool<Uint8Array, Uint8Array, number>[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close({ force: true })));
});

function capture(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    log: pino({ level: 'info' }, stream),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function fakeConn(handle: number) {
  const conn = {
    handle,
    open: true,
    writable: true,
    remoteAddress: '127.0.0.1',
    remotePort: 40000 + handle,
    localPort: 7000,
    sent: [] as Uint8Array[],
    destroyedWith: undefined as Error | undefined,
    send(frame: Uint8Array) {
      conn.sent.push(frame);
      return true;
    },
    pause() {},
    resume() {},
    destroy(error?: Error) {
      conn.open = false;
      conn.destroyedWith = error;
    },
  };
  return conn;
}

describe('the --jobs handler: failed jobs', () => {
  it('a failed job is logged at warn level and closes that connection only', async () => {
    const { log, lines } = capture();
    const pool = new JobPool<Uint8Array, Uint8Array, number>({ filename: FAILING, threads: 1 });
    pools.push(pool);
    const handler = createJobsHandler(jobPoolHandler(pool, { onJobError: createJobErrorPolicy(log) }), log);
    const bad = fakeConn(1);
    const other = fakeConn(2);
    handler.onOpen?.(bad as never);
    handler.onOpen?.(other as never);
    handler.onMessage?.(bad as never, Buffer.from('x'));
    await new Promise<void>((resolve) => {
      const poll = (): void => (bad.destroyedWith ? resolve() : void setTimeout(poll, 5));
      poll();
    });
    expect((bad.destroyedWith as { code?: string }).code).toBe('IOCP_ERR_JOB_FAILED');
    expect(bad.sent).toEqual([]);
    expect(other.open).toBe(true);
    const warn = lines().find((l) => l.msg === 'job failed; closing the connection');
    expect(warn).toMatchObject({ level: 40, handle: 1, code: 'IOCP_ERR_JOB_FAILED' });
    // conn.destroy(error) closes with reason 'local'; the warn line above is the record of why.
    handler.onClose?.(bad as never, 'local', bad.destroyedWith);
    expect(pool.stats().failed).toBe(1);
    expect(pool.stats().keys).toBe(1); // only the other connection is still attached
  });
});
