import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '../errors.js';
import type { JobHandler } from '../job-handler.js';
import type { JobPoolOptions, Watermarks } from '../job-pool-options.js';

/** Options with every default filled in. */
export interface ResolvedOptions<R, K> {
  filename: string;
  threads: number;
  minThreads: number;
  idleTimeoutMs: number;
  resourceLimits: JobPoolOptions['resourceLimits'];
  concurrentTasksPerWorker: number;
  prefetch: number;
  maxBatch: number;
  maxBatchUs: number;
  workerData: unknown;
  perKey: Required<Watermarks>;
  queue: Required<Watermarks>;
  cancelRunning: 'drop' | 'abort';
  handler: JobHandler<R, K> | undefined;
  onHandlerError: ((key: K, error: unknown) => void) | undefined;
}

const MAX_PER_KEY = 1 << 24;
/** Smallest `resourceLimits.maxOldGenerationSizeMb` accepted (see `resolveOptions`). */
const MIN_OLD_GENERATION_MB = 4;

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `expected an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function watermarks(
  name: string,
  given: Watermarks | undefined,
  defaults: Required<Watermarks>,
  maxLimit: number,
): Required<Watermarks> {
  if (given !== undefined && (given === null || typeof given !== 'object')) {
    throw new InvalidOptionError(name, 'expected an object');
  }
  const max = integer(`${name}.max`, given?.max ?? defaults.max, 1, maxLimit);
  const hwmDefault = given?.max !== undefined ? Math.max(1, Math.min(defaults.highWaterMark, max)) : defaults.highWaterMark;
  const highWaterMark = integer(`${name}.highWaterMark`, given?.highWaterMark ?? hwmDefault, 1, max);
  const lwmDefault = Math.min(defaults.lowWaterMark, highWaterMark - 1);
  const lowWaterMark = integer(
    `${name}.lowWaterMark`,
    given?.lowWaterMark ?? lwmDefault,
    0,
    highWaterMark - 1,
  );
  return { max, highWaterMark, lowWaterMark };
}

function handlerOrUndefined<R, K>(option: string, value: unknown): JobHandler<R, K> | undefined {
  if (value === undefined) return undefined;
  assertHandler(option, value);
  return value as JobHandler<R, K>;
}

/** Throws `IOCP_ERR_INVALID_OPTION` unless `value` looks like a {@link JobHandler}. */
export function assertHandler(option: string, value: unknown): void {
  const h = value as Partial<JobHandler> | null;
  if (
    h === null ||
    typeof h !== 'object' ||
    typeof h.onResult !== 'function' ||
    typeof h.onError !== 'function' ||
    (h.onPressure !== undefined && typeof h.onPressure !== 'function')
  ) {
    throw new InvalidOptionError(option, 'expected an object with onResult and onError methods');
  }
}

/** Validate `options` and fill in defaults. */
export function resolveOptions<R, K>(options: JobPoolOptions<R, K>): ResolvedOptions<R, K> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', 'expected an object with a filename');
  }
  let filename: string;
  if (options.filename instanceof URL) {
    if (options.filename.protocol !== 'file:') {
      throw new InvalidOptionError('filename', 'a URL must use the file: protocol');
    }
    filename = fileURLToPath(options.filename);
  } else if (typeof options.filename === 'string' && options.filename !== '') {
    filename = options.filename.startsWith('file:') ? fileURLToPath(options.filename) : options.filename;
  } else {
    throw new InvalidOptionError('filename', 'expected a module path or file: URL');
  }
  const threads = integer('threads', options.threads ?? availableParallelism(), 1, 1024);
  const minThreads = integer('minThreads', options.minThreads ?? threads, 0, threads);
  const idleTimeoutMs = integer('idleTimeoutMs', options.idleTimeoutMs ?? 30_000, 0, 2 ** 31 - 1);
  const concurrentTasksPerWorker = integer(
    'concurrentTasksPerWorker',
    options.concurrentTasksPerWorker ?? 1,
    1,
    1024,
  );
  const prefetch = integer('prefetch', options.prefetch ?? threads, 0, 1 << 16);
  const maxBatch = integer('maxBatch', options.maxBatch ?? 64, 1, 1 << 16);
  const maxBatchUs = integer('maxBatchUs', options.maxBatchUs ?? 1000, 0, 60_000_000);
  if (
    options.resourceLimits !== undefined &&
    (options.resourceLimits === null || typeof options.resourceLimits !== 'object')
  ) {
    throw new InvalidOptionError('resourceLimits', 'expected an object');
  }
  const oldGenerationMb = options.resourceLimits?.maxOldGenerationSizeMb;
  if (oldGenerationMb !== undefined && !(typeof oldGenerationMb === 'number' && oldGenerationMb >= MIN_OLD_GENERATION_MB)) {
    // Below this a worker's heap cannot even hold Node's startup snapshot: Node 20 fails the
    // worker, Node 22 and 24 abort the whole process ("GC during deserialization").
    throw new InvalidOptionError(
      'resourceLimits.maxOldGenerationSizeMb',
      `expected a number >= ${MIN_OLD_GENERATION_MB} (a smaller worker heap aborts the process on Node 22+), got ${String(oldGenerationMb)}`,
    );
  }
  const cancelRunning = options.cancelRunning ?? 'drop';
  if (cancelRunning !== 'drop' && cancelRunning !== 'abort') {
    throw new InvalidOptionError('cancelRunning', `expected 'drop' or 'abort', got ${String(cancelRunning)}`);
  }
  if (options.onHandlerError !== undefined && typeof options.onHandlerError !== 'function') {
    throw new InvalidOptionError('onHandlerError', 'expected a function');
  }
  return {
    filename,
    threads,
    minThreads,
    idleTimeoutMs,
    resourceLimits: options.resourceLimits,
    concurrentTasksPerWorker,
    prefetch,
    maxBatch,
    maxBatchUs,
    workerData: options.workerData,
    perKey: watermarks('perKey', options.perKey, { max: 256, highWaterMark: 64, lowWaterMark: 16 }, MAX_PER_KEY),
    queue: watermarks(
      'queue',
      options.queue,
      { max: 16384, highWaterMark: 8192, lowWaterMark: 4096 },
      2 ** 31 - 1,
    ),
    cancelRunning,
    handler: handlerOrUndefined<R, K>('handler', options.handler),
    onHandlerError: options.onHandlerError,
  };
}
