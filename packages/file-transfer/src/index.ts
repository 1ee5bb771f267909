export * from './errors.js';
export { type ListEntry, type Message, MessageType, PROTOCOL_VERSION, HELLO_MAGIC, DATA_HEADER_LENGTH, DIGEST_LENGTH } from './messages.js';
export type * from './messages.js';
export { encodeMessage, decodeMessage, allocDataFrame } from './message-codec.js';
export { parseRemoteName, parseRemoteFolder, MAX_NAME_BYTES, MAX_SEGMENT_BYTES, RESERVED_FOLDER } from './remote-name.js';
export type { FrameConnection, FrameSink } from './frame-connection.js';
export { type FileSystem, nodeFileSystem } from './file-system.js';
export { ServerSession } from './server-session.js';
export {
  ClientSession,
  type ClientSessionOptions,
  type TransferOptions,
  type TransferResult,
  type RemoteStat,
  downloadPartialPath,
  DEFAULT_TIMEOUT_MS,
} from './client-session.js';
export { FileServer, type FileServerOptions, type FileServerStats, type Logger, DEFAULT_PORT_OPTIONS } from './file-server.js';
export type { FileServerListenOptions } from './file-server.js';
export { FileClient, type FileClientOptions } from './file-client.js';
