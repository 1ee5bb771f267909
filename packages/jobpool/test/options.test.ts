import { describe, expect, it } from 'vitest';
import { InvalidOptionError, JobPool, type JobPoolOptions } from '../src/index.js';
import { JOBS, Recorder } from './helpers.js';

function optionError(options: unknown): InvalidOptionError {
  try {
    new JobPool(options as JobPoolOptions);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('expected the constructor to throw');
}

describe('JobPool: options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['filename', { filename: undefined }],
    ['filename', { filename: '' }],
    ['filename', { filename: '/nonexistent/worker.mjs' }],
    ['filename', { filename: new URL('https://example.invalid/w.js') }],
    ['threads', { threads: 0 }],
    ['threads', { threads: 1.5 }],
    ['minThreads', { threads: 1, minThreads: 2 }],
    ['idleTimeoutMs', { idleTimeoutMs: -1 }],
    ['concurrentTasksPerWorker', { concurrentTasksPerWorker: 0 }],
    ['prefetch', { prefetch: -1 }],
    ['maxBatch', { maxBatch: 0 }],
    ['maxBatch', { maxBatch: 1.5 }],
    ['maxBatchUs', { maxBatchUs: -1 }],
    ['resourceLimits', { resourceLimits: 5 }],
    // Too small to boot a worker: Node 22 and 24 abort the whole process instead of failing it.
    ['resourceLimits.maxOldGenerationSizeMb', { resourceLimits: { maxOldGenerationSizeMb: 2 } }],
    ['resourceLimits.maxOldGenerationSizeMb', { resourceLimits: { maxOldGenerationSizeMb: '64' } }],
    ['perKey', { perKey: 3 }],
    ['perKey.max', { perKey: { max: 0 } }],
    ['perKey.highWaterMark', { perKey: { max: 4, highWaterMark: 5 } }],
    ['perKey.lowWaterMark', { perKey: { highWaterMark: 4, lowWaterMark: 4 } }],
    ['queue.max', { queue: { max: -1 } }],
    ['queue.lowWaterMark', { queue: { highWaterMark: 10, lowWaterMark: 11 } }],
    ['cancelRunning', { cancelRunning: 'kill' }],
    ['handler', { handler: { onResult() {} } }],
    ['onHandlerError', { onHandlerError: 'log' }],
  ])('refuses a bad %s with IOCP_ERR_INVALID_OPTION', (option, bad) => {
    const error = optionError({ filename: JOBS, ...bad });
    expect(error.code).toBe('IOCP_ERR_INVALID_OPTION');
    expect(error.option).toBe(option);
  });

  it('refuses a non-object', () => {
    expect(optionError(undefined).option).toBe('options');
  });

  it('accepts a file: URL and clamps default watermarks under a small max', async () => {
    const rec = new Recorder<string>();
    const pool = new JobPool<{ op: 'echo'; value: number }, unknown, string>({
      filename: new URL('./fixtures/jobs.mjs', import.meta.url),
      threads: 1,
      perKey: { max: 2 },
      handler: rec,
    });
    // Default prefetch = threads.
    expect(pool.capacity).toBe(2);
    // max 2 → highWaterMark 2, lowWaterMark 1: the second job pauses the key.
    expect(pool.submit('k', { op: 'echo', value: 1 })).toBe(true);
    expect(pool.submit('k', { op: 'echo', value: 2 })).toBe(false);
    await pool.close();
    expect(rec.deliveries('k').length).toBe(2);
  });

  it('refuses submit to an unknown key without a default handler, and a second openKey', async () => {
    const pool = new JobPool<unknown, unknown, string>({ filename: JOBS, threads: 1 });
    try {
      expect(() => pool.submit('nobody', {})).toThrowError(expect.objectContaining({ code: 'IOCP_ERR_JOB_UNKNOWN_KEY' }));
      pool.openKey('k', new Recorder<string>());
      expect(() => pool.openKey('k', new Recorder<string>())).toThrowError(
        expect.objectContaining({ code: 'IOCP_ERR_JOB_KEY_EXISTS' }),
      );
      expect(() => pool.openKey('x', {} as never)).toThrowError(
        expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }),
      );
    } finally {
      await pool.close();
    }
  });
});
