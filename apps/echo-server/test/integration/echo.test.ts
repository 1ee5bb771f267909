import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_BIN, run, startServer } from '../support/processes.js';
import { cleanup, socketTo } from '../support/sockets.js';
import { eventually, frame, framedEcho, metricValue, readBytes, scrape, untilClosed } from '../support/wire.js';

afterEach(cleanup);

describe('echo-server echo paths: raw mode, bad frames, slow readers', () => {
  it('echoes raw bytes in --mode raw, for the client and for a plain socket', async () => {
    const server = await startServer(['--mode', 'raw', '--listen', '127.0.0.1:0']);
    const r = await run(CLIENT_BIN, ['--server', server.listening[0]!, '--mode', 'raw', 'raw one', 'raw two']);
    expect(r).toMatchObject({ code: 0, stdout: 'raw one\nraw two\n' });
    const s = await socketTo(server.listening[0]!);
    const bytes = Buffer.from([0, 0, 0, 9, 255, 1, 2]); // no framing: a "header" is just bytes
    s.write(bytes);
    expect((await readBytes(s, bytes.length)).equals(bytes)).toBe(true);
  });

  it('an oversized frame header closes only that connection', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--max-frame', '1k']);
    const bad = await socketTo(server.listening[0]!);
    const good = await socketTo(server.listening[0]!);
    expect((await framedEcho(good, Buffer.from('before'))).toString()).toBe('before');
    const closed = untilClosed(bad);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    bad.write(header);
    expect((await closed).length).toBe(0);
    expect((await framedEcho(good, Buffer.alloc(1024, 1))).length).toBe(1024); // exactly max still fine
    expect((await framedEcho(good, Buffer.from('after'))).toString()).toBe('after');
  });

  it('a good frame and an oversized header in one write: the good frame is echoed before the close', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--max-frame', '1k']);
    const s = await socketTo(server.listening[0]!);
    const closed = untilClosed(s);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    s.write(Buffer.concat([frame(Buffer.from('last words')), header]));
    expect((await closed).equals(frame(Buffer.from('last words')))).toBe(true);
  });

  it('echoes a max-size frame: the send-queue cap is never below --max-frame', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--max-frame', '6m']);
    const s = await socketTo(server.listening[0]!);
    const payload = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4096) payload[i] = i & 0xff;
    const echo = await framedEcho(s, payload);
    expect(echo.equals(payload)).toBe(true);
  });

  it('a peer that sends without reading is paused, not grown: queue stays bounded, every echo arrives later', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0']);
    const s = await socketTo(server.listening[0]!);
    s.pause();
    const payload = Buffer.alloc(64 * 1024, 3);
    const count = 256; // 16 MiB of echoes the peer does not read yet
    for (let i = 0; i < count; i++) s.write(frame(payload));
    // the server reads until its queue passes the high watermark, then stops reading this peer
    await eventually(async () => ((metricValue(await scrape(server.metrics!), 'iocp_received_messages_total') ?? 0) > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const stalled = await scrape(server.metrics!);
    expect(metricValue(stalled, 'iocp_received_messages_total')).toBeLessThan(count);
    expect(metricValue(stalled, 'iocp_send_queue_peak_bytes')).toBeLessThan(4 * 1024 * 1024);
    s.resume();
    const echoed = await readBytes(s, count * (payload.length + 4));
    expect(echoed.length).toBe(count * (payload.length + 4));
    const after = await scrape(server.metrics!);
    expect(metricValue(after, 'iocp_sent_messages_total')).toBe(count);
    expect(metricValue(after, 'iocp_connections_closed_total{reason="send-queue-overflow"}')).toBe(0);
    expect(metricValue(after, 'iocp_send_queue_peak_bytes')).toBeLessThan(4 * 1024 * 1024);
    expect(metricValue(after, 'iocp_connection_send_queue_peak_bytes')).toBeLessThan(4 * 1024 * 1024);
  });
});
