import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME } from '../../src/cli.js';
import { sendQueueCap } from '../../src/server.js';
import { CLIENT_BIN, run, startServer } from '../support/processes.js';
import { cleanup, refusedBy, socketTo } from '../support/sockets.js';
import { eventually, frame, framedEcho, metricValue, scrape, untilClosed } from '../support/wire.js';

afterEach(cleanup);

describe('echo-server admission limits, timeouts and /metrics', () => {
  it('--metrics serves Prometheus text with the port statistics', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0']);
    expect(server.metrics).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.stdout()).toBe(`listening ${server.listening[0]}\nmetrics ${server.metrics}\n`);
    const r = await run(CLIENT_BIN, ['--server', server.listening[0]!, 'a', 'bb', 'ccc']);
    expect(r.code).toBe(0);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_closed_total{reason="peer-closed"}') === 1 ? t : undefined;
    });
    expect(text).toContain('# TYPE iocp_connections_accepted_total counter');
    expect(metricValue(text, 'iocp_connections_accepted_total')).toBe(1);
    expect(metricValue(text, 'iocp_connections')).toBe(0);
    expect(metricValue(text, 'iocp_received_messages_total')).toBe(3);
    expect(metricValue(text, 'iocp_sent_messages_total')).toBe(3);
    expect(metricValue(text, 'iocp_received_bytes_total')).toBe(6 + 3 * 4);
    expect(metricValue(text, 'iocp_connections_refused_total{reason="max-connections"}')).toBe(0);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="frame-too-long"}')).toBe(0);
    const notFound = await fetch(`http://${server.metrics}/nope`);
    expect(notFound.status).toBe(404);
  });

  it('counts refusals by reason (--max-connections)', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--max-connections', '1']);
    const first = await socketTo(server.listening[0]!);
    expect((await framedEcho(first, Buffer.from('in'))).toString()).toBe('in');
    expect((await refusedBy(server.listening[0]!)).length).toBe(0);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return (metricValue(t, 'iocp_connections_refused_total{reason="max-connections"}') ?? 0) >= 1 ? t : undefined;
    });
    expect(metricValue(text, 'iocp_connections')).toBe(1);
    expect((await framedEcho(first, Buffer.from('still'))).toString()).toBe('still');
  });

  it('--max-conn-per-ip and --max-conn-rate refuse by their reasons; admitted peers keep echoing', async () => {
    const perIp = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--max-conn-per-ip', '1']);
    const kept = await socketTo(perIp.listening[0]!);
    expect((await framedEcho(kept, Buffer.from('one'))).toString()).toBe('one');
    expect((await refusedBy(perIp.listening[0]!)).length).toBe(0);
    await eventually(async () =>
      metricValue(await scrape(perIp.metrics!), 'iocp_connections_refused_total{reason="per-ip"}') === 1 ? true : undefined,
    );
    expect((await framedEcho(kept, Buffer.from('two'))).toString()).toBe('two');

    const rate = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--max-conn-rate', '1']);
    // a refused peer may see its connect reset: settle all four, then count on the server side
    await Promise.allSettled([0, 1, 2, 3].map(() => socketTo(rate.listening[0]!)));
    const text = await eventually(async () => {
      const t = await scrape(rate.metrics!);
      return (metricValue(t, 'iocp_connections_refused_total{reason="rate"}') ?? 0) >= 1 ? t : undefined;
    });
    expect(metricValue(text, 'iocp_connections_refused_total{reason="rate"}')).toBeLessThanOrEqual(3);
    expect(metricValue(text, 'iocp_connections_accepted_total')).toBeGreaterThanOrEqual(1);
  });

  it('--idle-timeout closes a connection that went quiet after talking', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--idle-timeout', '300', '--metrics', '127.0.0.1:0']);
    const s = await socketTo(server.listening[0]!);
    expect((await framedEcho(s, Buffer.from('hi'))).toString()).toBe('hi');
    await untilClosed(s);
    await eventually(async () =>
      metricValue(await scrape(server.metrics!), 'iocp_connections_closed_total{reason="idle-timeout"}') === 1 ? true : undefined,
    );
  });

  it('--write-timeout closes a peer that sends but never reads; another peer keeps echoing', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--write-timeout', '300', '--metrics', '127.0.0.1:0']);
    const other = await socketTo(server.listening[0]!);
    const stalled = await socketTo(server.listening[0]!);
    stalled.pause(); // never reads
    let closed = false;
    stalled.once('close', () => {
      closed = true;
    });
    const cap = 256 * 1024 * 1024;
    const payload = frame(Buffer.alloc(64 * 1024 - 4, 0x61));
    let written = 0;
    const writer = (async () => {
      while (!closed && written < cap) {
        written += payload.length;
        if (!stalled.write(payload)) {
          await new Promise<void>((resolve) => {
            const go = (): void => {
              stalled.off('drain', go);
              stalled.off('close', go);
              resolve();
            };
            stalled.on('drain', go);
            stalled.on('close', go);
          });
        }
      }
    })();
    expect((await framedEcho(other, Buffer.from('meanwhile'))).toString()).toBe('meanwhile');
    await writer;
    expect(closed).toBe(true);
    expect(written).toBeLessThan(cap);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_closed_total{reason="write-timeout"}') === 1 ? t : undefined;
    });
    expect(metricValue(text, 'iocp_connection_send_queue_peak_bytes')).toBeLessThanOrEqual(
      sendQueueCap({ mode: 'framed', maxFrame: DEFAULT_MAX_FRAME }),
    );
    expect((await framedEcho(other, Buffer.from('after'))).toString()).toBe('after');
  });

  it('--heartbeat sends empty frames on read silence and closes a peer that answers none of them', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--heartbeat', '150', '--heartbeat-misses', '2', '--metrics', '127.0.0.1:0']);
    const mute = await socketTo(server.listening[0]!);
    let got = Buffer.alloc(0);
    mute.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]); // reads, never answers
    });
    await untilClosed(mute);
    expect(got.length).toBeGreaterThanOrEqual(8);
    expect(got.equals(Buffer.alloc(got.length))).toBe(true); // only 00 00 00 00 keepalives
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_closed_total{reason="heartbeat-timeout"}') === 1 ? t : undefined;
    });
    expect(text).toBeDefined();
  });

  it('--first-data-timeout closes a silent peer', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--first-data-timeout', '200', '--metrics', '127.0.0.1:0']);
    const silent = await socketTo(server.listening[0]!);
    await untilClosed(silent);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_closed_total{reason="first-data-timeout"}') === 1 ? t : undefined;
    });
    expect(text).toBeDefined();
  });
});
