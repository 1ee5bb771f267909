import { ProtocolError } from './errors.js';
import { WireReader } from './internal/wire-reader.js';
import { WireWriter, strLength } from './internal/wire-writer.js';
import {
  DATA_HEADER_LENGTH,
  DIGEST_LENGTH,
  HELLO_MAGIC,
  type ListEntry,
  type Message,
  MessageType,
} from './messages.js';

const MAGIC = Buffer.from(HELLO_MAGIC, 'latin1');
const ZERO_DIGEST = Buffer.alloc(DIGEST_LENGTH);
/** Longest string field on the wire (u16 length). Error messages longer than this are cut. */
const MAX_STR = 0xffff;

function digest(b: Buffer | undefined, what: string): Buffer {
  const d = b ?? ZERO_DIGEST;
  if (d.length !== DIGEST_LENGTH) throw new ProtocolError(`${what} must be ${DIGEST_LENGTH} bytes`);
  return d;
}

function checkStr(s: string, what: string): string {
  if (Buffer.byteLength(s) > MAX_STR) throw new ProtocolError(`${what} longer than ${MAX_STR} bytes`);
  return s;
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Encode one message into the payload of one frame. DATA is better built in place with
 * {@link allocDataFrame} (the file bytes are read straight into the frame).
 *
 * @throws ProtocolError when a field cannot be represented (string over 64 KiB, bad digest length)
 */
export function encodeMessage(m: Message): Buffer {
  switch (m.type) {
    case MessageType.Hello:
      if (m.token.length > MAX_STR) throw new ProtocolError('token longer than 65535 bytes');
    {
      const w = new WireWriter(1 + 4 + 2 + 2 + m.token.length + (m.maxChunk === undefined ? 0 : 4))
        .u8(m.type)
        .bytes(MAGIC)
        .u16(m.version)
        .u16(m.token.length)
        .bytes(m.token);
      if (m.maxChunk !== undefined) w.u32(m.maxChunk);
      return w.done();
    }
    case MessageType.Welcome:
      return new WireWriter(1 + 2 + 4 + 4 + 2)
        .u8(m.type)
        .u16(m.version)
        .u32(m.maxChunk)
        .u32(m.window)
        .u16(m.maxTransfers)
        .done();
    case MessageType.Error: {
      const code = checkStr(m.code, 'error code');
      const text = cut(m.message, 4096);
      return new WireWriter(1 + 4 + strLength(code) + strLength(text)).u8(m.type).u32(m.id).str(code).str(text).done();
    }
    case MessageType.Put: {
      const name = checkStr(m.name, 'name');
      return new WireWriter(1 + 4 + 8 + 1 + strLength(name))
        .u8(m.type)
        .u32(m.id)
        .u64(m.size)
        .u8(m.resume ? 1 : 0)
        .str(name)
        .done();
    }
    case MessageType.PutReady:
      return new WireWriter(1 + 4 + 8 + DIGEST_LENGTH + 4)
        .u8(m.type)
        .u32(m.id)
        .u64(m.offset)
        .bytes(digest(m.prefixHash, 'prefix hash'))
        .u32(m.credit)
        .done();
    case MessageType.PutEnd:
    case MessageType.GetEnd:
      return new WireWriter(1 + 4 + DIGEST_LENGTH).u8(m.type).u32(m.id).bytes(digest(m.sha256, 'sha256')).done();
    case MessageType.PutDone:
      return new WireWriter(1 + 4 + 8 + DIGEST_LENGTH)
        .u8(m.type)
        .u32(m.id)
        .u64(m.size)
        .bytes(digest(m.sha256, 'sha256'))
        .done();
    case MessageType.Get: {
      const name = checkStr(m.name, 'name');
      return new WireWriter(1 + 4 + 8 + DIGEST_LENGTH + 4 + strLength(name))
        .u8(m.type)
        .u32(m.id)
        .u64(m.offset)
        .bytes(digest(m.prefixHash, 'prefix hash'))
        .u32(m.credit)
        .str(name)
        .done();
    }
    case MessageType.GetReady:
      return new WireWriter(1 + 4 + 8 + 8 + 8).u8(m.type).u32(m.id).u64(m.size).u64(m.offset).u64(m.mtimeMs).done();
    case MessageType.Data: {
      const f = allocDataFrame(m.id, m.payload.length);
      f.set(m.payload, DATA_HEADER_LENGTH);
      return f;
    }
    case MessageType.Credit:
      return new WireWriter(1 + 4 + 4).u8(m.type).u32(m.id).u32(m.bytes).done();
    case MessageType.Cancel:
    case MessageType.ListEnd:
    case MessageType.DeleteOk:
      return new WireWriter(1 + 4).u8(m.type).u32(m.id).done();
    case MessageType.List: {
      const folder = checkStr(m.folder, 'folder');
      return new WireWriter(1 + 4 + strLength(folder)).u8(m.type).u32(m.id).str(folder).done();
    }
    case MessageType.ListItems: {
      if (m.entries.length > 0xffff) throw new ProtocolError('more than 65535 entries in one batch');
      let size = 1 + 4 + 2;
      for (const e of m.entries) size += strLength(checkStr(e.name, 'name')) + 16;
      const w = new WireWriter(size).u8(m.type).u32(m.id).u16(m.entries.length);
      for (const e of m.entries) w.str(e.name).u64(e.size).u64(e.mtimeMs);
      return w.done();
    }
    case MessageType.Stat:
    case MessageType.Delete: {
      const name = checkStr(m.name, 'name');
      return new WireWriter(1 + 4 + strLength(name)).u8(m.type).u32(m.id).str(name).done();
    }
    case MessageType.StatOk:
      return new WireWriter(1 + 4 + 8 + 8).u8(m.type).u32(m.id).u64(m.size).u64(m.mtimeMs).done();
  }
}

/**
 * A DATA frame of `length` payload bytes with its header written and the payload left to fill
 * (e.g. by `fs.read` at offset {@link DATA_HEADER_LENGTH}): the file bytes are never copied.
 */
export function allocDataFrame(id: number, length: number): Buffer {
  const f = Buffer.allocUnsafe(DATA_HEADER_LENGTH + length);
  f[0] = MessageType.Data;
  f.writeUInt32BE(id >>> 0, 1);
  return f;
}

/**
 * Decode the payload of one frame. DATA payloads and digests are views of `frame` (no copy).
 *
 * @throws ProtocolError for an empty, unknown, truncated or over-long message
 */
export function decodeMessage(frame: Buffer): Message {
  if (frame.length === 0) throw new ProtocolError('empty message');
  const type = frame[0]!;
  const r = new WireReader(frame, 1);
  let m: Message;
  switch (type) {
    case MessageType.Hello: {
      const magic = r.bytes(4, 'magic');
      if (!magic.equals(MAGIC)) throw new ProtocolError('not a file-transfer HELLO (bad magic)');
      const version = r.u16('version');
      const len = r.u16('token length');
      const token = r.bytes(len, 'token');
      // Optional trailing u32 maxChunk. A newer HELLO may carry more fields after it: the
      // version check refuses it before they matter, so they are not parsed here.
      const rest = r.rest();
      m = rest.length >= 4 ? { type, version, token, maxChunk: rest.readUInt32BE(0) } : { type, version, token };
      return m;
    }
    case MessageType.Welcome:
      m = { type, version: r.u16('version'), maxChunk: r.u32('maxChunk'), window: r.u32('window'), maxTransfers: r.u16('maxTransfers') };
      break;
    case MessageType.Error:
      m = { type, id: r.u32('id'), code: r.str('code'), message: r.str('message') };
      break;
    case MessageType.Put: {
      const id = r.u32('id');
      const size = r.u64('size');
      const flags = r.u8('flags');
      m = { type, id, size, resume: (flags & 1) === 1, name: r.str('name') };
      break;
    }
    case MessageType.PutReady:
      m = { type, id: r.u32('id'), offset: r.u64('offset'), prefixHash: r.bytes(DIGEST_LENGTH, 'prefix hash'), credit: r.u32('credit') };
      break;
    case MessageType.PutEnd:
    case MessageType.GetEnd:
      m = { type, id: r.u32('id'), sha256: r.bytes(DIGEST_LENGTH, 'sha256') };
      break;
    case MessageType.PutDone:
      m = { type, id: r.u32('id'), size: r.u64('size'), sha256: r.bytes(DIGEST_LENGTH, 'sha256') };
      break;
    case MessageType.Get:
      m = {
        type,
        id: r.u32('id'),
        offset: r.u64('offset'),
        prefixHash: r.bytes(DIGEST_LENGTH, 'prefix hash'),
        credit: r.u32('credit'),
        name: r.str('name'),
      };
      break;
    case MessageType.GetReady:
      m = { type, id: r.u32('id'), size: r.u64('size'), offset: r.u64('offset'), mtimeMs: r.u64('mtimeMs') };
      break;
    case MessageType.Data:
      return { type, id: r.u32('id'), payload: r.rest() };
    case MessageType.Credit:
      m = { type, id: r.u32('id'), bytes: r.u32('bytes') };
      break;
    case MessageType.Cancel:
    case MessageType.ListEnd:
    case MessageType.DeleteOk:
      m = { type, id: r.u32('id') };
      break;
    case MessageType.List:
      m = { type, id: r.u32('id'), folder: r.str('folder') };
      break;
    case MessageType.ListItems: {
      const id = r.u32('id');
      const n = r.u16('count');
      const entries: ListEntry[] = [];
      for (let i = 0; i < n; i++) entries.push({ name: r.str('name'), size: r.u64('size'), mtimeMs: r.u64('mtimeMs') });
      m = { type, id, entries };
      break;
    }
    case MessageType.Stat:
    case MessageType.Delete:
      m = { type, id: r.u32('id'), name: r.str('name') };
      break;
    case MessageType.StatOk:
      m = { type, id: r.u32('id'), size: r.u64('size'), mtimeMs: r.u64('mtimeMs') };
      break;
    default:
      throw new ProtocolError(`unknown message type 0x${type.toString(16).padStart(2, '0')}`);
  }
  r.end(`message type 0x${type.toString(16)}`);
  return m;
}
