import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { flushStdio } from '../src/index.js';

/** A stream whose writes complete only when `release()` is called: a reader that has not read yet. */
function slowStream(): { stream: Writable; release: () => void; written: () => number } {
  const pending: (() => void)[] = [];
  let written = 0;
  const stream = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, cb) {
      pending.push(() => {
        written += chunk.length;
        cb();
      });
    },
  });
  const release = (): void => {
    for (let next = pending.shift(); next; next = pending.shift()) next();
  };
  return { stream, release, written: () => written };
}

describe('flushStdio', () => {
  it('resolves at once when nothing is pending', async () => {
    const { stream } = slowStream();
    await flushStdio([stream]);
  });

  it('waits until every byte written before it has left', async () => {
    const s = slowStream();
    s.stream.write('a'.repeat(100));
    s.stream.write('b'.repeat(50));
    let done = false;
    const flushing = flushStdio([s.stream]).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    // Release until the writes (and the empty marker write) completed.
    while (!done) {
      s.release();
      await new Promise((r) => setImmediate(r));
    }
    await flushing;
    expect(s.written()).toBe(150);
  });

  it('a failing stream (reader gone) ends the wait', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        setTimeout(() => cb(Object.assign(new Error('broken pipe'), { code: 'EPIPE' })), 5);
      },
    });
    stream.on('error', () => {});
    stream.write('x');
    await flushStdio([stream]);
  });
});
