import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from '../../src/internal/engine-types.js';
import { ProgressLine } from '../../src/internal/progress-line.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('ProgressLine', () => {
  it('redraws one line with counters summed over the engines, and erases it at the end', () => {
    vi.useFakeTimers();
    const a = new Float64Array(Progress.length);
    const b = new Float64Array(Progress.length);
    const writes: string[] = [];
    const out = { write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const line = new ProgressLine([a, b], out);
    line.begin();
    a[Progress.phase] = 1;
    b[Progress.phase] = 1;
    a[Progress.open] = 3;
    b[Progress.open] = 4;
    a[Progress.received] = 1000;
    b[Progress.received] = 500;
    b[Progress.mismatches] = 1;
    vi.advanceTimersByTime(500);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.startsWith('\r\x1b[2Krun ')).toBe(true);
    expect(writes[0]).toContain('open 7');
    expect(writes[0]).toContain('msgs 1500');
    expect(writes[0]).toContain('mismatches 1');
    a[Progress.phase] = 2;
    vi.advanceTimersByTime(500);
    // The line shows the phase of the slowest engine.
    expect(writes[1]!.startsWith('\r\x1b[2Krun ')).toBe(true);
    b[Progress.phase] = 2;
    vi.advanceTimersByTime(500);
    expect(writes[2]!.startsWith('\r\x1b[2Kdrain ')).toBe(true);
    line.end();
    expect(writes.at(-1)).toBe('\r\x1b[2K');
    vi.advanceTimersByTime(2000);
    expect(writes).toHaveLength(4);
  });
});
