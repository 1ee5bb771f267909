import { createHash, timingSafeEqual } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import {
  AuthError,
  BusyError,
  CancelledError,
  ConnectionClosedError,
  FileTransferError,
  NoSpaceError,
  NotAFileError,
  ProtocolError,
  TooLargeError,
  TooManyTransfersError,
  VersionError,
  fromFsError,
} from './errors.js';
import type { FrameConnection, FrameSink } from './frame-connection.js';
import { FileReceiver } from './internal/file-receiver.js';
import { FileSender } from './internal/file-sender.js';
import { hashPrefix } from './internal/hash-prefix.js';
import { PARTIAL_OPEN_FLAGS } from './internal/root-folder.js';
import type { ServerContext } from './internal/server-context.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import {
  type DeleteMessage,
  type GetMessage,
  type ListEntry,
  type ListMessage,
  type Message,
  MessageType,
  PROTOCOL_VERSION,
  type PutEndMessage,
  type PutMessage,
  type StatMessage,
} from './messages.js';
import { RESERVED_FOLDER, parseRemoteFolder, parseRemoteName } from './remote-name.js';

interface Upload {
  kind: 'put';
  id: number;
  name: string;
  size: number;
  partial: string;
  target: string;
  fh: FileHandle | undefined;
  receiver: FileReceiver | undefined;
  ended: boolean;
  /** True once this upload holds the name's busy lock. */
  locked: boolean;
  closed: boolean;
  /** The setup (`onPut`, up to PUT_READY) while it runs: a drop waits for it before releasing the name. */
  setup: Promise<void> | undefined;
}
interface Download {
  kind: 'get';
  id: number;
  name: string;
  fh: FileHandle | undefined;
  sender: FileSender | undefined;
  closed: boolean;
}
interface Simple {
  kind: 'op';
  id: number;
  closed: boolean;
}
type Transfer = Upload | Download | Simple;

/** Listing batches stay under this many bytes on the wire. */
const LIST_BATCH_BYTES = 32 * 1024;

/**
 * The server side of one connection: a small state machine.
 *
 * ```
 *  await-hello ──HELLO ok──► open ──(any request, many at once, by transfer id)──► ...
 *       │                      │
 *       └──bad version/token───┴──protocol violation / connection lost──► closed
 * ```
 *
 * Request errors (bad name, busy, disk full...) fail only that request, answered with an ERROR
 * carrying its code; the connection and the other transfers go on. Protocol violations (bad
 * message, credit overrun) end the connection.
 */
export class ServerSession implements FrameSink {
  private state: 'hello' | 'open' | 'closed' = 'hello';
  /** DATA payload size on this connection: the server's chunk, capped by the client's HELLO. */
  private chunk: number;
  private readonly transfers = new Map<number, Transfer>();

  /** @internal Sessions come from `FileServer.attach` (or `FileServer.listen`). */
  constructor(
    private readonly conn: FrameConnection,
    private readonly ctx: ServerContext,
    private readonly peer = 'peer',
  ) {
    this.chunk = ctx.chunkSize;
  }

  /** Transfers (and requests) in progress on this connection. */
  get activeTransfers(): number {
    return this.transfers.size;
  }

  onFrame(frame: Buffer): void {
    if (this.state === 'closed') return;
    let m: Message;
    try {
      m = decodeMessage(frame);
      this.dispatch(m);
    } catch (err) {
      this.fatal(err instanceof FileTransferError ? err : new ProtocolError(String(err), { cause: err }));
    }
  }

  onDrain(): void {
    for (const t of this.transfers.values()) if (t.kind === 'get') t.sender?.onDrain();
    this.wakeWriters();
  }

  onClose(error?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ctx.sessions.delete(this);
    const err = new ConnectionClosedError('connection closed', { cause: error });
    for (const t of [...this.transfers.values()]) this.drop(t, err);
    // Requests waiting for drain (LIST) see the close and end: their folder handles close.
    this.wakeWriters();
  }

  private send(m: Message): void {
    if (this.state !== 'closed') this.conn.send(encodeMessage(m));
  }

  /** End the connection with a connection-level ERROR (id 0). */
  private fatal(err: FileTransferError): void {
    if (this.state === 'closed') return;
    this.countFailure(err.code);
    this.ctx.log?.warn({ peer: this.peer, code: err.code, err: err.message }, 'closing connection');
    this.send({ type: MessageType.Error, id: 0, code: err.code, message: err.message });
    this.conn.close();
    this.onClose(err);
  }

  private countFailure(code: string): void {
    const f = this.ctx.counters.failures;
    f[code] = (f[code] ?? 0) + 1;
  }

  private dispatch(m: Message): void {
    if (this.state === 'hello') {
      if (m.type !== MessageType.Hello) throw new ProtocolError('the first message must be HELLO');
      if (m.version !== PROTOCOL_VERSION) {
        throw new VersionError(`protocol version ${m.version} is not supported; this server speaks version ${PROTOCOL_VERSION}`);
      }
      if (this.ctx.tokenDigest) {
        // Compare digests, not tokens: equal length for timingSafeEqual, and no length leak.
        const got = createHash('sha256').update(m.token).digest();
        if (m.token.length === 0) throw new AuthError('this server requires a token');
        if (!timingSafeEqual(got, this.ctx.tokenDigest)) throw new AuthError('wrong token');
      }
      if (m.maxChunk !== undefined) {
        if (m.maxChunk < 1) throw new ProtocolError('HELLO maxChunk must be at least 1');
        this.chunk = Math.min(this.chunk, m.maxChunk);
      }
      this.state = 'open';
      this.send({
        type: MessageType.Welcome,
        version: PROTOCOL_VERSION,
        maxChunk: this.chunk,
        window: this.ctx.window,
        maxTransfers: this.ctx.maxTransfers,
      });
      return;
    }
    switch (m.type) {
      case MessageType.Data: {
        const t = this.transfers.get(m.id);
        if (t?.kind !== 'put') return; // late data of a failed or cancelled upload
        if (!t.receiver) throw new ProtocolError(`transfer ${m.id}: DATA before PUT_READY`);
        this.ctx.counters.bytesReceived += m.payload.length;
        try {
          t.receiver.onData(m.payload);
        } catch (err) {
          if (err instanceof ProtocolError) throw err;
          this.failTransfer(t, err);
        }
        return;
      }
      case MessageType.Credit: {
        const t = this.transfers.get(m.id);
        if (t?.kind === 'get') t.sender?.addCredit(m.bytes);
        return;
      }
      case MessageType.PutEnd:
        this.onPutEnd(m);
        return;
      case MessageType.Cancel:
      case MessageType.Error: {
        const t = this.transfers.get(m.id);
        if (t) this.drop(t, new CancelledError(`transfer ${m.id} cancelled by the client`));
        return;
      }
      case MessageType.Put:
        this.begin(m.id, 'put', () => this.onPut(m));
        return;
      case MessageType.Get:
        this.begin(m.id, 'get', () => this.onGet(m));
        return;
      case MessageType.List:
        this.begin(m.id, 'op', () => this.onList(m));
        return;
      case MessageType.Stat:
        this.begin(m.id, 'op', () => this.onStat(m));
        return;
      case MessageType.Delete:
        this.begin(m.id, 'op', () => this.onDelete(m));
        return;
      default:
        throw new ProtocolError(`unexpected message type 0x${m.type.toString(16)} from a client`);
    }
  }

  /** Register request `id` and run it; its failure fails only this request. */
  private begin(id: number, kind: Transfer['kind'], run: () => Promise<void>): void {
    if (id === 0) throw new ProtocolError('request id 0 is reserved');
    if (this.transfers.has(id)) throw new ProtocolError(`request id ${id} is already in use`);
    if (this.transfers.size >= this.ctx.maxTransfers) {
      this.send(errorMessage(id, new TooManyTransfersError(`at most ${this.ctx.maxTransfers} requests at once per connection`)));
      return;
    }
    const t: Transfer =
      kind === 'put'
        ? { kind, id, name: '', size: 0, partial: '', target: '', fh: undefined, receiver: undefined, ended: false, locked: false, closed: false, setup: undefined }
        : kind === 'get'
          ? { kind, id, name: '', fh: undefined, sender: undefined, closed: false }
          : { kind, id, closed: false };
    this.transfers.set(id, t);
    const running = run();
    if (t.kind === 'put') t.setup = running.catch(() => {});
    running.catch((err) => this.failTransfer(t, err));
  }

  private failTransfer(t: Transfer, err: unknown): void {
    if (t.closed) return;
    const e = err instanceof FileTransferError ? err : fromFsError(err, 'request');
    this.countFailure(e.code);
    this.ctx.log?.warn({ peer: this.peer, id: t.id, file: 'name' in t ? t.name : undefined, code: e.code, err: e.message }, 'request failed');
    this.send(errorMessage(t.id, e));
    this.drop(t, e);
  }

  /** Forget transfer `t`: stop its I/O, close its file, release its name. Partials are kept. */
  private drop(t: Transfer, err: Error): void {
    if (t.closed) return;
    t.closed = true;
    this.transfers.delete(t.id);
    if (t.kind === 'put') {
      const r = t.receiver;
      r?.abort(err);
      const fh = t.fh;
      t.fh = undefined;
      const closing = (async () => {
        // A setup still opening the partial finishes first (it sees `closed` and closes what it
        // opened): the name stays locked until nothing of this upload touches its files.
        await t.setup;
        await r?.quiesce();
        // Best effort: what reached the partial should be durable for a later resume.
        await fh?.sync().catch(() => {});
        await fh?.close().catch(() => {});
        if (r === undefined && t.partial !== '') {
          // Dropped before PUT_READY: an empty partial it created is no use to a resume.
          const st = await this.ctx.fs.stat(t.partial).catch(() => undefined);
          if (st?.size === 0) await this.ctx.fs.unlink(t.partial).catch(() => {});
        }
      })();
      if (t.locked) {
        const release = closing.then(() => {
          if (this.ctx.busy.get(t.name) === release) this.ctx.busy.delete(t.name);
        });
        this.ctx.busy.set(t.name, release);
      }
    } else if (t.kind === 'get') {
      t.sender?.abort(err);
      const fh = t.fh;
      t.fh = undefined;
      // A read may be in flight; closing after the sender's promise settles keeps it safe.
      if (t.sender) {
        const close = () => fh?.close().catch(() => {});
        t.sender.idle().then(close);
      }
      else void fh?.close().catch(() => {});
    }
  }

  private async onPut(m: PutMessage): Promise<void> {
    const t = this.transfers.get(m.id) as Upload;
    t.name = m.name; // named in the log even when refused below
    const segments = parseRemoteName(m.name);
    t.size = m.size;
    if (m.size > this.ctx.maxFileSize) {
      throw new TooLargeError(`${m.name}: ${m.size} bytes is over the server's limit of ${this.ctx.maxFileSize}`);
    }
    // An abandoned upload of this name may still be closing its partial: wait for it.
    for (let closing = this.ctx.busy.get(m.name); closing; closing = this.ctx.busy.get(m.name)) await closing;
    if (this.ctx.busy.has(m.name)) throw new BusyError(`${m.name}: another upload of this name is in progress`);
    if (t.closed) return;
    this.ctx.busy.set(m.name, undefined);
    t.locked = true;
    // From here on, drop() releases the name.
    const fs = this.ctx.fs;
    try {
      t.target = await this.ctx.root.prepareTarget(segments, m.name);
      t.partial = this.ctx.root.partialPath(m.name);
      if (!m.resume) await fs.unlink(t.partial).catch(() => {});
      // 0o644 less the umask, like a download and like `cp`: the published file is the
      // partial renamed, so this is the mode users see.
      const fh = await fs.open(t.partial, PARTIAL_OPEN_FLAGS, 0o644);
      if (t.closed) {
        await fh.close();
        return;
      }
      t.fh = fh;
      let offset = (await fh.stat()).size;
      if (offset > m.size) {
        await fh.truncate(0);
        offset = 0;
      }
      const free = await fs.statfs(this.ctx.root.real);
      const avail = free.bavail * free.bsize;
      if (avail < m.size - offset + this.ctx.minFreeBytes) {
        throw new NoSpaceError(`${m.name}: ${m.size - offset} bytes needed, ${avail} bytes free on the server`);
      }
      const hash = createHash('sha256');
      await hashPrefix(fh, offset, hash);
      if (t.closed) return;
      const receiver = new FileReceiver(this.conn, m.id, fh, offset, m.size, hash, this.ctx.window, (err) => this.failTransfer(t, err));
      t.receiver = receiver;
      this.send({ type: MessageType.PutReady, id: m.id, offset, prefixHash: hash.copy().digest(), credit: this.ctx.window });
      this.ctx.counters.uploadsStarted++;
      this.ctx.log?.info({ peer: this.peer, id: m.id, file: m.name, size: m.size, offset }, 'upload started');
    } catch (err) {
      throw fromFsError(err, m.name);
    }
  }

  private onPutEnd(m: PutEndMessage): void {
    const t = this.transfers.get(m.id);
    if (t?.kind !== 'put') return;
    if (!t.receiver || t.ended) throw new ProtocolError(`transfer ${m.id}: unexpected PUT_END`);
    t.ended = true;
    const sha = Buffer.from(m.sha256);
    this.publish(t, sha).catch((err) => this.failTransfer(t, err));
  }

  private async publish(t: Upload, sha: Buffer): Promise<void> {
    const fs = this.ctx.fs;
    let digest: Buffer;
    try {
      digest = await t.receiver!.finish(sha);
    } catch (err) {
      if (err instanceof FileTransferError && (err.code === 'IOCP_ERR_FT_HASH_MISMATCH' || err.code === 'IOCP_ERR_FT_SIZE_MISMATCH')) {
        // A corrupt partial must never be resumed: remove it.
        await fs.unlink(t.partial).catch(() => {});
      }
      throw err;
    }
    if (t.closed) return;
    const fh = t.fh!;
    t.fh = undefined;
    await fh.close();
    await this.ctx.root.recheckParent(t.target, t.name);
    const st = await fs.lstat(t.target).catch(() => undefined);
    if (st?.isDirectory()) throw new NotAFileError(`${t.name} is a folder`);
    await fs.rename(t.partial, t.target);
    await syncFolder(this.ctx, path.dirname(t.target));
    this.send({ type: MessageType.PutDone, id: t.id, size: t.size, sha256: digest });
    this.ctx.counters.uploadsPublished++;
    this.ctx.log?.info({ peer: this.peer, id: t.id, file: t.name, size: t.size, sha256: digest.toString('hex') }, 'upload published');
    t.closed = true;
    this.transfers.delete(t.id);
    this.ctx.busy.delete(t.name);
  }

  private async onGet(m: GetMessage): Promise<void> {
    const t = this.transfers.get(m.id) as Download;
    t.name = m.name; // named in the log even when refused below
    const segments = parseRemoteName(m.name);
    const real = await this.ctx.root.resolveExisting(segments, m.name);
    try {
      const fh = await this.ctx.fs.open(real, 'r');
      if (t.closed) {
        await fh.close();
        return;
      }
      t.fh = fh;
      const st = await fh.stat();
      if (!st.isFile()) throw new NotAFileError(`${m.name} is not a file`);
      const hash = createHash('sha256');
      let offset = 0;
      if (m.offset > 0 && m.offset <= st.size) {
        await hashPrefix(fh, m.offset, hash);
        if (hash.copy().digest().equals(m.prefixHash)) offset = m.offset;
      }
      if (t.closed) return;
      const h = offset > 0 ? hash : createHash('sha256');
      this.send({ type: MessageType.GetReady, id: m.id, size: st.size, offset, mtimeMs: Math.floor(st.mtimeMs) });
      const counters = this.ctx.counters;
      let sent = offset;
      const sender = new FileSender(this.conn, m.id, fh, offset, st.size, h, this.chunk, m.credit, MessageType.GetEnd, (pos) => {
        counters.bytesSent += pos - sent;
        sent = pos;
      });
      t.sender = sender;
      counters.downloadsStarted++;
      sender.start();
      await sender.done;
      counters.downloadsCompleted++;
      this.ctx.log?.info({ peer: this.peer, id: m.id, file: m.name, size: st.size, offset }, 'download sent');
      t.closed = true;
      this.transfers.delete(t.id);
      t.fh = undefined;
      await fh.close();
    } catch (err) {
      throw fromFsError(err, m.name);
    }
  }

  private async onStat(m: StatMessage): Promise<void> {
    const real = await this.ctx.root.resolveExisting(parseRemoteName(m.name), m.name);
    const st = await this.ctx.fs.stat(real).catch((err) => {
      throw fromFsError(err, m.name);
    });
    if (!st.isFile()) throw new NotAFileError(`${m.name} is not a file`);
    this.finishOp(m.id, { type: MessageType.StatOk, id: m.id, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
  }

  private async onDelete(m: DeleteMessage): Promise<void> {
    const segments = parseRemoteName(m.name);
    if (this.ctx.busy.has(m.name)) throw new BusyError(`${m.name}: an upload of this name is in progress`);
    // A kept partial upload of the name goes too (that is how a client abandons a resume).
    const hadPartial = await this.ctx.fs.unlink(this.ctx.root.partialPath(m.name)).then(
      () => true,
      () => false,
    );
    try {
      const target = await this.ctx.root.resolveForDelete(segments, m.name);
      await this.ctx.fs.unlink(target).catch((err) => {
        throw fromFsError(err, m.name);
      });
    } catch (err) {
      if (!(hadPartial && err instanceof FileTransferError && err.code === 'IOCP_ERR_FT_NOT_FOUND')) throw err;
    }
    this.ctx.log?.info({ peer: this.peer, id: m.id, file: m.name, partial: hadPartial }, 'deleted');
    this.finishOp(m.id, { type: MessageType.DeleteOk, id: m.id });
  }

  /**
   * Requests waiting for the connection to drain (several LISTs may wait at once). Woken by a
   * drain and by the close: a waiter left behind would keep its open folder handle for ever.
   */
  private drainWaiters: (() => void)[] = [];

  private wakeWriters(): void {
    const waiters = this.drainWaiters;
    if (waiters.length === 0) return;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private async writable(): Promise<void> {
    while (this.state !== 'closed' && !this.conn.writable) {
      await new Promise<void>((resolve) => {
        this.drainWaiters.push(resolve);
      });
    }
  }

  /**
   * Walk `folder` depth-first with `opendir` (constant memory per level), sending batches of
   * entries as the connection drains. Symbolic links are not followed and not listed; the
   * reserved partials folder is skipped.
   */
  private async onList(m: ListMessage): Promise<void> {
    const t = this.transfers.get(m.id)!;
    const segments = parseRemoteFolder(m.folder);
    const start = await this.ctx.root.resolveExisting(segments, m.folder || '.');
    let batch: ListEntry[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await this.writable();
      this.send({ type: MessageType.ListItems, id: m.id, entries: batch });
      batch = [];
      batchBytes = 0;
    };
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const d = await this.ctx.fs.opendir(dir);
      for await (const ent of d) {
        if (t.closed) return;
        if (prefix === '' && dir === this.ctx.root.real && ent.name === RESERVED_FOLDER) continue;
        const full = path.join(dir, ent.name);
        const rel = prefix === '' ? ent.name : `${prefix}/${ent.name}`;
        if (ent.isDirectory()) await walk(full, rel);
        else if (ent.isFile()) {
          const st = await this.ctx.fs.lstat(full).catch(() => undefined);
          if (!st) continue; // removed meanwhile
          batch.push({ name: rel, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
          batchBytes += Buffer.byteLength(rel) + 18;
          if (batch.length >= 0xffff || batchBytes >= LIST_BATCH_BYTES) await flush();
        }
      }
    };
    try {
      const st = await this.ctx.fs.stat(start);
      if (!st.isDirectory()) throw new NotAFileError(`${m.folder} is not a folder`);
      await walk(start, segments.join('/'));
      await flush();
    } catch (err) {
      throw fromFsError(err, m.folder || 'root');
    }
    this.finishOp(m.id, { type: MessageType.ListEnd, id: m.id });
  }

  private finishOp(id: number, reply: Message): void {
    const t = this.transfers.get(id);
    if (!t || t.closed) return;
    t.closed = true;
    this.transfers.delete(id);
    this.send(reply);
  }
}

function errorMessage(id: number, err: FileTransferError): Message {
  return { type: MessageType.Error, id, code: err.code, message: err.message };
}

/** fsync a folder so a rename in it survives a crash (best effort where unsupported). */
async function syncFolder(ctx: ServerContext, dir: string): Promise<void> {
  const fh = await ctx.fs.open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => {});
  await fh.close().catch(() => {});
}
