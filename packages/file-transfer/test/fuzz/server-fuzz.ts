/**
 * Protocol fuzzing of the file server: fast-check generates sequences of valid, mutated and
 * truncated client messages that follow a real HELLO/WELCOME, drives a server session with them
 * in-process (no sockets: thousands of cases a second), and checks after every case:
 *
 * 1. the session never throws out of `onFrame` / `onDrain` / `onClose`, and nothing escapes as
 *    an unhandled rejection or exception;
 * 2. every frame the server sends decodes, and every refusal is an ERROR with a coded
 *    `IOCP_ERR_...` and a one-line message; a connection the server ends is ended with one;
 * 3. no file appears outside the root (a sibling folder, reachable through a symlink in the root,
 *    stays as it was);
 * 4. nothing outlives the session: no name lock (uploads in progress), no open file (the
 *    process's fd count returns to its baseline), no file in the root but the fixtures, the
 *    published uploads and the partials kept for resume of uploads this case left unfinished;
 * 5. a good client on the same server keeps being served alongside (a STAT after each case).
 *
 * Used by `test/server-fuzz.test.ts` (CI: seeded, a few thousand cases) and
 * `test/fuzz/long-run.ts` (the root `fuzz` script: many more, seed printed to replay).
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, readdirSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect } from 'node:net';
import { FrameReader, lengthPrefixed } from '@iocp/framing';
import fc from 'fast-check';
import {
  ClientSession,
  FileServer,
  type FileServerOptions,
  type FrameConnection,
  type Message,
  MessageType,
  PROTOCOL_VERSION,
  RESERVED_FOLDER,
  decodeMessage,
  encodeMessage,
} from '../../src/index.js';
import { memoryPair } from '../helpers/memory-pipe.js';

/** One step a fuzzing client takes. */
export type Step =
  | { readonly kind: 'frame'; readonly bytes: Buffer; readonly what: string }
  /** Let the server's pending file-system work run (a few event-loop turns). */
  | { readonly kind: 'tick' }
  /** The connection stops being writable (the server must wait for drain). */
  | { readonly kind: 'choke' }
  /** Writable again: `onDrain`. */
  | { readonly kind: 'drain' }
  /** Wait (bounded) for the server's reply of `type` — or an ERROR — to request `id`, as a real client does. */
  | { readonly kind: 'await'; readonly type: number; readonly id: number };

const FIXTURE = 'fixture.txt';
const FIXTURE_BYTES = Buffer.alloc(1024, 0x61);
/** The good client's file: no generated name reaches it. */
const GOOD = 'zz-good.bin';

/** A fake connection that records what the server sends and whether it ended the connection. */
class RecordingConnection implements FrameConnection {
  readonly sent: Buffer[] = [];
  /** Client and server messages in the order they happened (undecodable client frames left out). */
  readonly log: { from: 'client' | 'server'; m: Message; at: number }[] = [];
  closed = false;
  destroyedWith: Error | undefined = undefined;
  writable = true;
  send(frame: Uint8Array): boolean {
    if (this.closed) return false;
    const b = Buffer.from(frame);
    this.sent.push(b);
    this.log.push({ from: 'server', m: decodeMessage(b), at: this.sent.length });
    return this.writable;
  }
  close(): void {
    this.closed = true;
  }
  destroy(error?: Error): void {
    this.closed = true;
    this.destroyedWith = error;
  }
}

/** The server, its root, the folder outside it, and the good client. */
export interface FuzzWorld {
  readonly dir: string;
  readonly root: string;
  readonly outside: string;
  readonly server: FileServer;
  readonly good: ClientSession;
  /** Open fds of this process with the world idle. */
  readonly baselineFds: number;
  /** Cases run. */
  cases: number;
  /** What the cases provoked: server messages by type name and ERROR codes, connections the server ended. */
  readonly seen: Map<string, number>;
  close(): Promise<void>;
}

/** Open file descriptors of this process (Linux: /proc/self/fd); 0 where unknown (the fd property is then not checked). */
function fdCount(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/** Create the world: root with a fixture, a folder and a symlink to a sibling `outside` folder. */
export async function createWorld(options: Partial<FileServerOptions> = {}): Promise<FuzzWorld> {
  // A RAM file system when there is one: publishing fsyncs, thousands of times per run.
  const shm = await fsp.access('/dev/shm', fsConstants.W_OK).then(
    () => true,
    () => false,
  );
  const dir = await fsp.mkdtemp(path.join(shm ? '/dev/shm' : tmpdir(), 'iocp-ft-fuzz-'));
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  await fsp.mkdir(path.join(root, 'd'), { recursive: true });
  await fsp.mkdir(outside);
  await fsp.writeFile(path.join(outside, 'sentinel'), 'outside');
  await fsp.writeFile(path.join(root, FIXTURE), FIXTURE_BYTES);
  await fsp.writeFile(path.join(root, GOOD), FIXTURE_BYTES);
  await fsp.writeFile(path.join(root, 'd', 'inner.bin'), Buffer.alloc(300, 1));
  await fsp.symlink(outside, path.join(root, 'link'));
  const server = new FileServer({ root, chunkSize: 4096, maxFileSize: 64 * 1024, maxTransfersPerConnection: 4, window: 16 * 1024, ...options });
  await server.open();
  const [clientEnd, serverEnd] = memoryPair();
  const session = server.attach(serverEnd, 'good');
  serverEnd.sink = session;
  const good = new ClientSession(clientEnd, { timeoutMs: 10_000 });
  clientEnd.sink = good;
  await good.stat(GOOD);
  const world: FuzzWorld = {
    dir,
    root,
    outside,
    server,
    good,
    baselineFds: fdCount(),
    cases: 0,
    seen: new Map(),
    async close() {
      clientEnd.destroy();
      await server.close({ drainMs: 0 }).catch(() => {});
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

// ------------------------------------------------------------------ generators

const NAMES = ['a.txt', 'd/b.bin', 'c', 'd/e/f.txt', FIXTURE, 'd/inner.bin'];
const HOSTILE = [
  '../escape.txt',
  '/etc/passwd',
  'a/../../escape',
  'a\\..\\escape',
  'link/planted.txt',
  'link',
  `${RESERVED_FOLDER}/partial/x`,
  RESERVED_FOLDER,
  '',
  '.',
  '..',
  'a//b',
  'nul\u0000byte',
  'ctl\u0007',
  'x'.repeat(5000),
  'd/',
  'd',
];

const nameArb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...NAMES) }, { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });
const idArb = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 0xffffffff) });
const sizeArb = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 9000 }) }, { weight: 1, arbitrary: fc.constantFrom(64 * 1024 + 1, Number.MAX_SAFE_INTEGER) });
const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a));
const zeroDigest = createHash('sha256').update(Buffer.alloc(0)).digest();
const payloadArb = fc.uint8Array({ maxLength: 5000 }).map((a) => Buffer.from(a));

/** Any message a client could send, valid or not in this state (server-only types included). */
const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant(MessageType.Put), id: idArb, size: sizeArb, resume: fc.boolean(), name: nameArb }),
  fc.record({ type: fc.constant(MessageType.Data), id: idArb, payload: payloadArb }),
  fc.record({ type: fc.constant(MessageType.PutEnd), id: idArb, sha256: digestArb }),
  fc.record({
    type: fc.constant(MessageType.Get),
    id: idArb,
    offset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2000 })),
    prefixHash: fc.oneof(fc.constant(zeroDigest), digestArb),
    credit: fc.integer({ min: 0, max: 64 * 1024 }),
    name: nameArb,
  }),
  fc.record({ type: fc.constant(MessageType.Credit), id: idArb, bytes: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ type: fc.constant(MessageType.Cancel), id: idArb }),
  fc.record({ type: fc.constant(MessageType.List), id: idArb, folder: fc.oneof(fc.constant(''), nameArb) }),
  fc.record({ type: fc.constant(MessageType.Stat), id: idArb, name: nameArb }),
  fc.record({ type: fc.constant(MessageType.Delete), id: idArb, name: fc.oneof(fc.constantFrom('a.txt', 'c', 'd/b.bin'), nameArb) }),
  fc.record({ type: fc.constant(MessageType.Error), id: idArb, code: fc.constantFrom('IOCP_ERR_FT_CANCELLED', 'x'), message: fc.string({ maxLength: 20 }) }),
  // Not a client's to send after the handshake:
  fc.record({ type: fc.constant(MessageType.Hello), version: fc.constant(PROTOCOL_VERSION), token: fc.constant(Buffer.alloc(0)) }),
  fc.record({ type: fc.constant(MessageType.Welcome), version: fc.constant(1), maxChunk: fc.constant(1), window: fc.constant(1), maxTransfers: fc.constant(1) }),
  fc.record({ type: fc.constant(MessageType.DeleteOk), id: idArb }),
) as fc.Arbitrary<Message>;

/** A whole upload done right (PUT, its DATA, PUT_END with the true digest), so valid paths run deep. */
const coherentUploadArb = fc
  .record({ id: fc.integer({ min: 1, max: 5 }), name: fc.constantFrom(...NAMES.slice(0, 4)), content: fc.uint8Array({ maxLength: 9000 }), resume: fc.boolean(), split: fc.integer({ min: 1, max: 4096 }) })
  .map(({ id, name, content, resume, split }) => {
    const bytes = Buffer.from(content);
    const frame = (m: Message): Step => ({ kind: 'frame', bytes: encodeMessage(m), what: `upload type 0x${m.type.toString(16)}` });
    const steps: Step[] = [frame({ type: MessageType.Put, id, size: bytes.length, resume, name }), { kind: 'await', type: MessageType.PutReady, id }];
    for (let at = 0; at < bytes.length; at += split) steps.push(frame({ type: MessageType.Data, id, payload: bytes.subarray(at, at + split) }));
    steps.push(frame({ type: MessageType.PutEnd, id, sha256: createHash('sha256').update(bytes).digest() }), { kind: 'await', type: MessageType.PutDone, id });
    return steps;
  });

/** A request done right and waited for: GET (with credit), LIST, STAT, DELETE of a known name. */
const coherentRequestArb = fc
  .record({ id: fc.integer({ min: 1, max: 5 }), name: fc.constantFrom(...NAMES), kind: fc.constantFrom('get', 'list', 'stat', 'delete') })
  .map(({ id, name, kind }): Step[] => {
    const m: Message =
      kind === 'get'
        ? { type: MessageType.Get, id, offset: 0, prefixHash: zeroDigest, credit: 64 * 1024, name }
        : kind === 'list'
          ? { type: MessageType.List, id, folder: name === 'd/b.bin' ? 'd' : '' }
          : kind === 'stat'
            ? { type: MessageType.Stat, id, name }
            : { type: MessageType.Delete, id, name };
    const reply = kind === 'get' ? MessageType.GetEnd : kind === 'list' ? MessageType.ListEnd : kind === 'stat' ? MessageType.StatOk : MessageType.DeleteOk;
    return [{ kind: 'frame', bytes: encodeMessage(m), what: `request type 0x${m.type.toString(16)}` }, { kind: 'await', type: reply, id }];
  });

/** A frame from a message: as encoded, or mutated (bytes flipped), truncated, extended, or noise. */
const frameArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: messageArb.map((m) => ({ kind: 'frame' as const, bytes: encodeMessage(m), what: `valid type 0x${m.type.toString(16)}` })) },
  {
    weight: 1,
    arbitrary: fc.tuple(messageArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([m, flips]) => {
      const b = Buffer.from(encodeMessage(m));
      for (const [at, v] of flips) b[at % b.length] = v;
      return { kind: 'frame' as const, bytes: b, what: 'mutated' };
    }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(messageArb, fc.nat()).map(([m, cut]) => {
      const b = encodeMessage(m);
      return { kind: 'frame' as const, bytes: b.subarray(0, cut % b.length), what: 'truncated' };
    }),
  },
  { weight: 1, arbitrary: fc.tuple(messageArb, payloadArb).map(([m, tail]) => ({ kind: 'frame' as const, bytes: Buffer.concat([encodeMessage(m), tail.subarray(0, 64)]), what: 'extended' })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => ({ kind: 'frame' as const, bytes: Buffer.from(a), what: 'noise' })) },
);

const stepArb: fc.Arbitrary<Step[]> = fc.oneof(
  { weight: 10, arbitrary: frameArb.map((s) => [s]) },
  { weight: 3, arbitrary: coherentUploadArb },
  { weight: 3, arbitrary: coherentRequestArb },
  { weight: 3, arbitrary: fc.constant<Step[]>([{ kind: 'tick' }]) },
  { weight: 1, arbitrary: fc.constant<Step[]>([{ kind: 'choke' }]) },
  { weight: 1, arbitrary: fc.constant<Step[]>([{ kind: 'drain' }]) },
);

/** A case: the steps a client takes after HELLO/WELCOME (flattened). */
export const caseArb: fc.Arbitrary<Step[]> = fc.array(stepArb, { maxLength: 12 }).map((chunks) => chunks.flat());

// ------------------------------------------------------------------ one case

const CODE = /^IOCP_ERR_[A-Z0-9_]+$/;

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

async function settle(world: FuzzWorld, deadlineMs: number, what: () => string | undefined): Promise<void> {
  const start = Date.now();
  for (;;) {
    const problem = what();
    if (problem === undefined) return;
    if (Date.now() - start > deadlineMs) throw new Error(`after the session ended: ${problem}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Every file under `dir`, relative, with `/` separators (symlinks listed, not followed). */
async function walk(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const rel = base === '' ? e.name : `${base}/${e.name}`;
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

function partialName(name: string): string {
  return `${RESERVED_FOLDER}/partial/${createHash('sha256').update(name).digest('hex')}.part`;
}

/** Run one case against a fresh session of the world's server; throws on a broken property. */
export async function runCase(world: FuzzWorld, steps: readonly Step[]): Promise<void> {
  world.cases++;
  const escaped: unknown[] = [];
  const onEscape = (e: unknown) => escaped.push(e);
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
  const conn = new RecordingConnection();
  const session = world.server.attach(conn, 'fuzz');
  const call = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      throw new Error(`the session threw out of ${what}: ${(e as Error).stack ?? String(e)}`);
    }
  };
  const putNames = new Set<string>();
  try {
    call('onFrame(HELLO)', () => session.onFrame(encodeMessage({ type: MessageType.Hello, version: PROTOCOL_VERSION, token: Buffer.alloc(0) })));
    const welcome = decodeMessage(conn.sent[0]!);
    if (welcome.type !== MessageType.Welcome) throw new Error(`no WELCOME after HELLO: type 0x${welcome.type.toString(16)}`);
    for (const step of steps) {
      if (conn.closed) break;
      if (step.kind === 'frame') {
        try {
          const m = decodeMessage(step.bytes);
          if (m.type === MessageType.Put) putNames.add(m.name);
          conn.log.push({ from: 'client', m, at: conn.sent.length });
        } catch {
          // not decodable: the server must refuse it with a coded ERROR
        }
        call(`onFrame(${step.what})`, () => session.onFrame(step.bytes));
        await turns(1);
      } else if (step.kind === 'tick') {
        await turns(8);
        await new Promise((r) => setTimeout(r, 1));
      } else if (step.kind === 'await') {
        const start = Date.now();
        // Only replies after the latest request with this id count (ids are reused).
        let from = 0;
        for (const e of conn.log) if (e.from === 'client' && 'id' in e.m && e.m.id === step.id && e.m.type !== MessageType.Data) from = e.at;
        const answered = () =>
          conn.sent.slice(from).some((f) => {
            const m = decodeMessage(f);
            return (m.type === step.type || m.type === MessageType.Error) && 'id' in m && (m.id === step.id || m.id === 0);
          });
        // A choked connection gets no download out until it drains: nothing to wait for.
        while (conn.writable && !answered() && !conn.closed && Date.now() - start < 1000) await new Promise((r) => setTimeout(r, 1));
      } else if (step.kind === 'choke') {
        conn.writable = false;
      } else {
        conn.writable = true;
        call('onDrain', () => session.onDrain());
      }
    }
    await turns(4);
    // The connection goes away (the server may have ended it already) — choked or not: a peer
    // that vanishes while the server waits for drain must not leave anything behind.
    call('onClose', () => session.onClose(new Error('fuzz client gone')));
    await settle(world, 5000, () => {
      if (world.server.uploadsInProgress > 0) return `${world.server.uploadsInProgress} name lock(s) held`;
      const fds = fdCount();
      if (fds > world.baselineFds) return `${fds - world.baselineFds} file descriptor(s) left open`;
      return undefined;
    });

    // 2. Every frame decodes; every refusal is a coded ERROR; a server-ended connection says why.
    const note = (k: string) => world.seen.set(k, (world.seen.get(k) ?? 0) + 1);
    if (conn.closed) note('connection ended by the server');
    for (const f of conn.sent) {
      const m = decodeMessage(f);
      note(m.type === MessageType.Error ? m.code : `type 0x${m.type.toString(16)}`);
      if (m.type === MessageType.Error) {
        if (!CODE.test(m.code)) throw new Error(`ERROR without a code: ${JSON.stringify(m)}`);
        if (m.message.length === 0 || m.message.includes('\n')) throw new Error(`ERROR message is not one line: ${JSON.stringify(m)}`);
      }
    }
    if (conn.destroyedWith !== undefined && !CODE.test((conn.destroyedWith as { code?: string }).code ?? '')) {
      throw new Error(`connection destroyed with an uncoded error: ${conn.destroyedWith.message}`);
    }
    if (conn.closed) {
      const last = decodeMessage(conn.sent[conn.sent.length - 1]!);
      if (last.type !== MessageType.Error || last.id !== 0) throw new Error('the server ended the connection without a connection-level ERROR');
    }

    await checkFiles(world, conn.log, putNames);

    // 5. A good client on the same server is still served.
    const st = await world.good.stat(GOOD);
    if (st.size !== FIXTURE_BYTES.length) throw new Error(`the good client got size ${st.size}`);
    if (escaped.length > 0) throw new Error(`escaped the session: ${String((escaped[0] as Error).stack ?? escaped[0])}`);
  } finally {
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
    await reset(world);
  }
}

type LogEntry = { from: 'client' | 'server'; m: Message; at: number };

/** Properties 3 and 4 on the files: nothing outside the root; only what may stay in it. */
async function checkFiles(world: FuzzWorld, log: readonly LogEntry[], putNames: ReadonlySet<string>): Promise<void> {
    // 3. Nothing outside the root.
    const outside = (await walk(world.dir)).filter((p) => !p.startsWith('root/') && p !== 'outside/sentinel');
    if (outside.length > 0) throw new Error(`files outside the root: ${outside.join(', ')}`);
    const sentinel = await fsp.readFile(path.join(world.outside, 'sentinel'), 'utf8');
    if (sentinel !== 'outside') throw new Error('the file outside the root changed');

    // 4. Only fixtures, published uploads and partials of this case's unfinished uploads remain.
    const allowed = new Set([FIXTURE, GOOD, 'd/inner.bin', 'link']);
    for (const n of putNames) {
      allowed.add(n);
      allowed.add(partialName(n));
    }
    for (const f of await walk(world.root)) {
      if (!allowed.has(f)) throw new Error(`left in the root after the session: ${f}`);
    }
    // Names whose latest upload was published: their partial must be gone.
    const published = new Set<string>();
    const uploading = new Map<number, string>();
    for (const e of log) {
      if (e.from === 'client' && e.m.type === MessageType.Put) {
        uploading.set(e.m.id, e.m.name);
        published.delete(e.m.name);
      } else if (e.from === 'server' && e.m.type === MessageType.PutDone) {
        const n = uploading.get(e.m.id);
        if (n !== undefined) published.add(n);
      }
    }
    for (const n of published) {
      const partial = path.join(world.root, partialName(n));
      if (
        await fsp.stat(partial).then(
          () => true,
          () => false,
        )
      ) {
        throw new Error(`partial of the published upload ${n} outlived it`);
      }
    }

}

/**
 * Run one case over a real socket to a server listening on loopback (`port`): HELLO/WELCOME,
 * the steps as length-prefixed frames, then the socket ends. Checks what can be seen from
 * outside: every reply decodes, refusals are coded ERRORs, no name lock is left once the
 * connection closed, the files, and the good client.
 */
export async function runCaseOverSocket(world: FuzzWorld, port: number, steps: readonly Step[]): Promise<void> {
  world.cases++;
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  const reader = new FrameReader(lengthPrefixed({ maxFrameLength: 16 * 1024 * 1024 }).createDecoder());
  const sent: Buffer[] = [];
  const log: LogEntry[] = [];
  const putNames = new Set<string>();
  let closed = false;
  let choked = false;
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let f = reader.next(); f !== undefined; f = reader.next()) {
      const b = Buffer.from(f);
      sent.push(b);
      log.push({ from: 'server', m: decodeMessage(b), at: sent.length });
    }
  });
  socket.on('close', () => {
    closed = true;
  });
  const write = (bytes: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(bytes.length, 0);
    socket.write(Buffer.concat([head, bytes]));
  };
  const wait = async (cond: () => boolean, ms: number) => {
    const start = Date.now();
    while (!cond() && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 1));
    return cond();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    write(encodeMessage({ type: MessageType.Hello, version: PROTOCOL_VERSION, token: Buffer.alloc(0) }));
    if (!(await wait(() => sent.length > 0, 5000))) throw new Error('no WELCOME');
    for (const step of steps) {
      if (closed) break;
      if (step.kind === 'frame') {
        try {
          const m = decodeMessage(step.bytes);
          if (m.type === MessageType.Put) putNames.add(m.name);
          log.push({ from: 'client', m, at: sent.length });
        } catch {}
        write(step.bytes);
      } else if (step.kind === 'await') {
        if (choked) continue; // a paused socket reads no reply
        let from = 0;
        for (const e of log) if (e.from === 'client' && 'id' in e.m && e.m.id === step.id && e.m.type !== MessageType.Data) from = e.at;
        await wait(
          () =>
            closed ||
            sent.slice(from).some((f) => {
              const m = decodeMessage(f);
              return (m.type === step.type || m.type === MessageType.Error) && 'id' in m && (m.id === step.id || m.id === 0);
            }),
          1000,
        );
      } else if (step.kind === 'tick') {
        await new Promise((r) => setTimeout(r, 1));
      } else if (step.kind === 'choke') {
        choked = true;
        socket.pause();
      } else {
        choked = false;
        socket.resume();
      }
    }
    socket.resume();
    socket.end();
    if (!(await wait(() => closed, 5000))) throw new Error('the server did not close the connection after the client ended it');
    if (!(await wait(() => world.server.uploadsInProgress === 0, 5000))) throw new Error('a name lock outlived the connection');
    for (const f of sent) {
      const m = decodeMessage(f);
      if (m.type === MessageType.Error && !CODE.test(m.code)) throw new Error(`ERROR without a code: ${JSON.stringify(m)}`);
    }
    await checkFiles(world, log, putNames);
    const st = await world.good.stat(GOOD);
    if (st.size !== FIXTURE_BYTES.length) throw new Error(`the good client got size ${st.size}`);
  } finally {
    socket.destroy();
    await reset(world);
  }
}

/** Back to the starting state: uploads and partials removed, fixtures rewritten. */
async function reset(world: FuzzWorld): Promise<void> {
  for (const f of await walk(world.root)) {
    if (f === 'link') continue;
    if (f === FIXTURE || f === GOOD || f === 'd/inner.bin') continue;
    await fsp.rm(path.join(world.root, f), { force: true });
  }
  await fsp.writeFile(path.join(world.root, FIXTURE), FIXTURE_BYTES);
  await fsp.writeFile(path.join(world.root, 'd', 'inner.bin'), Buffer.alloc(300, 1));
}

/** fast-check property over {@link caseArb} against `world`. */
export function serverProperty(world: FuzzWorld): fc.IAsyncPropertyWithHooks<[Step[]]> {
  return fc.asyncProperty(caseArb, (steps) => runCase(world, steps));
}
