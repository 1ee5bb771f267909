/**
 * The file-transfer protocol's messages. Each message is the payload of one frame of the
 * underlying framing codec (4-byte big-endian length prefix by default); its first byte is the
 * message type. All integers are big-endian; `u64` values must be safe integers (< 2^53).
 *
 * ```
 *  HELLO      01 | "IOFT" | u16 version | u16 len | token bytes [| u32 maxChunk]
 *  WELCOME    02 | u16 version | u32 maxChunk | u32 window | u16 maxTransfers
 *  ERROR      03 | u32 id (0 = connection) | str code | str message
 *  PUT        10 | u32 id | u64 size | u8 flags (1 = resume) | str name
 *  PUT_READY  11 | u32 id | u64 offset | 32B sha256(prefix) | u32 credit
 *  PUT_END    12 | u32 id | 32B sha256(file)
 *  PUT_DONE   13 | u32 id | u64 size | 32B sha256(file)
 *  GET        20 | u32 id | u64 offset | 32B sha256(prefix) | u32 credit | str name
 *  GET_READY  21 | u32 id | u64 size | u64 offset | u64 mtimeMs
 *  GET_END    22 | u32 id | 32B sha256(file)
 *  DATA       30 | u32 id | bytes...               (the rest of the frame)
 *  CREDIT     31 | u32 id | u32 bytes
 *  CANCEL     32 | u32 id
 *  LIST       40 | u32 id | str folder ("" = root)
 *  LIST_ITEMS 41 | u32 id | u16 n | n × (str name | u64 size | u64 mtimeMs)
 *  LIST_END   42 | u32 id
 *  STAT       50 | u32 id | str name
 *  STAT_OK    51 | u32 id | u64 size | u64 mtimeMs
 *  DELETE     60 | u32 id | str name
 *  DELETE_OK  61 | u32 id
 *
 *  str = u16 byte length | UTF-8 bytes
 * ```
 */

/** Protocol version spoken by this package. A peer with another version is refused. */
export const PROTOCOL_VERSION = 1;

/** Magic bytes that open a HELLO, so a stray client of another protocol is told apart. */
export const HELLO_MAGIC = 'IOFT';

/** Message type byte values. */
export const MessageType = {
  Hello: 0x01,
  Welcome: 0x02,
  Error: 0x03,
  Put: 0x10,
  PutReady: 0x11,
  PutEnd: 0x12,
  PutDone: 0x13,
  Get: 0x20,
  GetReady: 0x21,
  GetEnd: 0x22,
  Data: 0x30,
  Credit: 0x31,
  Cancel: 0x32,
  List: 0x40,
  ListItems: 0x41,
  ListEnd: 0x42,
  Stat: 0x50,
  StatOk: 0x51,
  Delete: 0x60,
  DeleteOk: 0x61,
} as const;

/** Bytes before the payload in a DATA frame (type + transfer id). */
export const DATA_HEADER_LENGTH = 5;

/** Length of a SHA-256 digest. */
export const DIGEST_LENGTH = 32;

/** Client → server: first message on a connection. */
export interface HelloMessage {
  type: typeof MessageType.Hello;
  version: number;
  token: Buffer;
  /** Largest DATA payload the client can receive (its frame limit − 5); absent = no limit. */
  maxChunk?: number;
}
/** Server → client: the session is open; limits the server imposes. */
export interface WelcomeMessage {
  type: typeof MessageType.Welcome;
  version: number;
  maxChunk: number;
  window: number;
  maxTransfers: number;
}
/** Either way: request `id` failed (or the connection, when `id` is 0). */
export interface ErrorMessage {
  type: typeof MessageType.Error;
  id: number;
  code: string;
  message: string;
}
/** Client → server: start (or resume) an upload of `size` bytes to `name`. */
export interface PutMessage {
  type: typeof MessageType.Put;
  id: number;
  size: number;
  resume: boolean;
  name: string;
}
/** Server → client: send from `offset`; `prefixHash` is SHA-256 of the server's bytes [0, offset). */
export interface PutReadyMessage {
  type: typeof MessageType.PutReady;
  id: number;
  offset: number;
  prefixHash: Buffer;
  credit: number;
}
/** Client → server: every byte sent; `sha256` covers the whole file. */
export interface PutEndMessage {
  type: typeof MessageType.PutEnd;
  id: number;
  sha256: Buffer;
}
/** Server → client: verified, synced and published under its final name. */
export interface PutDoneMessage {
  type: typeof MessageType.PutDone;
  id: number;
  size: number;
  sha256: Buffer;
}
/** Client → server: download `name`; the client already holds `offset` bytes hashing to `prefixHash`. */
export interface GetMessage {
  type: typeof MessageType.Get;
  id: number;
  offset: number;
  prefixHash: Buffer;
  credit: number;
  name: string;
}
/** Server → client: file size and where sending starts (0 when the client's prefix did not match). */
export interface GetReadyMessage {
  type: typeof MessageType.GetReady;
  id: number;
  size: number;
  offset: number;
  mtimeMs: number;
}
/** Server → client: every byte sent; `sha256` covers the whole file. */
export interface GetEndMessage {
  type: typeof MessageType.GetEnd;
  id: number;
  sha256: Buffer;
}
/** Either way: the next bytes of transfer `id`. `payload` is a view of the frame. */
export interface DataMessage {
  type: typeof MessageType.Data;
  id: number;
  payload: Buffer;
}
/** Either way: the receiver of transfer `id` can take `bytes` more. */
export interface CreditMessage {
  type: typeof MessageType.Credit;
  id: number;
  bytes: number;
}
/** Client → server: abandon transfer `id` (partials are kept for resume). */
export interface CancelMessage {
  type: typeof MessageType.Cancel;
  id: number;
}
/** Client → server: list the files under `folder`, recursively. */
export interface ListMessage {
  type: typeof MessageType.List;
  id: number;
  folder: string;
}
/** One file in a listing. */
export interface ListEntry {
  /** Relative name with `/`, usable as-is in `get`. */
  name: string;
  size: number;
  mtimeMs: number;
}
/** Server → client: a batch of entries (a listing arrives in several batches). */
export interface ListItemsMessage {
  type: typeof MessageType.ListItems;
  id: number;
  entries: ListEntry[];
}
/** Server → client: the listing is complete. */
export interface ListEndMessage {
  type: typeof MessageType.ListEnd;
  id: number;
}
/** Client → server: size and time of one file. */
export interface StatMessage {
  type: typeof MessageType.Stat;
  id: number;
  name: string;
}
/** Server → client: answer to STAT. */
export interface StatOkMessage {
  type: typeof MessageType.StatOk;
  id: number;
  size: number;
  mtimeMs: number;
}
/** Client → server: remove one file. */
export interface DeleteMessage {
  type: typeof MessageType.Delete;
  id: number;
  name: string;
}
/** Server → client: the file is gone. */
export interface DeleteOkMessage {
  type: typeof MessageType.DeleteOk;
  id: number;
}

/** Every message of the protocol, discriminated by `type`. */
export type Message =
  | HelloMessage
  | WelcomeMessage
  | ErrorMessage
  | PutMessage
  | PutReadyMessage
  | PutEndMessage
  | PutDoneMessage
  | GetMessage
  | GetReadyMessage
  | GetEndMessage
  | DataMessage
  | CreditMessage
  | CancelMessage
  | ListMessage
  | ListItemsMessage
  | ListEndMessage
  | StatMessage
  | StatOkMessage
  | DeleteMessage
  | DeleteOkMessage;
