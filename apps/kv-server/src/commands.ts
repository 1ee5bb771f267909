import { arch, platform, release } from 'node:os';
import {
  ErrorReply,
  OK,
  PONG,
  type RespClient,
  type RespCommand,
  type RespRequest,
  RespMap,
  RespRouter,
  type RespValue,
  SimpleString,
  VerbatimString,
} from '@iocp/resp';
import { addInt64, intValue, parseInt64, valueAsInt } from './integers.js';
import { type KvStore, keepValue, valueReply } from './store.js';

/** The Redis version whose command semantics kv-server follows (reported by HELLO and INFO). */
export const REDIS_COMPAT_VERSION = '7.0.0';
/** kv-server's own version. */
export const KV_SERVER_VERSION = '0.1.0';

/** Per-connection state. */
export interface ClientState {
  /** Set by `HELLO ... SETNAME`. */
  name: string | undefined;
}

/** What INFO reports about the process; the server supplies it. */
export interface ServerInfo {
  /** First TCP port listened on (INFO `tcp_port`). */
  readonly tcpPort: () => number;
  /** Open client connections. */
  readonly connectedClients: () => number;
  /** Connections accepted since start. */
  readonly totalConnections: () => number;
  /** Requests decoded since start. */
  readonly totalCommands: () => number;
}

const WRONG_INT = new ErrorReply('ERR value is not an integer or out of range');
const OVERFLOW = new ErrorReply('ERR increment or decrement would overflow');
const SYNTAX = new ErrorReply('ERR syntax error');
const EMPTY: RespValue[] = [];
/** What CONFIG GET reports: no persistence, one database, no memory limit. */
const CONFIG: Record<string, string> = { save: '', appendonly: 'no', databases: '1', maxmemory: '0' };
/** Largest expiry accepted, in ms from now (Redis refuses what overflows its clock arithmetic). */
const MAX_EXPIRE_MS = 2 ** 52;

/** Argument `i` upper-cased, for option words (longer ones match no option). */
function upper(args: RespRequest, i: number): string {
  return args.argLength(i) > 16 ? '' : args.latin1(i).toUpperCase();
}

/** INCRBY's core: parse, add, store (the TTL is kept, like Redis). */
function incrBy(store: KvStore, k: string, by: number | bigint): RespValue {
  const old = store.get(k);
  let current: number | bigint = 0;
  if (old !== undefined) {
    const parsed = valueAsInt(old);
    if (parsed === undefined) return WRONG_INT;
    current = parsed;
  }
  const next = addInt64(current, by);
  if (next === undefined) return OVERFLOW;
  store.set(k, intValue(next), undefined, true);
  return next;
}

/** Expiry time in ms since the epoch for `amount` units (`ms` per unit) from now; undefined if invalid. */
function expireTime(store: KvStore, amount: string, msPerUnit: number): number | ErrorReply | undefined {
  const n = parseInt64(amount);
  if (n === undefined) return WRONG_INT;
  if (typeof n === 'bigint' || n * msPerUnit > MAX_EXPIRE_MS || n * msPerUnit < -MAX_EXPIRE_MS) return undefined;
  return store.now() + n * msPerUnit;
}

/** Flags are status replies in Redis' COMMAND output; one shared reply per flag. */
const flagReplies = new Map<string, SimpleString>();
function flagReply(flag: string): SimpleString {
  let s = flagReplies.get(flag);
  if (s === undefined) {
    s = new SimpleString(flag);
    flagReplies.set(flag, s);
  }
  return s;
}

/** The entry `COMMAND` prints: name, arity, flags, first key, last key, step, categories, tips, key specs, subcommands. */
function commandEntry(c: RespCommand<ClientState>): RespValue {
  return [c.name, c.arity, c.flags.map(flagReply), c.keys[0], c.keys[1], c.keys[2], EMPTY, EMPTY, EMPTY, EMPTY];
}

function infoText(store: KvStore, server: ServerInfo, started: number, sections: Set<string>): string {
  const all = sections.size === 0 || sections.has('all') || sections.has('everything') || sections.has('default');
  const want = (s: string): boolean => all || sections.has(s);
  const out: string[] = [];
  const uptime = Math.floor((Date.now() - started) / 1000);
  if (want('server')) {
    out.push(
      '# Server',
      `redis_version:${REDIS_COMPAT_VERSION}`,
      `kv_server_version:${KV_SERVER_VERSION}`,
      'redis_mode:standalone',
      `os:${platform()} ${release()} ${arch()}`,
      `arch_bits:${process.arch.endsWith('64') ? 64 : 32}`,
      `process_id:${process.pid}`,
      `node_version:${process.versions.node}`,
      `tcp_port:${server.tcpPort()}`,
      `uptime_in_seconds:${uptime}`,
      `uptime_in_days:${Math.floor(uptime / 86400)}`,
      '',
    );
  }
  if (want('clients')) out.push('# Clients', `connected_clients:${server.connectedClients()}`, '');
  if (want('memory')) {
    const m = process.memoryUsage();
    out.push('# Memory', `used_memory:${m.heapUsed + m.external}`, `used_memory_rss:${m.rss}`, `used_memory_heap:${m.heapUsed}`, `used_memory_external:${m.external}`, '');
  }
  if (want('persistence')) out.push('# Persistence', 'loading:0', 'rdb_bgsave_in_progress:0', 'aof_enabled:0', '');
  const st = store.stats();
  if (want('stats')) {
    out.push(
      '# Stats',
      `total_connections_received:${server.totalConnections()}`,
      `total_commands_processed:${server.totalCommands()}`,
      `expired_keys:${st.expiredKeys}`,
      `keyspace_hits:${st.hits}`,
      `keyspace_misses:${st.misses}`,
      '',
    );
  }
  if (want('replication')) out.push('# Replication', 'role:master', 'connected_slaves:0', '');
  if (want('keyspace')) {
    out.push('# Keyspace');
    if (st.keys > 0) out.push(`db0:keys=${st.keys},expires=${st.expires},avg_ttl=0`);
    out.push('');
  }
  return out.join('\r\n');
}

/**
 * The kv-server command table on a {@link RespRouter}: PING, ECHO, HELLO, SELECT, GET, SET,
 * DEL, EXISTS, INCR, DECR, INCRBY, MGET, MSET, EXPIRE, TTL, DBSIZE, FLUSHALL, INFO, COMMAND,
 * CONFIG GET, QUIT — with Redis 7.0's arities, replies and error texts.
 */
export function createCommands(store: KvStore, server: ServerInfo): RespRouter<ClientState> {
  const started = Date.now();
  const router = new RespRouter<ClientState>({ createState: () => ({ name: undefined }) });
  const ro = { flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, keyStep: 1 };
  const rw = { flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, keyStep: 1 };
  router
    .command('ping', -1, (args) => {
      if (args.length > 2) return new ErrorReply("ERR wrong number of arguments for 'ping' command");
      return args.length === 2 ? (args.arg(1)) : PONG;
    }, { flags: ['fast'] })
    .command('echo', 2, (args) => args.arg(1), { flags: ['fast'] })
    .command('hello', -1, (args, client) => hello(args, client), { flags: ['noscript', 'loading', 'stale', 'fast'] })
    .command('select', 2, (args) => {
      const n = parseInt64(args.latin1(1));
      if (n === undefined) return WRONG_INT;
      return n === 0 ? OK : new ErrorReply('ERR DB index is out of range');
    }, { flags: ['loading', 'stale', 'fast'] })
    .command('get', 2, (args) => {
      const v = store.get(args.latin1(1));
      return v === undefined ? null : valueReply(v);
    }, ro)
    .command('set', -3, (args) => set(store, args), { ...rw, flags: ['write', 'denyoom'] })
    .command('del', -2, (args) => {
      let n = 0;
      for (let i = 1; i < args.length; i++) if (store.delete(args.latin1(i))) n++;
      return n;
    }, { flags: ['write'], firstKey: 1, lastKey: -1, keyStep: 1 })
    .command('exists', -2, (args) => {
      let n = 0;
      for (let i = 1; i < args.length; i++) if (store.has(args.latin1(i))) n++;
      return n;
    }, { flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, keyStep: 1 })
    .command('incr', 2, (args) => incrBy(store, args.latin1(1), 1), rw)
    .command('decr', 2, (args) => incrBy(store, args.latin1(1), -1), rw)
    .command('incrby', 3, (args) => {
      const by = parseInt64(args.latin1(2));
      return by === undefined ? WRONG_INT : incrBy(store, args.latin1(1), by);
    }, rw)
    .command('mget', -2, (args) => {
      const out: RespValue[] = new Array(args.length - 1);
      for (let i = 1; i < args.length; i++) {
        const v = store.get(args.latin1(i));
        out[i - 1] = v === undefined ? null : valueReply(v);
      }
      return out;
    }, { flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, keyStep: 1 })
    .command('mset', -3, (args) => {
      if (args.length % 2 === 0) return new ErrorReply("ERR wrong number of arguments for 'mset' command");
      for (let i = 1; i < args.length; i += 2) store.set(args.latin1(i), keepValue(args, i + 1));
      return OK;
    }, { flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, keyStep: 2 })
    .command('expire', -3, (args) => expire(store, args), { flags: ['write', 'fast'], firstKey: 1, lastKey: 1, keyStep: 1 })
    .command('ttl', 2, (args) => {
      const k = args.latin1(1);
      if (!store.has(k)) return -2;
      const at = store.expiry(k);
      return at === undefined ? -1 : Math.max(0, Math.floor((at - store.now() + 500) / 1000));
    }, ro)
    .command('dbsize', 1, () => store.size, { flags: ['readonly', 'fast'] })
    .command('flushall', -1, (args) => {
      if (args.length > 2 || (args.length === 2 && !['ASYNC', 'SYNC'].includes(upper(args, 1)))) return SYNTAX;
      store.clear();
      return OK;
    }, { flags: ['write'] })
    .command('info', -1, (args, client) => {
      const sections = new Set<string>();
      for (let i = 1; i < args.length; i++) sections.add(args.latin1(i).toLowerCase());
      const text = infoText(store, server, started, sections);
      return client.protocol === 3 ? new VerbatimString(text) : text;
    }, { flags: ['loading', 'stale'] })
    .command('command', -1, (args, client) => command(router, args, client), { flags: ['loading', 'stale'] })
    .command('config', -2, (args) => {
      // CONFIG GET of the few read-only parameters clients ask about (redis-benchmark asks for
      // `save` and `appendonly` at start); kv-server has nothing to configure at run time.
      if (upper(args, 1) !== 'GET' || args.length !== 3) {
        return new ErrorReply(`ERR unknown subcommand '${args.latin1(1).slice(0, 64)}'. Try CONFIG HELP.`);
      }
      const name = args.latin1(2).toLowerCase();
      const value = CONFIG[name];
      return new RespMap(value === undefined ? [] : [[name, value]]);
    }, { flags: ['admin', 'noscript', 'loading', 'stale'] })
    .command('quit', -1, (_args, client) => {
      client.closeAfterReply();
      return OK;
    }, { flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast'] });
  return router;
}

function hello(args: RespRequest, client: RespClient<ClientState>): RespValue {
  let protocol = client.protocol;
  let i = 1;
  if (args.length >= 2) {
    const v = parseInt64(args.latin1(1));
    if (v === undefined) return new ErrorReply('ERR Protocol version is not an integer or out of range');
    if (v !== 2 && v !== 3) return new ErrorReply('NOPROTO unsupported protocol version');
    protocol = v;
    i = 2;
  }
  let name = client.state.name;
  for (; i < args.length; i++) {
    const opt = upper(args, i);
    if (opt === 'SETNAME' && i + 1 < args.length) {
      name = args.latin1(++i);
    } else if (opt === 'AUTH' && i + 2 < args.length) {
      return new ErrorReply('ERR AUTH is not supported: kv-server has no users or passwords');
    } else {
      return new ErrorReply(`ERR Syntax error in HELLO option '${args.latin1(i).slice(0, 64)}'`);
    }
  }
  client.protocol = protocol;
  client.state.name = name;
  return new RespMap([
    ['server', 'redis'],
    ['version', REDIS_COMPAT_VERSION],
    ['proto', protocol],
    ['id', client.id],
    ['mode', 'standalone'],
    ['role', 'master'],
    ['modules', EMPTY],
  ]);
}

function set(store: KvStore, args: RespRequest): RespValue {
  const k = args.latin1(1);
  let expireAt: number | undefined;
  let nx = false;
  let xx = false;
  let keepTtl = false;
  for (let i = 3; i < args.length; i++) {
    const opt = upper(args, i);
    if (opt === 'NX' && !xx) nx = true;
    else if (opt === 'XX' && !nx) xx = true;
    else if (opt === 'KEEPTTL' && expireAt === undefined) keepTtl = true;
    else if ((opt === 'EX' || opt === 'PX') && expireAt === undefined && !keepTtl && i + 1 < args.length) {
      const n = parseInt64(args.latin1(++i));
      if (n === undefined) return WRONG_INT;
      const ms = typeof n === 'bigint' ? Number.POSITIVE_INFINITY : n * (opt === 'EX' ? 1000 : 1);
      if (ms <= 0 || ms > MAX_EXPIRE_MS) return new ErrorReply("ERR invalid expire time in 'set' command");
      expireAt = store.now() + ms;
    } else return SYNTAX;
  }
  if (nx || xx) {
    const exists = store.has(k);
    if ((nx && exists) || (xx && !exists)) return null;
  }
  store.set(k, keepValue(args, 2), expireAt, keepTtl);
  return OK;
}

function expire(store: KvStore, args: RespRequest): RespValue {
  const k = args.latin1(1);
  const at = expireTime(store, args.latin1(2), 1000);
  if (at instanceof ErrorReply) return at;
  if (at === undefined) return new ErrorReply("ERR invalid expire time in 'expire' command");
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let i = 3; i < args.length; i++) {
    const opt = upper(args, i);
    if (opt === 'NX') nx = true;
    else if (opt === 'XX') xx = true;
    else if (opt === 'GT') gt = true;
    else if (opt === 'LT') lt = true;
    else return new ErrorReply(`ERR Unsupported option ${args.latin1(i).slice(0, 64)}`);
  }
  if (nx && (xx || gt || lt)) return new ErrorReply('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (gt && lt) return new ErrorReply('ERR GT and LT options at the same time are not compatible');
  if (!store.has(k)) return 0;
  const current = store.expiry(k);
  if (nx && current !== undefined) return 0;
  if (xx && current === undefined) return 0;
  // A key without a TTL counts as an infinite TTL for GT and LT.
  if (gt && (current === undefined || at <= current)) return 0;
  if (lt && current !== undefined && at >= current) return 0;
  if (at <= store.now()) {
    store.delete(k);
    return 1;
  }
  store.expireAt(k, at);
  return 1;
}

function command(router: RespRouter<ClientState>, args: RespRequest, client: RespClient<ClientState>): RespValue {
  if (args.length === 1) return router.commands().map(commandEntry);
  const sub = upper(args, 1);
  if (sub === 'COUNT' && args.length === 2) return router.commands().length;
  if (sub === 'INFO') {
    if (args.length === 2) return router.commands().map(commandEntry);
    const out: RespValue[] = [];
    for (let i = 2; i < args.length; i++) {
      const c = router.lookup(args.arg(i));
      out.push(c === undefined ? null : commandEntry(c));
    }
    return out;
  }
  // No documentation is kept: an empty reply (redis-cli then falls back to its built-in help).
  if (sub === 'DOCS') return client.protocol === 3 ? new RespMap([]) : EMPTY;
  return new ErrorReply(`ERR unknown subcommand '${args.latin1(1).slice(0, 64)}'. Try COMMAND HELP.`);
}
