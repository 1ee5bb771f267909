import { createServer, type Socket } from 'node:net';
import { killAllStarted, splitAddress } from './processes.js';
import { connectUntilClosed, openSocket } from './wire.js';

const sockets: Socket[] = [];

/** A plain TCP socket to a printed address, destroyed by {@link cleanup}. */
export async function socketTo(address: string): Promise<Socket> {
  const { host, port } = splitAddress(address);
  const s = await openSocket(host, port);
  sockets.push(s);
  return s;
}

/** Connect to a printed address and resolve once the server closed (or refused) the connection. */
export function refusedBy(address: string): Promise<Buffer> {
  const { host, port } = splitAddress(address);
  return connectUntilClosed(host, port);
}

/** afterEach: destroy test sockets, kill (by pid) servers this file started. */
export async function cleanup(): Promise<void> {
  for (const s of sockets.splice(0)) s.destroy();
  await killAllStarted();
}

/** True when this machine can listen on ::1. */
export function ipv6Available(): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}
