import { describe, expect, it } from 'vitest';
import { EchoSession } from '../src/echo-session.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('EchoSession framed', () => {
  it('resolves when the next frame equals the message', async () => {
    const s = new EchoSession('framed');
    const p = s.expect(b('hello'), 1000);
    s.push(b('hello'));
    expect((await p).toString()).toBe('hello');
    expect(s.matched).toBe(1);
  });

  it('names the message index and both previews on mismatch', async () => {
    const s = new EchoSession('framed');
    const first = s.expect(b('a'), 1000);
    s.push(b('a'));
    await first;
    const p = s.expect(b('hello'), 1000);
    s.push(b('hellp'));
    await expect(p).rejects.toMatchObject({ code: 'IOCP_ERR_ECHO_MISMATCH', exitCode: 1, message: expect.stringMatching(/message 2: sent 5 bytes "hello", got 5 bytes "hellp"/) });
    await expect(s.expect(b('x'), 1000)).rejects.toMatchObject({ code: 'IOCP_ERR_ECHO_MISMATCH' });
  });

  it('treats a frame nobody asked for as a mismatch', async () => {
    const s = new EchoSession('framed');
    s.push(b('surprise'));
    expect(s.error?.code).toBe('IOCP_ERR_ECHO_MISMATCH');
    await expect(s.expect(b('x'), 1000)).rejects.toMatchObject({ code: 'IOCP_ERR_ECHO_MISMATCH' });
  });

  it('times out with IOCP_ERR_ECHO_TIMEOUT', async () => {
    const s = new EchoSession('framed');
    await expect(s.expect(b('late'), 20)).rejects.toMatchObject({ code: 'IOCP_ERR_ECHO_TIMEOUT', exitCode: 4 });
  });

  it('fails the outstanding message when the connection closes', async () => {
    const s = new EchoSession('framed');
    const p = s.expect(b('x'), 1000);
    s.closed('reset', new Error('ECONNRESET'));
    await expect(p).rejects.toMatchObject({ code: 'IOCP_ERR_CONNECTION_CLOSED', message: expect.stringContaining('reset') });
  });
});

describe('EchoSession raw', () => {
  it('matches a message echoed in chunks split at every boundary', async () => {
    const msg = b('raw bytes ✓ across chunks');
    for (let cut = 0; cut <= msg.length; cut++) {
      const s = new EchoSession('raw');
      const p = s.expect(msg, 1000);
      s.push(msg.subarray(0, cut));
      s.push(msg.subarray(cut));
      expect((await p).equals(msg)).toBe(true);
    }
  });

  it('fails at the first wrong byte without waiting for the rest', async () => {
    const s = new EchoSession('raw');
    const p = s.expect(b('abcdef'), 60_000);
    s.push(b('abX'));
    await expect(p).rejects.toMatchObject({ code: 'IOCP_ERR_ECHO_MISMATCH', message: expect.stringContaining('byte 2') });
  });

  it('fails when more bytes come back than were sent', async () => {
    const s = new EchoSession('raw');
    const p = s.expect(b('abc'), 1000);
    s.push(b('abcd'));
    await expect(p).rejects.toMatchObject({ code: 'IOCP_ERR_ECHO_MISMATCH' });
  });

  it('reports how many bytes arrived before a timeout', async () => {
    const s = new EchoSession('raw');
    const p = s.expect(b('abcdef'), 20);
    s.push(b('ab'));
    await expect(p).rejects.toMatchObject({ code: 'IOCP_ERR_ECHO_TIMEOUT', message: expect.stringContaining('got 2 of 6 bytes') });
  });
});
