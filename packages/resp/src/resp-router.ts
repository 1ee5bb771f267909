import type { Handler } from '@iocp/transport';
import { InvalidOptionError, RespLimitError, RespProtocolError } from './errors.js';
import { ErrorReply, Resp3, type RespReply, type RespValue } from './reply.js';
import { RespRequest } from './resp-request.js';

/**
 * The connection a router answers on: the part of a transport `Connection` it uses (so the
 * router also runs over an in-memory pipe in tests).
 */
export interface RespConnection<State = unknown> {
  /** Unique per connection (the transport handle). */
  readonly handle: number;
  /** Queue a reply; false when the connection is closed or over its queue cap. */
  send(reply: RespReply): boolean;
  /** The send queue is below its high watermark. */
  readonly writable: boolean;
  /** Stop reading (backpressure). */
  pause(): void;
  /** Resume reading. */
  resume(): void;
  /** Flush queued replies, then end. */
  close(): void;
  /** Where the router keeps the connection's {@link RespClient}. */
  owner: RespClient<State> | undefined;
}

/**
 * The transport handler a router makes (`router.handler()`): a `Handler` of `@iocp/transport`
 * for a `resp()` listener, whose callbacks also accept any {@link RespConnection}.
 */
export interface RespHandler<State = unknown> extends Handler<RespClient<State>, RespRequest, RespReply> {
  /** Makes the connection's {@link RespClient} (in `conn.owner`). */
  onOpen(conn: RespConnection<State>): void;
  /** Runs one request; returns the promise of an async command (the transport waits for it). */
  onMessage(conn: RespConnection<State>, args: RespRequest): Promise<void> | undefined;
  /** Resumes reading once the replies drained. */
  onDrain(conn: RespConnection<State>): void;
  /** Answers a protocol error (`-ERR Protocol error: ...`) before the transport closes the connection. */
  onFrameError(conn: RespConnection<State>, error: Error): void;
}

/** One client connection as command handlers see it. */
export interface RespClient<State = unknown> {
  /** The connection's handle, unique while the process lives. */
  readonly id: number;
  /** The protocol its replies are encoded in: 2 until it says `HELLO 3`. Set by the `HELLO` handler. */
  protocol: 2 | 3;
  /** Per-connection application state, from `createState`. */
  state: State;
  /** Close the connection once the reply to the current command has been sent (`QUIT`). */
  closeAfterReply(): void;
}

/**
 * Runs one command: argument 0 of `args` is the command name as sent, the rest its arguments
 * (in the received bytes — copy what you keep past the call unless you accept holding them).
 * Returns the reply, or a promise of it: later commands of the same connection wait for it, so
 * replies keep request order; other connections go on.
 */
export type CommandHandler<State = unknown> = (
  args: RespRequest,
  client: RespClient<State>,
) => RespValue | PromiseLike<RespValue>;

/**
 * What `COMMAND` / `COMMAND INFO` report about a command (Redis' command table fields); the
 * router itself only uses the arity.
 */
export interface RespCommandInfo {
  /** Flags, e.g. `['write', 'denyoom']`, `['readonly', 'fast']`. Default none. */
  flags?: readonly string[] | undefined;
  /** Position of the first key argument (0 = no keys). Default 0. */
  firstKey?: number | undefined;
  /** Position of the last key argument (-1 = the last argument). Default 0. */
  lastKey?: number | undefined;
  /** Step between key arguments. Default 0. */
  keyStep?: number | undefined;
}

/** A registered command. */
export interface RespCommand<State = unknown> {
  /** Lower-case name. */
  readonly name: string;
  /** Redis' convention: `n > 0` exactly n words (name included), `n < 0` at least -n. */
  readonly arity: number;
  /** The handler. */
  readonly handler: CommandHandler<State>;
  /** Flags for `COMMAND`. */
  readonly flags: readonly string[];
  /** First key position, last key position, key step (0, 0, 0 for commands without keys). */
  readonly keys: readonly [number, number, number];
}

/** Options of {@link RespRouter}. */
export interface RespRouterOptions<State = unknown> {
  /** Makes each connection's {@link RespClient.state}. Default: `undefined` state. */
  createState?: ((client: RespClient<State>) => State) | undefined;
  /**
   * Called when a handler throws or its promise rejects (the client gets `-ERR <message>` and
   * the connection goes on). Default: nothing.
   */
  onCommandError?: ((error: unknown, args: RespRequest, client: RespClient<State>) => void) | undefined;
}

const EMPTY_REQUEST = new RespRequest(Buffer.alloc(0), []);
const ROUTER_KEYS = new Set(['createState', 'onCommandError']);
const NAME = /^[a-z][a-z0-9_|.-]*$/;
const REPLY_PREVIEW = 128;

class Client<State> implements RespClient<State> {
  readonly id: number;
  protocol: 2 | 3 = 2;
  state: State = undefined as State;
  /** Set by `closeAfterReply`. */
  closing = false;
  constructor(id: number) {
    this.id = id;
  }
  closeAfterReply(): void {
    this.closing = true;
  }
}

function printable(req: RespRequest, i: number): string {
  const at = req.offset(i);
  const s = req.buffer.toString('latin1', at, at + Math.min(req.argLength(i), REPLY_PREVIEW));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is replaced
  return s.replace(/[\x00-\x1f\x7f]/g, ' ');
}

function isThenable(v: unknown): v is PromiseLike<RespValue> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * A command table for a RESP server. `command(name, arity, handler)` registers a command; the
 * router's transport handler (`handler()`) decodes nothing itself — the codec did — and for each
 * request looks up the command (case-insensitive), checks its arity, runs it and sends its reply.
 *
 * ```
 *  request ──► lookup ── unknown ──► -ERR unknown command 'x', with args beginning with: ...
 *                │ ── arity ────► -ERR wrong number of arguments for 'get' command
 *                ▼
 *            handler ── value ───► send (RESP2, or RESP3 after HELLO 3)
 *                    └─ promise ─► later requests of this connection wait; then send
 * ```
 *
 * Pipelining needs nothing: requests that arrived together are answered in order and their
 * replies leave in one write. Backpressure: when a reply takes the connection above its high
 * watermark the router pauses reading from it until it drains.
 */
export class RespRouter<State = unknown> {
  readonly #commands = new Map<string, RespCommand<State>>();
  /** Commands by name length, each with its lower-case name bytes: lookup without making a string. */
  readonly #byLength: { name: Buffer; command: RespCommand<State> }[][] = [];
  readonly #createState: ((client: RespClient<State>) => State) | undefined;
  readonly #onCommandError: ((error: unknown, args: RespRequest, client: RespClient<State>) => void) | undefined;

  /** @throws `InvalidOptionError` for an unknown option or a non-function hook. */
  constructor(options?: RespRouterOptions<State>) {
    for (const key of Object.keys(options ?? {})) {
      if (!ROUTER_KEYS.has(key)) throw new InvalidOptionError(key, 'unknown option');
    }
    for (const key of ROUTER_KEYS) {
      const v = (options as Record<string, unknown> | undefined)?.[key];
      if (v !== undefined && typeof v !== 'function') throw new InvalidOptionError(key, 'must be a function');
    }
    this.#createState = options?.createState;
    this.#onCommandError = options?.onCommandError;
  }

  /**
   * Register a command.
   *
   * @param name - case-insensitive command name (letters, digits, `_ | . -`).
   * @param arity - `n > 0`: exactly n words including the name; `n < 0`: at least -n.
   * @param handler - see {@link CommandHandler}.
   * @param info - what `COMMAND` reports about it (flags, key positions).
   * @throws `InvalidOptionError` for a bad name, arity 0, a non-function or a name registered twice.
   */
  command(name: string, arity: number, handler: CommandHandler<State>, info?: RespCommandInfo): this {
    const lower = typeof name === 'string' ? name.toLowerCase() : '';
    if (!NAME.test(lower)) throw new InvalidOptionError('name', `must be a command name, got ${String(name)}`);
    if (!Number.isSafeInteger(arity) || arity === 0) throw new InvalidOptionError('arity', `must be a non-zero integer, got ${String(arity)}`);
    if (typeof handler !== 'function') throw new InvalidOptionError('handler', 'must be a function');
    if (this.#commands.has(lower)) throw new InvalidOptionError('name', `command '${lower}' is already registered`);
    const flags = info?.flags ?? [];
    if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string')) throw new InvalidOptionError('info.flags', 'must be an array of strings');
    const keys: [number, number, number] = [info?.firstKey ?? 0, info?.lastKey ?? 0, info?.keyStep ?? 0];
    for (const k of keys) if (!Number.isSafeInteger(k)) throw new InvalidOptionError('info', 'key positions must be integers');
    const command: RespCommand<State> = { name: lower, arity, handler, flags: [...flags], keys };
    this.#commands.set(lower, command);
    const bytes = Buffer.from(lower, 'latin1');
    let list = this.#byLength[bytes.length];
    if (list === undefined) {
      list = [];
      this.#byLength[bytes.length] = list;
    }
    list.push({ name: bytes, command });
    return this;
  }

  /** The registered commands, each once, in registration order. */
  commands(): RespCommand<State>[] {
    return [...new Set(this.#commands.values())];
  }

  /** The command `name` (any case), if registered. */
  lookup(name: string | Uint8Array): RespCommand<State> | undefined {
    if (typeof name === 'string') return this.#commands.get(name.toLowerCase());
    return this.#find(name, 0, name.length);
  }

  #find(bytes: Uint8Array, at: number, length: number): RespCommand<State> | undefined {
    const list = this.#byLength[length];
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as { name: Buffer; command: RespCommand<State> };
      if (sameName(entry.name, bytes, at)) return entry.command;
    }
    return undefined;
  }

  /** A fresh client (what the transport handler makes per connection; tests use it directly). */
  createClient(id: number): RespClient<State> {
    const client = new Client<State>(id);
    if (this.#createState !== undefined) client.state = this.#createState(client);
    return client;
  }

  /**
   * Run one request for `client`: the reply, or a promise of it. Never throws: an unknown
   * command, a wrong arity, a throwing handler all become `-ERR` replies.
   */
  execute(args: RespRequest, client: RespClient<State>): RespValue | PromiseLike<RespValue> {
    const command = this.#find(args.buffer, args.offset(0), args.argLength(0));
    if (command === undefined) return unknownCommand(args);
    const arity = command.arity;
    if (arity > 0 ? args.length !== arity : args.length < -arity) {
      return new ErrorReply(`ERR wrong number of arguments for '${command.name}' command`);
    }
    try {
      return command.handler(args, client);
    } catch (error) {
      return this.#failed(error, args, client);
    }
  }

  /**
   * The transport handler: pass it to `port.listen({ codec: resp(), ... }, router.handler())`.
   * Each connection gets a {@link RespClient} in `conn.owner`.
   */
  handler(): RespHandler<State> {
    return {
      onOpen: (conn) => {
        conn.owner = this.createClient(conn.handle);
      },
      onMessage: (conn, args) => {
        if (args.length === 0) return undefined;
        const client = (conn.owner ?? this.#adopt(conn)) as Client<State>;
        const reply = this.execute(args, client);
        if (isThenable(reply)) {
          return Promise.resolve(reply).then(
            (value) => this.#reply(conn, client, value),
            (error: unknown) => this.#reply(conn, client, this.#failed(error, args, client)),
          );
        }
        this.#reply(conn, client, reply);
        return undefined;
      },
      onDrain: (conn) => {
        conn.resume();
      },
      onFrameError: (conn, error) => {
        if (error instanceof RespProtocolError || error instanceof RespLimitError) {
          conn.send(new ErrorReply(`ERR ${error.reply}`));
        } else if ((error as { code?: unknown }).code === 'IOCP_ERR_FRAME_TOO_LONG') {
          conn.send(new ErrorReply('ERR Protocol error: too big request'));
        }
      },
    };
  }

  #adopt(conn: RespConnection<State>): RespClient<State> {
    const client = this.createClient(conn.handle);
    conn.owner = client;
    return client;
  }

  #reply(conn: RespConnection<State>, client: Client<State>, value: RespValue): void {
    const reply: RespReply = client.protocol === 3 ? new Resp3(value) : value;
    try {
      conn.send(reply);
    } catch (error) {
      // The handler returned something that is not a reply (IOCP_ERR_ENCODE / IOCP_ERR_RESP_REPLY).
      this.#onCommandError?.(error, EMPTY_REQUEST, client);
      conn.send(new ErrorReply(`ERR ${(error as Error).message}`));
    }
    if (client.closing) conn.close();
    else if (!conn.writable) conn.pause();
  }

  #failed(error: unknown, args: RespRequest, client: RespClient<State>): ErrorReply {
    this.#onCommandError?.(error, args, client);
    const message = error instanceof Error ? error.message : String(error);
    return new ErrorReply(`ERR ${message}`);
  }
}

/** `bytes[at, at + lower.length)` (any case) equals `lower` (lower-case ASCII). */
function sameName(lower: Buffer, bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = bytes[at + i] as number;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower[i]) return false;
  }
  return true;
}

function unknownCommand(args: RespRequest): ErrorReply {
  let text = `ERR unknown command '${printable(args, 0)}', with args beginning with: `;
  for (let i = 1; i < args.length && text.length < 512; i++) text += `'${printable(args, i)}' `;
  return new ErrorReply(text);
}
