import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as path from 'node:path';
import {
  ConnectionClosedError,
  FileTransferError,
  HashMismatchError,
  InvalidOptionError,
  NotAFileError,
  NotFoundError,
  ProtocolError,
  TimeoutError,
  errorFromCode,
  fromFsError,
} from './errors.js';
import { type FileSystem, nodeFileSystem } from './file-system.js';
import type { FrameConnection, FrameSink } from './frame-connection.js';
import { FileReceiver } from './internal/file-receiver.js';
import { FileSender } from './internal/file-sender.js';
import { hashPrefix } from './internal/hash-prefix.js';
import { refuseUnknownOptions } from './internal/known-options.js';
import { PendingRequest } from './internal/pending-request.js';
import { PARTIAL_OPEN_FLAGS } from './internal/root-folder.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { DATA_HEADER_LENGTH, DIGEST_LENGTH, type ListEntry, type Message, MessageType, PROTOCOL_VERSION, type WelcomeMessage } from './messages.js';

/** Options of a {@link ClientSession}. */
export interface ClientSessionOptions {
  /** Shared token the server requires. Default: none. */
  token?: string | undefined;
  /** Largest DATA payload this client sends (capped by the server's limit). Default 256 KiB. */
  chunkSize?: number | undefined;
  /** Credit granted to the server per download: the most bytes buffered for one download. Default 4 MiB. */
  window?: number | undefined;
  /** File system for local files. Default `node:fs/promises`. */
  fs?: FileSystem | undefined;
  /**
   * Largest frame this side's codec accepts. Announced in HELLO (as `maxFrameLength − 5`) so the
   * server never sends a longer DATA frame. Default: no limit announced.
   */
  maxFrameLength?: number | undefined;
  /** Protocol version announced in HELLO (tests use it to check refusals). Default {@link PROTOCOL_VERSION}. */
  protocolVersion?: number | undefined;
  /**
   * How long the server may stay silent, in ms, before the client gives up with
   * `IOCP_ERR_FT_TIMEOUT`: for WELCOME after HELLO (the connection is closed), for the first
   * reply to a request, and between two steps of progress in a transfer (a DATA or CREDIT
   * message, a chunk written or sent). Time the client spends on its own work (hashing a local
   * prefix for resume, syncing a download) does not count. Checked on a coarse timer: a timeout
   * fires between `timeoutMs` and `timeoutMs` + one tick (a quarter of `timeoutMs`, at most
   * 1 s) after the last reply or progress. `0` waits forever. Default 30 000
   * ({@link DEFAULT_TIMEOUT_MS}).
   */
  timeoutMs?: number | undefined;
}

/** Default of {@link ClientSessionOptions.timeoutMs}: 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Keys of {@link ClientSessionOptions} (a record, so adding an option without listing it fails to compile). */
export const CLIENT_SESSION_OPTION_KEYS: Readonly<Record<keyof ClientSessionOptions, true>> = {
  token: true,
  chunkSize: true,
  window: true,
  fs: true,
  maxFrameLength: true,
  protocolVersion: true,
  timeoutMs: true,
};

/** Options of one upload or download. */
export interface TransferOptions {
  /** Continue from what the other side already holds (verified by SHA-256 of the prefix). Default true. */
  resume?: boolean | undefined;
  /** Called as bytes move: `done` counts the resumed prefix, `total` is the file size. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

const TRANSFER_OPTION_KEYS: Readonly<Record<keyof TransferOptions, true>> = { resume: true, onProgress: true };

/**
 * Open flags of an upload's source: read-only and non-blocking, so opening a FIFO returns at
 * once (and is then refused as not a file) instead of waiting for a writer forever. O_NONBLOCK
 * does nothing to regular files.
 */
const SOURCE_OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** Outcome of an upload or download. */
export interface TransferResult {
  /** Remote name. */
  name: string;
  /** Local path. */
  local: string;
  /** Size of the whole file in bytes. */
  size: number;
  /** Bytes that were already on the receiving side and were not sent again. */
  resumedFrom: number;
  /** Bytes moved over the connection by this call. */
  transferred: number;
  /** Wall time of this call in seconds. */
  seconds: number;
  /** SHA-256 of the whole file, lowercase hex; checked on both ends. */
  sha256: string;
}

/** Size and modification time of a remote file. */
export interface RemoteStat {
  size: number;
  mtimeMs: number;
}

const DEFAULT_CHUNK = 256 * 1024;
const DEFAULT_WINDOW = 4 * 1024 * 1024;
const ZERO_DIGEST = Buffer.alloc(DIGEST_LENGTH);

function positiveInt(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidOptionError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/**
 * Where a download is assembled before it is published: a hidden file next to the target, so
 * the final rename stays on one file system. A later `get` of the same target resumes from it.
 */
export function downloadPartialPath(local: string): string {
  return path.join(path.dirname(local), `.${path.basename(local)}.iocp-part`);
}

/**
 * The client side of one connection. Requests may run concurrently; each gets its own id and
 * the replies are routed by id. Transport-agnostic: feed it a {@link FrameConnection} and
 * forward the connection's events to it ({@link FrameSink}).
 */
export class ClientSession implements FrameSink {
  private readonly fs: FileSystem;
  private chunkSize: number;
  private readonly window: number;
  private readonly requests = new Map<number, PendingRequest>();
  private nextId = 1;
  private closedError: Error | undefined;
  private welcome: WelcomeMessage | undefined;
  private readonly timeoutMs: number;
  /** Watchdog clock: incremented every `tickMs`; requests record the tick of their last progress. */
  private tick = 0;
  private readonly tickMs: number;
  private readonly timeoutTicks: number;
  private readonly watchdog: NodeJS.Timeout | undefined;
  private resolveReady!: (w: WelcomeMessage) => void;
  private rejectReady!: (err: Error) => void;
  /** Resolves once the server accepted HELLO; rejects with its coded error otherwise. */
  readonly ready: Promise<WelcomeMessage>;

  constructor(
    private readonly conn: FrameConnection,
    options: ClientSessionOptions = {},
  ) {
    ClientSession.validateOptions(options);
    this.fs = options.fs ?? nodeFileSystem;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    this.window = options.window ?? DEFAULT_WINDOW;
    const version = options.protocolVersion ?? PROTOCOL_VERSION;
    this.ready = new Promise<WelcomeMessage>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {});
    const maxFrame = options.maxFrameLength;
    this.chunkSize = Math.min(this.chunkSize, (maxFrame ?? Number.MAX_SAFE_INTEGER) - DATA_HEADER_LENGTH);
    const hello = { type: MessageType.Hello, version, token: Buffer.from(options.token ?? '', 'utf8') } as const;
    // Ticks count time the event loop actually ran: a client whose own loop was blocked does
    // not blame the server for replies that were sitting unread in the socket.
    this.tickMs = Math.max(1, Math.min(1000, Math.floor(this.timeoutMs / 4)));
    this.timeoutTicks = Math.ceil(this.timeoutMs / this.tickMs);
    if (this.timeoutMs > 0) {
      this.watchdog = setInterval(() => this.onTick(), this.tickMs);
      this.watchdog.unref();
    }
    conn.send(encodeMessage(maxFrame === undefined ? hello : { ...hello, maxChunk: maxFrame - DATA_HEADER_LENGTH }));
  }

  /**
   * Check options the way the constructor does, without a connection (so a client can refuse
   * bad options before it connects).
   * @throws InvalidOptionError (`IOCP_ERR_INVALID_OPTION`) for an unknown key or a value out of range
   */
  static validateOptions(options: ClientSessionOptions): void {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionError('ClientSession options must be an object');
    refuseUnknownOptions(options, Object.keys(CLIENT_SESSION_OPTION_KEYS), 'ClientSession');
    if (options.timeoutMs !== undefined) positiveInt(options.timeoutMs, 'timeoutMs', 0, 0x7fff_ffff);
    if (options.chunkSize !== undefined) positiveInt(options.chunkSize, 'chunkSize', 1, 0xffff_ffff - DATA_HEADER_LENGTH);
    if (options.window !== undefined) positiveInt(options.window, 'window', 1, 0xffff_ffff);
    if (options.protocolVersion !== undefined) positiveInt(options.protocolVersion, 'protocolVersion', 0, 0xffff);
    if (options.maxFrameLength !== undefined) positiveInt(options.maxFrameLength, 'maxFrameLength', DATA_HEADER_LENGTH + 1, 0xffff_ffff);
    if (options.token !== undefined && typeof options.token !== 'string') throw new InvalidOptionError('token must be a string');
  }

  /** Fail whatever has waited for the server longer than `timeoutMs`. */
  private onTick(): void {
    const now = ++this.tick;
    if (this.closedError) return;
    if (!this.welcome) {
      if (now >= this.timeoutTicks) {
        const err = new TimeoutError(`no WELCOME from the server within ${this.timeoutMs} ms of HELLO`);
        this.conn.destroy(err);
        this.onClose(err);
      }
      return;
    }
    for (const r of this.requests.values()) {
      // `seen` was recorded somewhere inside its tick: a strict > never fires early.
      if (r.watched && now - r.seen > this.timeoutTicks) {
        this.abandon(r, new TimeoutError(`${r.what}: no response from the server for ${this.timeoutMs} ms`));
      }
    }
  }

  /** Start (or restart) the response watchdog of `r`: the server owes it a reply or progress. */
  private watch(r: PendingRequest): void {
    r.watched = true;
    r.seen = this.tick;
  }

  // ── FrameSink ──────────────────────────────────────────────────────────────────────────────

  onFrame(frame: Buffer): void {
    if (this.closedError) return;
    try {
      this.dispatch(decodeMessage(frame));
    } catch (err) {
      const e = err instanceof FileTransferError ? err : new ProtocolError(String(err), { cause: err });
      this.conn.send(encodeMessage({ type: MessageType.Error, id: 0, code: e.code, message: e.message }));
      this.conn.destroy(e);
      this.onClose(e);
    }
  }

  onDrain(): void {
    for (const r of this.requests.values()) r.sender?.onDrain();
  }

  onClose(error?: Error): void {
    if (this.closedError) return;
    const err =
      error instanceof FileTransferError ? error : new ConnectionClosedError('connection to the server closed', { cause: error });
    this.closedError = err;
    if (this.watchdog) clearInterval(this.watchdog);
    this.rejectReady(err);
    for (const r of this.requests.values()) r.fail(err);
    this.requests.clear();
  }

  private dispatch(m: Message): void {
    if (m.type === MessageType.Welcome) {
      if (this.welcome) throw new ProtocolError('second WELCOME');
      if (m.version !== PROTOCOL_VERSION) throw new ProtocolError(`server answered with protocol version ${m.version}`);
      this.welcome = m;
      this.resolveReady(m);
      return;
    }
    if (m.type === MessageType.Error && m.id === 0) {
      const err = errorFromCode(m.code, m.message);
      this.conn.close();
      this.onClose(err);
      return;
    }
    if (!this.welcome) throw new ProtocolError('message before WELCOME');
    if (!('id' in m)) throw new ProtocolError(`unexpected message type 0x${m.type.toString(16)} from a server`);
    const r = this.requests.get(m.id);
    if (!r) return; // late reply to a request we gave up on
    r.seen = this.tick;
    switch (m.type) {
      case MessageType.Data:
        if (!r.receiver) throw new ProtocolError(`transfer ${m.id}: DATA before GET_READY`);
        try {
          r.receiver.onData(m.payload);
        } catch (err) {
          if (err instanceof ProtocolError) throw err;
          this.abandon(r, err as Error);
        }
        return;
      case MessageType.Credit:
        r.sender?.addCredit(m.bytes);
        return;
      case MessageType.Error:
        r.fail(errorFromCode(m.code, m.message));
        this.requests.delete(r.id);
        return;
      default:
        r.deliver(m);
    }
  }

  /** Give up on request `r` locally and tell the server to stop it. */
  private abandon(r: PendingRequest, err: Error): void {
    r.fail(err);
    this.requests.delete(r.id);
    this.conn.send(encodeMessage({ type: MessageType.Cancel, id: r.id }));
  }

  private open(what: string): PendingRequest {
    if (this.closedError) throw this.closedError;
    let id = this.nextId;
    while (id === 0 || this.requests.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    const r = new PendingRequest(id, what);
    this.requests.set(id, r);
    return r;
  }

  private finish(r: PendingRequest): void {
    this.requests.delete(r.id);
  }

  private async expect<T extends Message['type']>(r: PendingRequest, type: T): Promise<Extract<Message, { type: T }>> {
    const m = await r.next();
    if (m.type !== type) throw new ProtocolError(`request ${r.id}: expected message 0x${type.toString(16)}, got 0x${m.type.toString(16)}`);
    return m as Extract<Message, { type: T }>;
  }

  private get chunk(): number {
    return Math.min(this.chunkSize, this.welcome?.maxChunk ?? this.chunkSize);
  }

  // ── operations ─────────────────────────────────────────────────────────────────────────────

  /**
   * Upload `local` to `remote`. With `resume` (default), continues the server's partial upload
   * of the same name when its prefix hashes like the local file's; otherwise starts over.
   */
  async put(local: string, remote: string, options: TransferOptions = {}): Promise<TransferResult> {
    refuseUnknownOptions(options, Object.keys(TRANSFER_OPTION_KEYS), 'put');
    await this.ready;
    const started = performance.now();
    const fh = await this.fs.open(local, SOURCE_OPEN_FLAGS).catch((err: NodeJS.ErrnoException) => {
      // ENXIO: a Unix socket (or a FIFO without reader on some systems) cannot be opened.
      if (err?.code === 'ENXIO') throw new NotAFileError(`${local} is not a regular file (a socket or device)`, { cause: err });
      throw fromFsError(err, local);
    });
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new NotAFileError(`${local} is not a regular file (${fileKind(st)})`);
      const size = st.size;
      let resume = options.resume ?? true;
      for (;;) {
        const r = this.open(`PUT ${remote}`);
        try {
          this.conn.send(encodeMessage({ type: MessageType.Put, id: r.id, size, resume, name: remote }));
          this.watch(r);
          const ready = await this.expect(r, MessageType.PutReady);
          if (ready.offset > size) throw new ProtocolError(`server resumes at ${ready.offset}, past the end (${size})`);
          const hash = createHash('sha256');
          if (ready.offset > 0) {
            r.watched = false; // our own work: hashing may take a while on a large prefix
            await hashPrefix(fh, ready.offset, hash);
            this.watch(r);
            if (!hash.copy().digest().equals(ready.prefixHash)) {
              // The server's partial is not a prefix of this file: start over.
              this.abandon(r, new ProtocolError('stale partial'));
              resume = false;
              continue;
            }
          }
          const progress = options.onProgress;
          const sender = new FileSender(
            this.conn,
            r.id,
            fh,
            ready.offset,
            size,
            hash,
            this.chunk,
            ready.credit,
            MessageType.PutEnd,
            (done) => {
              r.seen = this.tick;
              progress?.(done, size);
            },
            true,
          );
          r.sender = sender;
          sender.start();
          const digest = await sender.done;
          const done = await this.expect(r, MessageType.PutDone);
          if (!done.sha256.equals(digest) || done.size !== size) {
            throw new HashMismatchError(`server published ${done.size} bytes hashing to ${done.sha256.toString('hex')}, sent ${size} hashing to ${digest.toString('hex')}`);
          }
          return {
            name: remote,
            local,
            size,
            resumedFrom: ready.offset,
            transferred: size - ready.offset,
            seconds: (performance.now() - started) / 1000,
            sha256: digest.toString('hex'),
          };
        } catch (err) {
          if (!r.failed) this.abandon(r, err as Error);
          await r.sender?.idle();
          throw err;
        } finally {
          this.finish(r);
        }
      }
    } finally {
      await fh.close().catch(() => {});
    }
  }

  /**
   * Download `remote` to `local`, assembling it in a hidden partial next to `local` and
   * renaming it into place only once complete, synced and verified. With `resume` (default),
   * an existing partial is continued when the server confirms its prefix hash.
   */
  async get(remote: string, local: string, options: TransferOptions = {}): Promise<TransferResult> {
    refuseUnknownOptions(options, Object.keys(TRANSFER_OPTION_KEYS), 'get');
    await this.ready;
    const started = performance.now();
    const partial = downloadPartialPath(local);
    const fs = this.fs;
    await refuseNonRegularTarget(fs, local);
    const fh = await fs.open(partial, PARTIAL_OPEN_FLAGS, 0o644).catch((err: NodeJS.ErrnoException) => {
      // The partial is our business, not the user's: name the path they gave.
      if (err?.code === 'ENOENT') throw new NotFoundError(`${local}: folder ${path.dirname(local)} does not exist`, { cause: err });
      throw fromFsError(err, local);
    });
    let closed = false;
    const r = this.open(`GET ${remote}`);
    try {
      let have = 0;
      if (options.resume ?? true) have = (await fh.stat()).size;
      else await fh.truncate(0);
      const hash = createHash('sha256');
      await hashPrefix(fh, have, hash);
      const prefixHash = have > 0 ? hash.copy().digest() : ZERO_DIGEST;
      const progress = options.onProgress;
      r.onMessage = (m) => {
        // Must run before the DATA that follows GET_READY is dispatched.
        if (m.type !== MessageType.GetReady) return;
        if (m.offset !== 0 && m.offset !== have) throw new ProtocolError(`server resumes at ${m.offset}, we hold ${have}`);
        r.receiver = new FileReceiver(
          this.conn,
          r.id,
          fh,
          m.offset,
          m.size,
          m.offset === 0 ? createHash('sha256') : hash,
          this.window,
          (err) => this.abandon(r, err),
          (done) => {
            r.seen = this.tick;
            progress?.(done, m.size);
          },
        );
      };
      this.conn.send(encodeMessage({ type: MessageType.Get, id: r.id, offset: have, prefixHash, credit: this.window, name: remote }));
      this.watch(r);
      const ready = await this.expect(r, MessageType.GetReady);
      const end = await this.expect(r, MessageType.GetEnd);
      r.watched = false; // the server is done; the rest (writes, sync, rename) is local
      let digest: Buffer;
      try {
        digest = await r.receiver!.finish(Buffer.from(end.sha256));
      } catch (err) {
        if (err instanceof FileTransferError && (err.code === 'IOCP_ERR_FT_HASH_MISMATCH' || err.code === 'IOCP_ERR_FT_SIZE_MISMATCH')) {
          closed = true;
          await fh.close().catch(() => {});
          await fs.unlink(partial).catch(() => {});
        }
        throw err;
      }
      closed = true;
      await fh.close();
      await refuseNonRegularTarget(fs, local);
      await fs.rename(partial, local).catch((err) => {
        throw fromFsError(err, local);
      });
      const dir = await fs.open(path.dirname(local), 'r').catch(() => undefined);
      await dir?.sync().catch(() => {});
      await dir?.close().catch(() => {});
      return {
        name: remote,
        local,
        size: ready.size,
        resumedFrom: ready.offset,
        transferred: ready.size - ready.offset,
        seconds: (performance.now() - started) / 1000,
        sha256: digest.toString('hex'),
      };
    } catch (err) {
      if (!r.failed) this.abandon(r, err as Error);
      throw err;
    } finally {
      this.finish(r);
      if (!closed) {
        await r.receiver?.quiesce();
        const kept = await fh.stat().then((s) => s.size, () => 0);
        await fh.sync().catch(() => {});
        await fh.close().catch(() => {});
        // Keep a partial for resume only when it holds something.
        if (kept === 0) await fs.unlink(partial).catch(() => {});
      }
    }
  }

  /**
   * Every file under `folder` (default: the whole root), recursively, with sizes, sorted by
   * name (`/`-separated relative paths compared by UTF-16 code unit, like `Array.prototype.sort`),
   * so the order does not depend on the server's file system.
   */
  async list(folder = ''): Promise<ListEntry[]> {
    await this.ready;
    const r = this.open(`LIST ${folder || '/'}`);
    try {
      this.conn.send(encodeMessage({ type: MessageType.List, id: r.id, folder }));
      this.watch(r);
      const out: ListEntry[] = [];
      for (;;) {
        const m = await r.next();
        if (m.type === MessageType.ListEnd) return out.sort(byName);
        if (m.type !== MessageType.ListItems) throw new ProtocolError(`LIST: unexpected message 0x${m.type.toString(16)}`);
        for (const e of m.entries) out.push(e);
      }
    } finally {
      this.finish(r);
    }
  }

  /** Size and modification time of `remote`. */
  async stat(remote: string): Promise<RemoteStat> {
    await this.ready;
    const r = this.open(`STAT ${remote}`);
    try {
      this.conn.send(encodeMessage({ type: MessageType.Stat, id: r.id, name: remote }));
      this.watch(r);
      const m = await this.expect(r, MessageType.StatOk);
      return { size: m.size, mtimeMs: m.mtimeMs };
    } finally {
      this.finish(r);
    }
  }

  /** Remove `remote` (and any partial upload of it). */
  async delete(remote: string): Promise<void> {
    await this.ready;
    const r = this.open(`DELETE ${remote}`);
    try {
      this.conn.send(encodeMessage({ type: MessageType.Delete, id: r.id, name: remote }));
      this.watch(r);
      await this.expect(r, MessageType.DeleteOk);
    } finally {
      this.finish(r);
    }
  }

  /** Close the connection once queued frames are sent. Requests in progress fail with IOCP_ERR_FT_CLOSED. */
  close(): void {
    this.conn.close();
    this.onClose();
  }
}

function byName(a: ListEntry, b: ListEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** What a non-regular file is, for the error message. */
/**
 * A download is published by renaming over `local`, which replaces whatever is there: an
 * existing target that is not a regular file (`/dev/null`, a FIFO, a socket, a folder) is refused
 * rather than replaced. Checked before the transfer and again right before the rename.
 */
async function refuseNonRegularTarget(fs: FileSystem, local: string): Promise<void> {
  const st = await fs.stat(local).catch(() => undefined);
  if (st !== undefined && !st.isFile()) throw new NotAFileError(`${local} is not a regular file (${fileKind(st)}); refusing to replace it`);
}

function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a plain file';
}
