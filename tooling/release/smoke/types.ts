// TypeScript consumer (ESM): type-checked with NodeNext and with Bundler resolution, strict and
// exactOptionalPropertyTypes, skipLibCheck off (the packages' .d.ts are checked too).
import { ERROR_CODES, type IocpErrorCode, isIocpError } from '@iocp/errors';
import {
  ClientSession,
  type ClientSessionOptions,
  FileClient,
  type FileClientOptions,
  FileServer,
  type FileServerListenOptions,
  type FileServerOptions,
  type TransferOptions,
} from '@iocp/file-transfer';
import { checkSplits } from '@iocp/framing/testing';
import {
  type Codec,
  type DelimiterOptions,
  FrameReader,
  type FrameReaderOptions,
  type HpSocketPackOptions,
  type LengthFieldOptions,
  type LengthPrefixedOptions,
  type RawOptions,
  type VarintPrefixedOptions,
  lengthPrefixed,
} from '@iocp/framing';
import {
  type ConnectionJobsOptions,
  ECHO_WORKER_PATH,
  type JobHandler,
  JobPool,
  type JobPoolOptions,
  type Watermarks,
} from '@iocp/jobpool';
import { Reorderer, type ReordererOptions } from '@iocp/reorder';
import {
  CompletionPort,
  type ConnectOptions,
  type Handler,
  type HeartbeatOptions,
  type ListenOptions,
  InvalidOptionError,
  IocpError,
  type ParseEndpointOptions,
  type PortLimits,
  type PortOptions,
  type PortTimeouts,
  type ReconnectOptions,
  type SendQueueOptions,
  parseEndpoint,
} from '@iocp/transport';

// The file-transfer README example: token from the environment (string | undefined).
const server = new FileServer({ root: '/srv/files', token: process.env.TOKEN, maxFileSize: 10 * 2 ** 30 });
const maxFileSize: number = server.options.maxFileSize;
export async function example(): Promise<void> {
  const listener = await server.listen({ host: '127.0.0.1', port: 7000, tls: undefined });
  const client = await FileClient.connect({ host: '127.0.0.1', port: listener.port, token: process.env.TOKEN });
  const up = await client.put('./report.pdf', 'reports/2026/report.pdf', { onProgress: undefined });
  console.log(up.sha256, maxFileSize);
  await client.close();
  await server.close({ drainMs: undefined });
}

// Every optional property of every public options type takes an explicit undefined.
type OptionalKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? K : never }[keyof T];
type AcceptsUndefined<T> = { [K in OptionalKeys<T>]: undefined } extends Pick<T, OptionalKeys<T>> ? true : false;
export const everyOptionTakesUndefined: [
  AcceptsUndefined<LengthFieldOptions>,
  AcceptsUndefined<NonNullable<LengthFieldOptions['encoder']>>,
  AcceptsUndefined<LengthPrefixedOptions>,
  AcceptsUndefined<VarintPrefixedOptions>,
  AcceptsUndefined<HpSocketPackOptions>,
  AcceptsUndefined<DelimiterOptions>,
  AcceptsUndefined<RawOptions>,
  AcceptsUndefined<FrameReaderOptions>,
  AcceptsUndefined<ReordererOptions<string>>,
  AcceptsUndefined<PortOptions>,
  AcceptsUndefined<PortLimits>,
  AcceptsUndefined<PortTimeouts>,
  AcceptsUndefined<HeartbeatOptions>,
  AcceptsUndefined<SendQueueOptions>,
  AcceptsUndefined<ListenOptions>,
  AcceptsUndefined<ConnectOptions>,
  AcceptsUndefined<ReconnectOptions>,
  AcceptsUndefined<ParseEndpointOptions>,
  AcceptsUndefined<Handler<string>>,
  AcceptsUndefined<NonNullable<Parameters<CompletionPort['close']>[0]>>,
  AcceptsUndefined<JobPoolOptions<Uint8Array, string>>,
  AcceptsUndefined<Watermarks>,
  AcceptsUndefined<JobHandler<Uint8Array, string>>,
  AcceptsUndefined<ConnectionJobsOptions>,
  AcceptsUndefined<NonNullable<Parameters<JobPool['close']>[0]>>,
  AcceptsUndefined<FileServerOptions>,
  AcceptsUndefined<FileServerListenOptions>,
  AcceptsUndefined<NonNullable<Parameters<FileServer['close']>[0]>>,
  AcceptsUndefined<FileClientOptions>,
  AcceptsUndefined<ClientSessionOptions>,
  AcceptsUndefined<TransferOptions>,
] = [
  true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
  true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
];

// Errors: one base class, one InvalidOptionError, typed codes.
export function describe(err: unknown): string {
  if (err instanceof InvalidOptionError) return `option ${err.option ?? '?'}: ${err.message}`;
  if (isIocpError(err, 'IOCP_ERR_CONNECT_REFUSED')) return 'refused';
  if (err instanceof IocpError) return ERROR_CODES[err.code as IocpErrorCode]?.summary ?? err.code;
  return String(err);
}

// Typed codecs: messages typed from the codec; the echo one-liner; the test kit's types.
type Ping = { n: number };
export function typedWiring(codec: Codec<Ping, Ping>): void {
  const port = new CompletionPort();
  void port.listen({ codec }, { onMessage: (conn, msg) => conn.send({ n: msg.n + 1 }) });
  checkSplits<Ping>(codec, Buffer.alloc(0), [], { equals: (a, b) => a.n === b.n, fence: undefined });
}

export function wiring(): void {
  const port = new CompletionPort({ limits: { maxConnections: undefined }, timeouts: { heartbeat: undefined } });
  const codec = lengthPrefixed({ maxFrameLength: undefined });
  void port.listen<string>({ port: 0, codec, host: undefined }, { onOpen: undefined, onMessage: (conn, frame) => void conn.send(frame) });
  const reader = new FrameReader(codec.createDecoder(), { spanning: undefined });
  const r = new Reorderer<string>({ onRelease: () => {}, window: undefined, first: undefined });
  const pool = new JobPool<Uint8Array, Uint8Array, number>({ filename: ECHO_WORKER_PATH, threads: undefined, handler: undefined });
  const endpoint = parseEndpoint('[::1]:7001', { defaultHost: undefined });
  const session = new ClientSession({ send: () => true, writable: true, close() {}, destroy() {} }, { token: undefined });
  console.log(reader, r, pool, endpoint, session);
}
