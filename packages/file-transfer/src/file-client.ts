import { lengthPrefixed } from '@iocp/framing';
import { CompletionPort, type Connection, type PortOptions } from '@iocp/transport';
import type { ConnectionOptions as TlsConnectOptions } from 'node:tls';
import {
  CLIENT_SESSION_OPTION_KEYS,
  ClientSession,
  type ClientSessionOptions,
  type RemoteStat,
  type TransferOptions,
  type TransferResult,
} from './client-session.js';
import { ConnectionClosedError, FileTransferError, InvalidOptionError } from './errors.js';
import { DEFAULT_PORT_OPTIONS } from './file-server.js';
import { refuseUnknownOptions } from './internal/known-options.js';
import type { ListEntry } from './messages.js';

/**
 * Options of {@link FileClient.connect}, including every {@link ClientSessionOptions} option
 * (`token`, `timeoutMs`, `chunkSize`, `window`, `fs`...). Validated before connecting; an
 * unknown key is refused (`IOCP_ERR_INVALID_OPTION`).
 */
export interface FileClientOptions extends ClientSessionOptions {
  host: string;
  port: number;
  /** `true`: TLS verified against the system CAs; an object goes to `tls.connect` (`ca`, `rejectUnauthorized`...). Default: plain TCP. */
  tls?: TlsConnectOptions | boolean | undefined;
  /** Largest frame accepted from the server. Default 16 MiB (must cover the server's chunk size). */
  maxFrameLength?: number | undefined;
  /** Give up connecting after this long. Default 10 000 ms. */
  connectTimeoutMs?: number | undefined;
  /** Completion-port options (send queue...). Default: 1 MiB / 256 KiB send-queue watermarks. */
  portOptions?: PortOptions | undefined;
}

const FILE_CLIENT_OWN_KEYS: Readonly<Record<Exclude<keyof FileClientOptions, keyof ClientSessionOptions>, true>> = {
  host: true,
  port: true,
  tls: true,
  connectTimeoutMs: true,
  portOptions: true,
};
const FILE_CLIENT_OPTION_KEYS = [...Object.keys(FILE_CLIENT_OWN_KEYS), ...Object.keys(CLIENT_SESSION_OPTION_KEYS)];

/**
 * A connected file client over `@iocp/transport`: one connection, any number of concurrent
 * requests on it.
 *
 * ```ts
 * const client = await FileClient.connect({ host: '127.0.0.1', port: 7000, token });
 * await client.put('./report.pdf', 'reports/2026/report.pdf');
 * await client.close();
 * ```
 */
export class FileClient {
  private constructor(
    /** The protocol session (transport-agnostic). */
    readonly session: ClientSession,
    private readonly port: CompletionPort,
    private readonly conn: Connection<ClientSession>,
  ) {}

  /** Connect and complete the HELLO exchange. Rejects with a coded error (`IOCP_ERR_FT_AUTH`, `IOCP_ERR_CONNECT_REFUSED`...). */
  static async connect(options: FileClientOptions): Promise<FileClient> {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionError('FileClient options must be an object with host and port');
    refuseUnknownOptions(options, FILE_CLIENT_OPTION_KEYS, 'FileClient');
    if (typeof options.host !== 'string' || !Number.isInteger(options.port)) {
      throw new InvalidOptionError('host and port are required');
    }
    const maxFrameLength = options.maxFrameLength ?? 16 * 1024 * 1024;
    // DATA frames must fit the codec both ways: the session caps its chunk and tells the server.
    const sessionOptions: ClientSessionOptions = { maxFrameLength };
    for (const key of Object.keys(CLIENT_SESSION_OPTION_KEYS) as Array<keyof ClientSessionOptions>) {
      if (key !== 'maxFrameLength' && options[key] !== undefined) Object.assign(sessionOptions, { [key]: options[key] });
    }
    // Refuse a bad session option before connecting (the session itself is built in onOpen).
    ClientSession.validateOptions(sessionOptions);
    const port = new CompletionPort(options.portOptions ?? { sendQueue: DEFAULT_PORT_OPTIONS.sendQueue });
    const codec = lengthPrefixed({ maxFrameLength });
    try {
      const conn = await port.connect<ClientSession>(
        {
          host: options.host,
          port: options.port,
          codec,
          connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
          ...(options.tls !== undefined ? { tls: options.tls } : {}),
        },
        {
          onOpen: (c) => {
            c.owner = new ClientSession(c, sessionOptions);
          },
          onMessage: (c, frame) => c.owner?.onFrame(frame),
          onDrain: (c) => c.owner?.onDrain(),
          onClose: (c, reason, error) =>
            c.owner?.onClose(
              error instanceof FileTransferError ? error : new ConnectionClosedError(`connection to the server closed: ${reason}`, { cause: error }),
            ),
        },
      );
      const session = conn.owner!;
      await session.ready;
      return new FileClient(session, port, conn);
    } catch (err) {
      await port.close({ drainMs: 0 }).catch(() => {});
      throw err;
    }
  }

  /** Whether the connection is TLS. */
  get encrypted(): boolean {
    return this.conn.encrypted;
  }

  /** See {@link ClientSession.put}. */
  put(local: string, remote: string, options?: TransferOptions): Promise<TransferResult> {
    return this.session.put(local, remote, options);
  }
  /** See {@link ClientSession.get}. */
  get(remote: string, local: string, options?: TransferOptions): Promise<TransferResult> {
    return this.session.get(remote, local, options);
  }
  /** See {@link ClientSession.list}. */
  list(folder?: string): Promise<ListEntry[]> {
    return this.session.list(folder);
  }
  /** See {@link ClientSession.stat}. */
  stat(remote: string): Promise<RemoteStat> {
    return this.session.stat(remote);
  }
  /** See {@link ClientSession.delete}. */
  delete(remote: string): Promise<void> {
    return this.session.delete(remote);
  }

  /** Close the connection (after queued frames are sent) and the port. */
  async close(): Promise<void> {
    this.session.close();
    await this.port.close({ drainMs: 1000 });
  }
}
