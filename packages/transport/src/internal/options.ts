import { BlockList, isIP } from 'node:net';
import { parseCidr } from '../cidr.js';
import { InvalidOptionError } from '../errors.js';
import type { ConnectOptions, ListenOptions, PortOptions, ProxyHeaderTlv } from '../types.js';
import { defaultMaxBufferedBytes } from './memory-budget.js';
import { DEFAULT_HEADER_LIMIT, MIN_HEADER_LIMIT, V1, V2, V2_WIRE_MAX_BYTES } from './proxy-protocol.js';

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

/** A listener's `proxyProtocol`, validated. */
export interface ResolvedProxyProtocol {
  /** Peers allowed to send a header. */
  readonly trusted: BlockList;
  /** Mask of accepted versions (V1 | V2). */
  readonly versions: number;
  readonly required: boolean;
  readonly maxHeaderBytes: number;
}

/** Validate a listener's `proxyProtocol`; throws `IOCP_ERR_INVALID_OPTION`. */
export function resolveProxyProtocol(value: unknown): ResolvedProxyProtocol | undefined {
  if (value === undefined) return undefined;
  const o = objectOrUndefined('proxyProtocol', value, ['trusted', 'versions', 'required', 'maxHeaderBytes']) as {
    trusted?: unknown;
    versions?: unknown;
    required?: unknown;
    maxHeaderBytes?: unknown;
  };
  if (!Array.isArray(o.trusted) || o.trusted.length === 0) {
    throw new InvalidOptionError("proxyProtocol.trusted must be a non-empty array of CIDR blocks, e.g. ['127.0.0.1/32']");
  }
  const trusted = new BlockList();
  o.trusted.forEach((t, i) => {
    const c = parseCidr(`proxyProtocol.trusted[${i}]`, t);
    trusted.addSubnet(c.address, c.prefix, c.family);
  });
  let versions = V1 | V2;
  if (o.versions !== undefined) {
    if (!Array.isArray(o.versions) || o.versions.length === 0 || o.versions.some((v) => v !== 1 && v !== 2)) {
      throw new InvalidOptionError(`proxyProtocol.versions must be a non-empty array of 1 and/or 2, got ${JSON.stringify(o.versions)}`);
    }
    versions = (o.versions.includes(1) ? V1 : 0) | (o.versions.includes(2) ? V2 : 0);
  }
  if (o.required !== undefined && typeof o.required !== 'boolean') throw new InvalidOptionError('proxyProtocol.required must be a boolean');
  const maxHeaderBytes = num('proxyProtocol.maxHeaderBytes', o.maxHeaderBytes, DEFAULT_HEADER_LIMIT, MIN_HEADER_LIMIT);
  if (maxHeaderBytes > V2_WIRE_MAX_BYTES) {
    throw new InvalidOptionError(`proxyProtocol.maxHeaderBytes must be ${MIN_HEADER_LIMIT}..${V2_WIRE_MAX_BYTES}, got ${maxHeaderBytes}`);
  }
  return { trusted, versions, required: o.required ?? true, maxHeaderBytes };
}

/** Validate `ListenOptions`; throws `IOCP_ERR_INVALID_OPTION`. */
export function checkListenOptions(options: ListenOptions): void {
  const o = objectOrUndefined('listen', options, ['host', 'port', 'codec', 'tls', 'backlog', 'ipv6Only', 'proxyProtocol']) as unknown as ListenOptions;
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
  /** The PROXY header to send first on every attempt, or undefined. */
  proxyHeader: { version: 1 | 2; sourceAddress: string; sourcePort: number; destinationAddress: string; destinationPort: number; tlvs: readonly ProxyHeaderTlv[] } | undefined;
}

function addressAndPort(name: string, value: unknown): { address: string; port: number; v: number } {
  const a = objectOrUndefined(name, value, ['address', 'port']) as { address?: unknown; port?: unknown };
  const v = typeof a.address === 'string' && !a.address.includes('%') ? isIP(a.address) : 0;
  if (v === 0) throw new InvalidOptionError(`${name}.address must be an IPv4 or IPv6 literal, got ${String(a.address)}`);
  if (typeof a.port !== 'number' || !Number.isInteger(a.port) || a.port < 0 || a.port > 65535) {
    throw new InvalidOptionError(`${name}.port must be 0..65535, got ${String(a.port)}`);
  }
  return { address: a.address as string, port: a.port, v };
}

function resolveConnectProxy(value: unknown, host: string, port: number): ResolvedConnectOptions['proxyHeader'] {
  if (value === undefined) return undefined;
  const o = objectOrUndefined('proxyProtocol', value, ['version', 'source', 'destination', 'tlvs']) as {
    version?: unknown;
    source?: unknown;
    destination?: unknown;
    tlvs?: unknown;
  };
  if (o.version !== 1 && o.version !== 2) throw new InvalidOptionError(`proxyProtocol.version must be 1 or 2, got ${String(o.version)}`);
  if (o.source === undefined) throw new InvalidOptionError('proxyProtocol.source is required ({ address, port })');
  const source = addressAndPort('proxyProtocol.source', o.source);
  let destination: { address: string; port: number; v: number };
  if (o.destination !== undefined) destination = addressAndPort('proxyProtocol.destination', o.destination);
  else {
    if (isIP(host) === 0) throw new InvalidOptionError('proxyProtocol.destination is required when host is not an IP literal');
    destination = { address: host, port, v: isIP(host) };
  }
  if (source.v !== destination.v) throw new InvalidOptionError('proxyProtocol.source and destination must be of one family (both IPv4 or both IPv6)');
  const tlvs: ProxyHeaderTlv[] = [];
  if (o.tlvs !== undefined) {
    if (o.version !== 2) throw new InvalidOptionError('proxyProtocol.tlvs need version 2');
    if (!Array.isArray(o.tlvs)) throw new InvalidOptionError('proxyProtocol.tlvs must be an array of { type, value }');
    let total = source.v === 4 ? 12 : 36;
    o.tlvs.forEach((t, i) => {
      const e = objectOrUndefined(`proxyProtocol.tlvs[${i}]`, t, ['type', 'value']) as { type?: unknown; value?: unknown };
      if (typeof e.type !== 'number' || !Number.isInteger(e.type) || e.type < 0 || e.type > 255) {
        throw new InvalidOptionError(`proxyProtocol.tlvs[${i}].type must be 0..255`);
      }
      if (!(e.value instanceof Uint8Array)) throw new InvalidOptionError(`proxyProtocol.tlvs[${i}].value must be a Buffer or Uint8Array`);
      total += 3 + e.value.length;
      tlvs.push({ type: e.type, value: Buffer.from(e.value) });
    });
    if (total > 0xffff) throw new InvalidOptionError(`proxyProtocol: addresses and TLVs take ${total} bytes, over the 65535 a v2 header holds`);
  }
  return {
    version: o.version,
    sourceAddress: source.address,
    sourcePort: source.port,
    destinationAddress: destination.address,
    destinationPort: destination.port,
    tlvs,
  };
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
    'proxyProtocol',
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
  return { connectTimeoutMs, reconnect, proxyHeader: resolveConnectProxy(o.proxyProtocol, o.host, o.port) };
}
