import { describe, expect, it } from 'vitest';
import { InlineCostProcessor, createJobHook } from '../src/job-hook.js';
import { createLogger } from '../src/logger.js';

const log = createLogger('silent', 'single');

describe('createJobHook (the --jobs / --job-cost-us hook point)', () => {
  it('serves with the echo handler when --jobs is 0', async () => {
    const hook = createJobHook({ jobs: 0, jobCostUs: 0 }, log);
    expect(typeof hook.handler.onMessage).toBe('function');
    expect(typeof hook.handler.onDrain).toBe('function');
    await hook.close();
  });

  it('burns --job-cost-us inline and returns the frame unchanged', () => {
    const p = new InlineCostProcessor(2000);
    const frame = Buffer.from('work');
    const start = process.hrtime.bigint();
    const out = p.process(frame);
    expect(Number(process.hrtime.bigint() - start) / 1000).toBeGreaterThanOrEqual(2000);
    expect(out).toBe(frame);
  });

  it('the echo handler runs the cost before replying', () => {
    const hook = createJobHook({ jobs: 0, jobCostUs: 3000 }, log);
    const sent: Buffer[] = [];
    const conn = { send: (b: Buffer) => sent.push(b) > 0, writable: true, pause() {} };
    const start = process.hrtime.bigint();
    hook.handler.onMessage?.(conn as never, Buffer.from('x'));
    expect(Number(process.hrtime.bigint() - start) / 1000).toBeGreaterThanOrEqual(3000);
    expect(sent.map(String)).toEqual(['x']);
  });

  it('with --jobs > 0 serves through a job pool: ordered replies, a half-close waits for them', async () => {
    const hook = createJobHook({ jobs: 2, jobCostUs: 1000 }, log);
    try {
      expect(hook.jobStats?.().threads).toBeGreaterThan(0);
      const sent: number[] = [];
      const conn = {
        handle: 7,
        open: true,
        writable: true,
        remoteAddress: '127.0.0.1',
        remotePort: 1,
        localPort: 2,
        send: (b: Uint8Array) => sent.push(b[0]!) > 0,
        pause() {},
        resume() {},
        destroy() {},
      };
      hook.handler.onOpen?.(conn as never);
      for (let i = 0; i < 8; i++) hook.handler.onMessage?.(conn as never, Buffer.from([i]));
      const ended = hook.handler.onEnd?.(conn as never);
      expect(ended).toBeInstanceOf(Promise);
      await ended;
      expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(hook.jobStats?.().completed).toBe(8);
      hook.handler.onClose?.(conn as never, 'peer-closed');
    } finally {
      await hook.close();
    }
  });
});
