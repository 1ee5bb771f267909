import { describe, expect, it } from 'vitest';
import { createFrameProcessor } from '../src/job-hook.js';

describe('createFrameProcessor (the --jobs / --job-cost-us hook point)', () => {
  it('is absent for a plain echo', () => {
    expect(createFrameProcessor({ jobs: 0, jobCostUs: 0 })).toBeUndefined();
  });

  it('burns --job-cost-us inline and returns the frame unchanged', async () => {
    const p = createFrameProcessor({ jobs: 0, jobCostUs: 2000 })!;
    const frame = Buffer.from('work');
    const start = process.hrtime.bigint();
    const out = await p.process(frame);
    expect(Number(process.hrtime.bigint() - start) / 1000).toBeGreaterThanOrEqual(2000);
    expect(out).toBe(frame);
    await p.close();
  });

  it('refuses --jobs > 0 with a usage error until @iocp/jobpool is wired', () => {
    expect(() => createFrameProcessor({ jobs: 2, jobCostUs: 0 })).toThrow(expect.objectContaining({ code: 'IOCP_ERR_USAGE', exitCode: 2 }));
  });
});
