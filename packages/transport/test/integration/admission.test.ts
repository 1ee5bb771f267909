import { BlockList, connect } from 'node:net';
import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort } from '../../src/index.js';
import { Cleanup, expectClosedByServer, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Open `n` raw sockets at once; resolve when each has either connected or closed. */
async function burst(port: number, n: number, host = '127.0.0.1') {
  const sockets = Array.from({ length: n }, () => connect({ host, port }));
  for (const s of sockets) {
    cleanup.socket({ socket: s });
    s.on('error', () => {});
  }
  const closed = new Set<number>();
  sockets.forEach((s, i) => s.on('close', () => closed.add(i)));
  await Promise.all(sockets.map((s) => new Promise((r) => (s.connecting ? s.once('connect', r).once('close', r) : r(undefined)))));
  return { sockets, closed };
}

describe('admission control', () => {
  it('maxConnections refuses the excess of a burst; existing connections keep working', async () => {
    const port = cleanup.port(new CompletionPort({ limits: { maxConnections: 5 } }));
    const l = await port.listen({ codec: lengthPrefixed() }, { onMessage: (c, f) => void c.send(f) });
    const first = cleanup.socket(await plainClient(l.port));
    first.send('x');
    await first.waitFrames(1);
    const { closed } = await burst(l.port, 20);
    await waitFor(() => port.stats().connections.refused['max-connections'] === 16);
    await waitFor(() => closed.size === 16, 5000, 'refused sockets closed');
    expect(port.stats().connections.current).toBe(5);
    first.send('still');
    await first.waitFrames(2);
    // the client side of the same port counts too
    await expect(port.connect({ host: '127.0.0.1', port: l.port, codec: lengthPrefixed() }, {})).rejects.toMatchObject({
      code: 'IOCP_ERR_MAX_CONNECTIONS',
    });
  });

  it('maxConnectionsPerSecond (token bucket) refuses a burst beyond the rate', async () => {
    const rate = 4;
    const port = cleanup.port(new CompletionPort({ limits: { maxConnectionsPerSecond: rate } }));
    const l = await port.listen({ codec: lengthPrefixed() }, {});
    const t0 = performance.now();
    await burst(l.port, 20);
    await waitFor(() => {
      const c = port.stats().connections;
      return c.accepted + (c.refused.rate ?? 0) === 20;
    });
    const elapsedS = (performance.now() - t0) / 1000;
    const s = port.stats().connections;
    // a full bucket (burst = one second's worth), plus what refilled while the burst arrived
    expect(s.accepted).toBeGreaterThanOrEqual(rate);
    expect(s.accepted).toBeLessThanOrEqual(rate + Math.ceil(elapsedS * rate));
    expect(s.refused.rate).toBe(20 - s.accepted);
    expect(s.refused.rate).toBeGreaterThan(0);
  });

  it('maxConnectionsPerIp counts per address and frees on close', async () => {
    const port = cleanup.port(new CompletionPort({ limits: { maxConnectionsPerIp: 3 } }));
    const l = await port.listen({ codec: lengthPrefixed() }, {});
    const { sockets, closed } = await burst(l.port, 6);
    await waitFor(() => port.stats().connections.refused['per-ip'] === 3 && closed.size === 3, 5000, 'three refused');
    expect(port.stats().connections.current).toBe(3);
    const open = sockets.filter((_, i) => !closed.has(i));
    open[0]!.destroy();
    await waitFor(() => port.stats().connections.current === 2);
    const again = cleanup.socket(await plainClient(l.port));
    await new Promise((r) => setTimeout(r, 100));
    expect(again.closed).toBe(false);
    expect(port.stats().connections.current).toBe(3);
  });

  it('deny list and allow list (node:net BlockList); onAccept hook can refuse', async () => {
    const deny = new BlockList();
    deny.addAddress('127.0.0.1');
    const port = cleanup.port(new CompletionPort({ limits: { deny } }));
    const l = await port.listen({ host: '::', codec: lengthPrefixed() }, { onMessage: (c, f) => void c.send(f) });
    await expectClosedByServer(l.port, '127.0.0.1');
    const v6 = cleanup.socket(await plainClient(l.port, '::1'));
    v6.send('ok');
    await v6.waitFrames(1);
    expect(port.stats().connections.refused.deny).toBe(1);

    const allow = new BlockList();
    allow.addAddress('::1', 'ipv6');
    const port2 = cleanup.port(new CompletionPort({ limits: { allow } }));
    let hookCalls = 0;
    const l2 = await port2.listen({ host: '::', codec: lengthPrefixed() }, {
      onAccept(peer) {
        hookCalls++;
        return peer.remotePort % 1 === 0 && hookCalls !== 2; // refuse the second one that gets this far
      },
    });
    await expectClosedByServer(l2.port, '127.0.0.1');
    const a = cleanup.socket(await plainClient(l2.port, '::1'));
    await waitFor(() => port2.stats().connections.accepted === 1);
    await expectClosedByServer(l2.port, '::1');
    await new Promise((r) => setTimeout(r, 50));
    expect(a.closed).toBe(false);
    expect(port2.stats().connections.refused).toEqual({ allow: 1, hook: 1 });
  });
});
