import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  ConnectionClosedError,
  FileTransferError,
  HashMismatchError,
  InvalidOptionError,
  NotAFileError,
  ProtocolError,
  errorFromCode,
  fromFsError,
} from './errors.js';
import { type FileSystem, nodeFileSystem } from './file-system.js';
import type { FrameConnection, FrameSink } from './frame-connection.js';
import { FileReceiver } from './internal/file-receiver.js';
import { FileSender } from './internal/file-sender.js';
import { hashPrefix } from './internal/hash-prefix.js';
import { PendingRequest } from './internal/pending-request.js';
import { PARTIAL_OPEN_FLAGS } from './internal/root-folder.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { DATA_HEADER_LENGTH, DIGEST_LENGTH, type ListEntry, type Message, MessageType, PROTOCOL_VERSION, type WelcomeMessage } from './messages.js';

/** Options of a {@link ClientSession}. */
export interface ClientSessionOptions {
  /** Shared token the server requires. Default: none. */
  token?: string;
  /** Largest DATA payload this client sends (capped by the server's limit). Default 256 KiB. */
  chunkSize?: number;
  /** Credit granted to the server per download: the most bytes buffered for one download. Default 4 MiB. */
  window?: number;
  /** File system for local files. Default `node:fs/promises`. */
  fs?: FileSystem;
  /**
   * Largest frame this side's codec accepts. Announced in HELLO (as `maxFrameLength − 5`) so the
   * server never sends a longer DATA frame. Default: no limit announced.
   */
  maxFrameLength?: number;
  /** Protocol version announced in HELLO (tests use it to check refusals). Default {@link PROTOCOL_VERSION}. */
  protocolVersion?: number;
}

/** Options of one upload or download. */
export interface TransferOptions {
  /** Continue from what the other side already holds (verified by SHA-256 of the prefix). Default true. */
  resume?: boolean;
  /** Called as bytes move: `done` counts the resumed prefix, `total` is the file size. */
  onProgress?: (done: number, total: number) => void;
}

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
  private resolveReady!: (w: WelcomeMessage) => void;
  private rejectReady!: (err: Error) => void;
  /** Resolves once the server accepted HELLO; rejects with its coded error otherwise. */
  readonly ready: Promise<WelcomeMessage>;

  constructor(
    private readonly conn: FrameConnection,
    options: ClientSessionOptions = {},
  ) {
    this.fs = options.fs ?? nodeFileSystem;
    this.chunkSize = positiveInt(options.chunkSize ?? DEFAULT_CHUNK, 'chunkSize', 1, 0xffff_ffff - DATA_HEADER_LENGTH);
    this.window = positiveInt(options.window ?? DEFAULT_WINDOW, 'window', 1, 0xffff_ffff);
    const version = positiveInt(options.protocolVersion ?? PROTOCOL_VERSION, 'protocolVersion', 0, 0xffff);
    if (options.token !== undefined && typeof options.token !== 'string') throw new InvalidOptionError('token must be a string');
    this.ready = new Promise<WelcomeMessage>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {});
    const maxFrame = options.maxFrameLength === undefined ? undefined : positiveInt(options.maxFrameLength, 'maxFrameLength', DATA_HEADER_LENGTH + 1, 0xffff_ffff);
    this.chunkSize = Math.min(this.chunkSize, (maxFrame ?? Number.MAX_SAFE_INTEGER) - DATA_HEADER_LENGTH);
    const hello = { type: MessageType.Hello, version, token: Buffer.from(options.token ?? '', 'utf8') } as const;
    conn.send(encodeMessage(maxFrame === undefined ? hello : { ...hello, maxChunk: maxFrame - DATA_HEADER_LENGTH }));
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

  private open(): PendingRequest {
    if (this.closedError) throw this.closedError;
    let id = this.nextId;
    while (id === 0 || this.requests.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    const r = new PendingRequest(id);
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
    await this.ready;
    const started = performance.now();
    const fh = await this.fs.open(local, 'r').catch((err) => {
      throw fromFsError(err, local);
    });
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new NotAFileError(`${local} is not a file`);
      const size = st.size;
      let resume = options.resume ?? true;
      for (;;) {
        const r = this.open();
        try {
          this.conn.send(encodeMessage({ type: MessageType.Put, id: r.id, size, resume, name: remote }));
          const ready = await this.expect(r, MessageType.PutReady);
          if (ready.offset > size) throw new ProtocolError(`server resumes at ${ready.offset}, past the end (${size})`);
          const hash = createHash('sha256');
          if (ready.offset > 0) {
            await hashPrefix(fh, ready.offset, hash);
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
            progress ? (done) => progress(done, size) : undefined,
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
    await this.ready;
    const started = performance.now();
    const partial = downloadPartialPath(local);
    const fs = this.fs;
    const fh = await fs.open(partial, PARTIAL_OPEN_FLAGS, 0o644).catch((err) => {
      throw fromFsError(err, partial);
    });
    let closed = false;
    const r = this.open();
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
          progress ? (done) => progress(done, m.size) : undefined,
        );
      };
      this.conn.send(encodeMessage({ type: MessageType.Get, id: r.id, offset: have, prefixHash, credit: this.window, name: remote }));
      const ready = await this.expect(r, MessageType.GetReady);
      const end = await this.expect(r, MessageType.GetEnd);
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

  /** Every file under `folder` (default: the whole root), recursively, with sizes. */
  async list(folder = ''): Promise<ListEntry[]> {
    await this.ready;
    const r = this.open();
    try {
      this.conn.send(encodeMessage({ type: MessageType.List, id: r.id, folder }));
      const out: ListEntry[] = [];
      for (;;) {
        const m = await r.next();
        if (m.type === MessageType.ListEnd) return out;
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
    const r = this.open();
    try {
      this.conn.send(encodeMessage({ type: MessageType.Stat, id: r.id, name: remote }));
      const m = await this.expect(r, MessageType.StatOk);
      return { size: m.size, mtimeMs: m.mtimeMs };
    } finally {
      this.finish(r);
    }
  }

  /** Remove `remote` (and any partial upload of it). */
  async delete(remote: string): Promise<void> {
    await this.ready;
    const r = this.open();
    try {
      this.conn.send(encodeMessage({ type: MessageType.Delete, id: r.id, name: remote }));
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
