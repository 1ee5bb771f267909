import type { FileSystem } from '../file-system.js';
import type { ServerSession } from '../server-session.js';
import type { RootFolder } from './root-folder.js';

/** Minimal logger (pino's API subset). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Counters of one server (mutated by its sessions; read through `FileServer.stats()`). */
export interface ServerCounters {
  uploadsStarted: number;
  uploadsPublished: number;
  downloadsStarted: number;
  downloadsCompleted: number;
  /** DATA payload bytes received (uploads). */
  bytesReceived: number;
  /** DATA payload bytes sent (downloads). */
  bytesSent: number;
  /** Failed requests and closed connections, by error code. */
  failures: Record<string, number>;
}

/** What every session of one server shares. */
export interface ServerContext {
  readonly root: RootFolder;
  readonly fs: FileSystem;
  /** SHA-256 of the token, or undefined when no token is required. */
  readonly tokenDigest: Buffer | undefined;
  readonly maxFileSize: number;
  readonly chunkSize: number;
  readonly window: number;
  readonly maxTransfers: number;
  readonly minFreeBytes: number;
  /**
   * Names with an upload in progress on any connection: the "busy" lock. The value is
   * undefined while the upload runs, or a promise while an abandoned upload is still closing
   * its partial (a new upload of the name waits for it instead of failing as busy).
   */
  readonly busy: Map<string, Promise<void> | undefined>;
  readonly log: Logger | undefined;
  readonly counters: ServerCounters;
  /** Sessions being served: `FileServer.attach` adds one, the session removes itself when it closes. */
  readonly sessions: Set<ServerSession>;
}
