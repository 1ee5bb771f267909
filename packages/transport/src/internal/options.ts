import { BlockList } from 'node:net';
import { InvalidOptionError } from '../errors.js';
import { defaultMaxBufferedBytes } from './memory-budget.js';
import type { ConnectOptions, ListenOptions, PortOptions } from '../types.js';

/** Port options with every default filled in. */
export interface ResolvedPortOptions {
  maxConnections: number;
  maxConnectionsPerSecond: number;
  maxConnectionsPerIp: number;
  maxBufferedBytes: number;
  allow: BlockList | undefined;
  deny: BlockList | undefined;
  firstDataMs: number;
  idleMs: number;
  writeStallMs: number;
  heartbeatIntervalMs: number;
  heartbeatMaxMissed: number;
  handshakeMs: number;
  closeMs: number;
  highWaterMark: number;
  lowWaterMark: number;
  maxBytes: number;
  copyThreshold: number;
}

function num(name: string, value: unknown, def: number, min: number, allowInfinity = false): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (!allowInfinity && !Number.isFinite(value))) {
    throw new InvalidOptionError(`${name} must be a number >= ${min}${allowInfinity ? ' (or Infinity)' : ''}, got ${String(value)}`);
  }
  if (Number.isFinite(value) && !Number.isInteger(value)) {
    throw new InvalidOptionError(`${name} must be an integer, got ${value}`);
  }
  return value;
}

function blockList(name: string, value: unknown): BlockList | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof BlockList)) throw new InvalidOptionError(`${name} must be a node:net BlockList`);
  return value as BlockList;
}

function objectOrUndefined(name: string, value: unknown, keys?: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') throw new InvalidOptionError(`${name} must be an object`);
  if (keys !== undefined) {
    for (const k of Object.keys(value)) {
      // A typo ("timeout", "maxConnection") would silently mean "no limit": refuse it.
      if (!keys.includes(k)) throw new InvalidOptionError(`unknown option ${name}.${k} (known: ${keys.join(', ')})`);
    }
  }
  return value as Record<string, unknown>;
}

/** Validate `PortOptions` and fill in defaults; throws `IOCP_ERR_INVALID_OPTION`. */
export function resolvePortOptions(options: PortOptions | undefined): ResolvedPortOptions {
  const o = objectOrUndefined('options', options, ['limits', 'timeouts', 'sendQueue', 'copyThreshold']) as PortOptions;
  const limits = objectOrUndefined('limits', o.limits, [
    'maxConnections',
    'maxConnectionsPerSecond',
    'maxConnectionsPerIp',
    'allow',
    'deny',
    'maxBufferedBytes',
  ]) as NonNullable<PortOptions['limits']>;
  const timeouts = objectOrUndefined('timeouts', o.timeouts, [
    'firstDataMs',
    'idleMs',
    'writeStallMs',
    'heartbeat',
    'handshakeMs',
    'closeMs',
  ]) as NonNullable<PortOptions['timeouts']>;
  const sq = objectOrUndefined('sendQueue', o.sendQueue, ['highWaterMark', 'lowWaterMark', 'maxBytes']) as NonNullable<
    PortOptions['sendQueue']
  >;
  let heartbeatIntervalMs = 0;
  let heartbeatMaxMissed = 0;
  if (timeouts.heartbeat !== undefined) {
    const hb = objectOrUndefined('timeouts.heartbeat', timeouts.heartbeat, ['intervalMs', 'maxMissed']) as { intervalMs?: unknown; maxMissed?: unknown };
    if (hb.intervalMs === undefined || hb.maxMissed === undefined) {
      throw new InvalidOptionError('timeouts.heartbeat needs intervalMs and maxMissed');
    }
    heartbeatIntervalMs = num('timeouts.heartbeat.intervalMs', hb.intervalMs, 0, 1);
    heartbeatMaxMissed = num('timeouts.heartbeat.maxMissed', hb.maxMissed, 0, 1);
  }
  const highWaterMark = num('sendQueue.highWaterMark', sq.highWaterMark, 64 * 1024, 1);
  const lowWaterMark = num('sendQueue.lowWaterMark', sq.lowWaterMark, Math.min(16 * 1024, highWaterMark), 0);
  if (lowWaterMark > highWaterMark) {
    throw new InvalidOptionError(`sendQueue.lowWaterMark (${lowWaterMark}) must not exceed highWaterMark (${highWaterMark})`);
  }
  const maxBytes = num('sendQueue.maxBytes', sq.maxBytes, 4 * 1024 * 1024, 1);
  return {
    maxConnections: num('limits.maxConnections', limits.maxConnections, Number.POSITIVE_INFINITY, 0, true),
    maxConnectionsPerSecond: num('limits.maxConnectionsPerSecond', limits.maxConnectionsPerSecond, Number.POSITIVE_INFINITY, 1, true),
    maxConnectionsPerIp: num('limits.maxConnectionsPerIp', limits.maxConnectionsPerIp, Number.POSITIVE_INFINITY, 1, true),
    maxBufferedBytes: num('limits.maxBufferedBytes', limits.maxBufferedBytes, defaultMaxBufferedBytes(), 1, true),
    allow: blockList('limits.allow', limits.allow),
    deny: blockList('limits.deny', limits.deny),
    firstDataMs: num('timeouts.firstDataMs', timeouts.firstDataMs, 0, 0),
    idleMs: num('timeouts.idleMs', timeouts.idleMs, 0, 0),
    writeStallMs: num('timeouts.writeStallMs', timeouts.writeStallMs, 0, 0),
    heartbeatIntervalMs,
    heartbeatMaxMissed,
    handshakeMs: num('timeouts.handshakeMs', timeouts.handshakeMs, 10_000, 1),
    closeMs: num('timeouts.closeMs', timeouts.closeMs, 5_000, 1),
    highWaterMark,
    lowWaterMark,
    maxBytes,
    copyThreshold: num('copyThreshold', o.copyThreshold, 4096, 0),
  };
}

function codecCheck(value: unknown): void {
  const c = value as { createDecoder?: unknown; encoder?: { encodedLength?: unknown; encodeInto?: unknown } } | undefined;
  if (
    c === undefined ||
    c === null ||
    typeof c.createDecoder !== 'function' ||
    typeof c.encoder?.encodedLength !== 'function' ||
    typeof c.encoder?.encodeInto !== 'function'
  ) {
    throw new InvalidOptionError('codec must be a Codec from @iocp/framing (lengthPrefixed(), delimiter(), raw() ...)');
  }
}

/** Validate `ListenOptions`; throws `IOCP_ERR_INVALID_OPTION`. */
export function checkListenOptions(options: ListenOptions): void {
  const o = objectOrUndefined('listen', options, ['host', 'port', 'codec', 'tls', 'backlog', 'ipv6Only']) as unknown as ListenOptions;
  codecCheck(o.codec);
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host.length === 0)) {
    throw new InvalidOptionError('host must be a non-empty string');
  }
  num('port', o.port, 0, 0);
  if (o.port !== undefined && o.port > 65535) throw new InvalidOptionError(`port must be 0..65535, got ${o.port}`);
  if (o.backlog !== undefined) num('backlog', o.backlog, 0, 1);
  if (o.tls !== undefined) {
    const t = objectOrUndefined('tls', o.tls) as { cert?: unknown; key?: unknown };
    const ok = (v: unknown) => typeof v === 'string' || Buffer.isBuffer(v);
    if (!ok(t.cert) || !ok(t.key)) throw new InvalidOptionError('tls needs cert and key (PEM string or Buffer)');
  }
}

/** Connect options with defaults filled in. */
export interface ResolvedConnectOptions {
  connectTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number; maxAttempts: number } | false;
}

/** Validate `ConnectOptions`; throws `IOCP_ERR_INVALID_OPTION`. */
export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  const o = objectOrUndefined('connect', options, [
    'host',
    'port',
    'codec',
    'connectTimeoutMs',
    'reconnect',
    'tls',
  ]) as unknown as ConnectOptions;
  codecCheck(o.codec);
  if (typeof o.host !== 'string' || o.host.length === 0) throw new InvalidOptionError('host must be a non-empty string');
  if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw new InvalidOptionError(`port must be 1..65535, got ${String(o.port)}`);
  }
  if (o.tls !== undefined && typeof o.tls !== 'boolean') objectOrUndefined('tls', o.tls);
  const connectTimeoutMs = num('connectTimeoutMs', o.connectTimeoutMs, 10_000, 1);
  let reconnect: ResolvedConnectOptions['reconnect'] = false;
  if (o.reconnect !== undefined && o.reconnect !== false) {
    const r = objectOrUndefined('reconnect', o.reconnect, ['initialDelayMs', 'maxDelayMs', 'maxAttempts']) as NonNullable<Exclude<ConnectOptions['reconnect'], false>>;
    const initialDelayMs = num('reconnect.initialDelayMs', r.initialDelayMs, 100, 0);
    const maxDelayMs = num('reconnect.maxDelayMs', r.maxDelayMs, 30_000, 0);
    if (maxDelayMs < initialDelayMs) throw new InvalidOptionError('reconnect.maxDelayMs must be >= initialDelayMs');
    reconnect = {
      initialDelayMs,
      maxDelayMs,
      maxAttempts: num('reconnect.maxAttempts', r.maxAttempts, Number.POSITIVE_INFINITY, 0, true),
    };
  }
  return { connectTimeoutMs, reconnect };
}
