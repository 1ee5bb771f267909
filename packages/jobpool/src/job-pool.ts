import { existsSync } from 'node:fs';
import { type RecordableHistogram, createHistogram, performance } from 'node:perf_hooks';
import type { Transferable } from 'node:worker_threads';
import { Reorderer } from '@iocp/reorder';
import { Piscina } from 'piscina';
import {
  InvalidOptionError,
  JobFailedError,
  JobModuleError,
  JobPoolError,
  KeyExistsError,
  KeyFullError,
  PoolClosedError,
  QueueFullError,
  UnknownKeyError,
  WorkerDiedError,
} from './errors.js';
import type { JobHandler } from './job-handler.js';
import type { JobPoolOptions } from './job-pool-options.js';
import type { JobPoolStats } from './job-pool-stats.js';
import { classifyDeath } from './internal/classify-death.js';
import { fromFailureRecord, isFailureRecord } from './internal/failure.js';
import { Job } from './internal/job.js';
import { BatchRun } from './internal/batch-run.js';
import { KeyState } from './internal/key-state.js';
import { WORKER_ENTRY_PATH } from './internal/paths.js';
import { type ResolvedOptions, assertHandler, resolveOptions } from './internal/validate-options.js';

const MAX_SPARE_JOBS = 4096;
const MAX_SPARE_REORDERERS = 256;

/**
 * A pool of worker threads (piscina) that runs jobs in parallel and delivers each key's results
 * in the order the jobs were submitted.
 *
 * ```
 *  submit(key, payload) ──► per-key FIFO ──end of turn: batches of one key,──► piscina threads
 *                              (bounded)     round-robin over keys          │ one task per batch,
 *                                                                           │ out of order
 *  handler.onResult(key, result, seq) ◄── per-key Reorderer ◄─────────────┘
 *  handler.onPressure(key, paused)  ◄── in-flight count vs watermarks
 * ```
 *
 * - **Keyed order:** jobs of one key may run on several threads at once; their results wait in
 *   a per-key {@link Reorderer} and leave in submission order. Keys never wait for each other:
 *   queued jobs are dispatched round-robin over keys, so a key with a long queue cannot starve
 *   another.
 * - **Micro-batching:** `submit()` only queues; at the end of the event-loop turn (one
 *   `setImmediate`) the queued jobs go out as batches — up to `maxBatch` jobs of one key per
 *   piscina task, run in order on one thread, each job's throw caught in its place — so one
 *   `postMessage` and one thread wake-up serve several jobs. No timer: a lone job leaves at the
 *   end of its turn.
 * - **No closure per job:** results go to a {@link JobHandler} registered once per key; job
 *   records are recycled.
 * - **Bounded:** at most `perKey.max` jobs in flight per key and `queue.max` in the pool; a
 *   submit beyond is refused with a coded error. Crossing a high watermark calls
 *   `onPressure(key, true)`, falling back to the low watermarks calls `onPressure(key, false)`.
 * - **Failures:** a throwing job yields `IOCP_ERR_JOB_FAILED` in its place; a worker that
 *   exits, crashes or exceeds `resourceLimits` fails the jobs of its batch with
 *   `IOCP_ERR_JOB_WORKER_DIED`, and piscina starts a new thread.
 */
export class JobPool<P = unknown, R = unknown, K = unknown> {
  readonly #o: ResolvedOptions<R, K>;
  readonly #piscina: Piscina;
  readonly #capacity: number;
  readonly #window: number;
  readonly #keys = new Map<K, KeyState<P, R, K>>();
  readonly #paused = new Set<KeyState<P, R, K>>();
  readonly #spareJobs: Job<P, R, K>[] = [];
  readonly #spareReorderers: Reorderer<Job<P, R, K>>[] = [];
  readonly #latency: RecordableHistogram = createHistogram();
  /** The one release callback shared by every key's reorderer. */
  readonly #onRelease = (job: Job<P, R, K>, seq: number): void => this.#deliver(job, seq);
  /** Runs the jobs submitted during this event-loop turn, after its I/O callbacks. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#pump();
  };
  #flushScheduled = false;
  #readyHead: KeyState<P, R, K> | null = null;
  #readyTail: KeyState<P, R, K> | null = null;
  #total = 0;
  #queued = 0;
  #running = 0;
  #batches = 0;
  #batchedJobs = 0;
  /** Moving average of one job's run time on a worker, in µs (0 = not measured yet). */
  #jobUs = 0;
  #submitted = 0;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #workerErrors = 0;
  #reordered = 0;
  #closing = false;
  #closed: Promise<void> | null = null;
  /** Batches (piscina tasks) handed to piscina and not settled yet. */
  readonly #runs = new Set<BatchRun<P, R, K>>();
  /** Batches withdrawn while piscina still holds them (see `#checkStranded`). */
  #withdrawn = 0;
  /** A thread died and no batch has come back since: batches carry an abort signal. */
  #degraded = false;
  #onIdle: (() => void) | null = null;

  /** @throws `IOCP_ERR_INVALID_OPTION` for a missing worker module or an out-of-range option. */
  constructor(options: JobPoolOptions<R, K>) {
    this.#o = resolveOptions(options);
    if (!existsSync(this.#o.filename)) {
      throw new InvalidOptionError('filename', `no such file: ${this.#o.filename}`);
    }
    if (!existsSync(WORKER_ENTRY_PATH)) {
      // Only when running from a source checkout that was never built.
      throw new JobPoolError(
        'IOCP_ERR_JOB_MODULE',
        `worker entry ${WORKER_ENTRY_PATH} is missing: build @iocp/jobpool first`,
      );
    }
    this.#capacity = this.#o.threads * this.#o.concurrentTasksPerWorker + this.#o.prefetch;
    this.#window = 2 ** Math.ceil(Math.log2(this.#o.perKey.max));
    this.#piscina = new Piscina({
      filename: WORKER_ENTRY_PATH,
      minThreads: this.#o.minThreads,
      maxThreads: this.#o.threads,
      idleTimeout: this.#o.idleTimeoutMs,
      concurrentTasksPerWorker: this.#o.concurrentTasksPerWorker,
      resourceLimits: this.#o.resourceLimits,
      workerData: this.#o.workerData,
      env: { ...process.env, IOCP_JOBPOOL_MODULE: this.#o.filename },
    });
    // An error outside any job (e.g. a timer in the worker threw). Piscina already replaced the
    // thread; without a listener the 'error' event would crash the process.
    this.#piscina.on('error', (err: unknown) => {
      this.#workerErrors++;
      this.#degraded = true;
      // Out of piscina's own error handling before any user callback runs.
      queueMicrotask(() => this.#checkStranded(err));
    });
  }

  /**
   * Most batches (piscina tasks) handed to piscina at once:
   * `threads × concurrentTasksPerWorker + prefetch`. Each batch holds up to `maxBatch` jobs.
   */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Register `handler` for `key`. The key stays open (and keeps its sequence numbers) until
   * `cancelKey(key)`.
   *
   * @throws `IOCP_ERR_JOB_KEY_EXISTS` if the key is open; `IOCP_ERR_JOB_POOL_CLOSED` after
   *   `close()`; `IOCP_ERR_INVALID_OPTION` if `handler` lacks `onResult`/`onError`.
   */
  openKey(key: K, handler: JobHandler<R, K>): void {
    if (this.#closing) throw new PoolClosedError();
    if (this.#keys.has(key)) throw new KeyExistsError(key);
    assertHandler('handler', handler);
    this.#keys.set(key, new KeyState(key, handler, true, this.#o.cancelRunning === 'abort'));
  }

  /**
   * Submit a job for `key`. Its result reaches the key's handler after the results of every job
   * submitted earlier for the same key.
   *
   * The payload is structured-cloned to the worker when its batch is dispatched, at the end of
   * this event-loop turn. A typed-array view is cloned together with its whole backing
   * `ArrayBuffer`: pass exact-size buffers, or list the buffer in `transferList` to move it
   * without a copy (it is detached at dispatch; do not touch it after `submit()`).
   *
   * @returns `true` while the key may take more; `false` when the key is paused (its handler's
   *   `onPressure(key, true)` has been called) — stop submitting until `onPressure(key, false)`.
   * @throws `IOCP_ERR_JOB_KEY_FULL` (`perKey.max` in flight), `IOCP_ERR_JOB_QUEUE_FULL`
   *   (`queue.max` in flight), `IOCP_ERR_JOB_UNKNOWN_KEY` (not opened, no default handler),
   *   `IOCP_ERR_JOB_POOL_CLOSED`. A refused job changes nothing.
   */
  submit(key: K, payload: P, transferList?: readonly Transferable[]): boolean {
    if (this.#closing) throw new PoolClosedError();
    let state = this.#keys.get(key);
    if (state === undefined) {
      const handler = this.#o.handler;
      if (handler === undefined) throw new UnknownKeyError(key);
      if (this.#total >= this.#o.queue.max) throw new QueueFullError(this.#o.queue.max);
      state = new KeyState(key, handler, false, this.#o.cancelRunning === 'abort');
      this.#keys.set(key, state);
    } else {
      if (state.inFlight >= this.#o.perKey.max) throw new KeyFullError(this.#o.perKey.max);
      if (this.#total >= this.#o.queue.max) throw new QueueFullError(this.#o.queue.max);
    }
    if (state.reorderer === null) this.#attachReorderer(state);
    const job = this.#spareJobs.pop() ?? new Job<P, R, K>();
    job.state = state;
    job.seq = state.nextSeq;
    state.nextSeq = (state.nextSeq + 1) >>> 0;
    job.payload = payload;
    job.transferList = transferList;
    job.submittedAt = performance.now();
    state.inFlight++;
    this.#total++;
    this.#submitted++;
    this.#enqueue(state, job);
    // Dispatched at the end of this event-loop turn, together with every other job submitted in
    // it (see #pump): one piscina task per batch instead of one per job.
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
    if (state.paused) return false;
    if (state.inFlight >= this.#o.perKey.highWaterMark || this.#total >= this.#o.queue.highWaterMark) {
      this.#pause(state);
      return false;
    }
    return true;
  }

  /**
   * Cancel everything of `key` and forget it: queued jobs never run, results of running or
   * finished jobs are dropped, no result or error for this key is delivered afterwards (a
   * paused key gets one last `onPressure(key, false)`, so its reader is not left paused). With
   * `cancelRunning: 'abort'` its running jobs are aborted too. A later `submit(key)` starts a
   * new key (needs `openKey()` again unless the pool has a default handler).
   *
   * @returns how many jobs of the key were in flight (now dropped).
   */
  cancelKey(key: K): number {
    const state = this.#keys.get(key);
    if (state === undefined) return 0;
    this.#keys.delete(key);
    return this.#cancelState(state);
  }

  /** Whether `key` is paused by backpressure. */
  isPaused(key: K): boolean {
    return this.#keys.get(key)?.paused === true;
  }

  /** Jobs of `key` in flight (submitted, not yet delivered). */
  inFlight(key: K): number {
    return this.#keys.get(key)?.inFlight ?? 0;
  }

  /** A snapshot of the counters (every field set, `batches` and `meanBatchSize` included). */
  stats(): Required<JobPoolStats> {
    const h = this.#latency;
    const count = h.count;
    return {
      threads: this.#piscina.threads.length,
      keys: this.#keys.size,
      pausedKeys: this.#paused.size,
      inFlight: this.#total,
      queued: this.#queued,
      running: this.#running,
      waiting: this.#waitingCount(),
      submitted: this.#submitted,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      reordered: this.#reordered,
      workerErrors: this.#workerErrors,
      batches: this.#batches,
      meanBatchSize: this.#batches === 0 ? 0 : this.#batchedJobs / this.#batches,
      latencyUs: {
        count,
        min: count === 0 ? 0 : h.min,
        mean: count === 0 ? 0 : h.mean,
        p50: count === 0 ? 0 : h.percentile(50),
        p90: count === 0 ? 0 : h.percentile(90),
        p99: count === 0 ? 0 : h.percentile(99),
        max: count === 0 ? 0 : h.max,
      },
    };
  }

  /**
   * Stop accepting jobs and keys, then shut the threads down. By default every job already
   * accepted still runs and is delivered first; with `force: true` all keys are cancelled and
   * running jobs are abandoned. Idempotent: later calls return the same promise.
   */
  close(options?: { force?: boolean | undefined }): Promise<void> {
    if (this.#closed !== null) return this.#closed;
    this.#closing = true;
    const force = options?.force === true;
    if (force) {
      for (const state of [...this.#keys.values()]) {
        this.#keys.delete(state.key);
        this.#cancelState(state);
      }
    }
    this.#closed = (async () => {
      if (!force && this.#total > 0) {
        await new Promise<void>((resolve) => {
          this.#onIdle = resolve;
        });
      }
      // Withdrawn batches may sit in piscina's queue with no thread to run them: close() would
      // wait for them forever. Their jobs were already answered, so nothing is lost.
      if (force || this.#withdrawn > 0) await this.#piscina.destroy();
      else await this.#piscina.close();
    })();
    return this.#closed;
  }

  #waitingCount(): number {
    let waiting = 0;
    for (const state of this.#keys.values()) {
      if (state.reorderer !== null) waiting += state.reorderer.pending;
    }
    return waiting;
  }

  #attachReorderer(state: KeyState<P, R, K>): void {
    const reorderer =
      this.#spareReorderers.pop() ??
      new Reorderer<Job<P, R, K>>({ window: this.#window, onRelease: this.#onRelease });
    // Empty (it was idle), so this is O(1); keeps the key's sequence numbers continuous.
    reorderer.reset(state.nextSeq);
    state.reorderer = reorderer;
  }

  #enqueue(state: KeyState<P, R, K>, job: Job<P, R, K>): void {
    if (state.tail === null) state.head = job;
    else state.tail.next = job;
    state.tail = job;
    state.queued++;
    this.#queued++;
    if (!state.ready) this.#markReady(state);
  }

  #markReady(state: KeyState<P, R, K>): void {
    state.ready = true;
    state.nextReady = null;
    if (this.#readyTail === null) this.#readyHead = state;
    else this.#readyTail.nextReady = state;
    this.#readyTail = state;
  }

  /**
   * Hand queued jobs to piscina as batches, while fewer than `capacity` batches are out. A batch
   * holds jobs of one key only, taken from the key's FIFO (so they run in submission order on
   * one thread), and keys take turns (round-robin): a slow job delays only the later jobs of its
   * own key — which wait for it anyway — and a worker death touches one key. A batch takes
   * `ceil(queued / free slots)` jobs, at most `maxBatch`, so one turn's jobs spread over the
   * threads and the prefetch slots.
   */
  #pump(): void {
    while (this.#runs.size < this.#capacity) {
      const state = this.#readyHead;
      if (state === null) return;
      this.#readyHead = state.nextReady;
      if (this.#readyHead === null) this.#readyTail = null;
      state.nextReady = null;
      state.ready = false;
      // A cancelled key's queue was emptied; it is just skipped here.
      if (state.head === null) continue;
      const slots = this.#capacity - this.#runs.size;
      const size = Math.min(this.#batchCap(), Math.ceil(this.#queued / slots), state.queued);
      const batch = new Array<Job<P, R, K>>(size);
      for (let i = 0; i < size; i++) {
        const job: Job<P, R, K> = state.head!;
        state.head = job.next;
        job.next = null;
        batch[i] = job;
      }
      state.queued -= size;
      this.#queued -= size;
      if (state.head === null) state.tail = null;
      else this.#markReady(state);
      this.#dispatch(batch);
    }
  }

  /** Most jobs in the next batch: `maxBatch`, and `maxBatchUs` of measured job time. */
  #batchCap(): number {
    const { maxBatch, maxBatchUs } = this.#o;
    if (maxBatchUs === 0) return maxBatch;
    if (this.#jobUs === 0) return 1;
    return Math.max(1, Math.min(maxBatch, Math.floor(maxBatchUs / this.#jobUs)));
  }

  #dispatch(batch: Job<P, R, K>[]): void {
    const n = batch.length;
    const payloads = new Array<P | undefined>(n);
    let transferList: unknown[] | undefined;
    for (let i = 0; i < n; i++) {
      const job = batch[i]!;
      job.state!.running++;
      payloads[i] = job.payload;
      const transfers = job.transferList;
      if (transfers !== undefined) {
        if (transferList === undefined) transferList = [];
        // One object listed twice would make the whole postMessage throw.
        for (const t of transfers) if (!transferList.includes(t)) transferList.push(t);
      }
      job.payload = undefined;
      job.transferList = undefined;
    }
    this.#running += n;
    this.#batches++;
    this.#batchedJobs += n;
    const state = batch[0]!.state!;
    const run = new BatchRun(state, batch, state.abortable || this.#degraded);
    this.#runs.add(run);
    const signal = run.abort?.signal;
    const options =
      transferList === undefined ? (signal === undefined ? undefined : { signal }) : { signal, transferList };
    void this.#run(run, payloads, options);
  }

  async #run(run: BatchRun<P, R, K>, payloads: unknown[], options: object | undefined): Promise<void> {
    let value: unknown;
    let died = false;
    try {
      value = await this.#piscina.run(payloads, options as Parameters<Piscina['run']>[1]);
    } catch (failure) {
      value = failure;
      died = true;
    }
    if (run.withdrawn) {
      this.#withdrawn--;
      return;
    }
    this.#runs.delete(run);
    this.#settle(run.batch, value, died);
  }

  /**
   * Piscina stops starting threads once one failed while starting (say `resourceLimits` too
   * small to boot one): the batches it holds would then wait forever. So after every worker
   * death, if no thread is left while batches are out, those batches fail now with
   * `IOCP_ERR_JOB_WORKER_DIED` (reason `startup`); piscina's eventual outcome for them is
   * ignored (should a thread start later after all, piscina may still run them). A later batch
   * makes piscina try a new thread again.
   */
  #checkStranded(cause: unknown): void {
    if (this.#runs.size === 0 || this.#piscina.threads.length > 0) return;
    const reason = new WorkerDiedError('startup', cause);
    const runs = [...this.#runs];
    this.#runs.clear();
    for (const run of runs) {
      run.withdrawn = true;
      this.#withdrawn++;
      run.abort?.abort(reason);
      this.#settle(run.batch, reason, true);
    }
  }

  /**
   * A batch came back (or its worker died): record each job's outcome, refill the threads, then
   * hand the jobs to their keys' reorderers in batch order (a key's jobs in one batch are in
   * submission order), so their replies all leave in this one turn.
   */
  #settle(batch: (Job<P, R, K> | null)[], outcome: unknown, died: boolean): void {
    const n = batch.length;
    this.#degraded = died;
    this.#running -= n;
    const moduleFailure = !died && isFailureRecord(outcome) ? outcome : undefined;
    const results = died || moduleFailure !== undefined ? undefined : (outcome as unknown[]);
    if (results !== undefined) {
      const perJobUs = ((results[n] as number) * 1000) / n;
      this.#jobUs = this.#jobUs === 0 ? perJobUs : this.#jobUs * 0.75 + perJobUs * 0.25;
      if (this.#jobUs <= 0) this.#jobUs = 0.001;
    }
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      const job = batch[i]!;
      const state = job.state!;
      state.running--;
      if (state.cancelled) {
        state.inFlight--;
        this.#freeJob(job);
        batch[i] = null;
        dropped++;
        continue;
      }
      if (died) job.error = classifyDeath(outcome);
      else if (moduleFailure !== undefined) job.error = new JobModuleError(fromFailureRecord(moduleFailure));
      else {
        const result = results![i];
        if (isFailureRecord(result)) job.error = new JobFailedError(fromFailureRecord(result));
        else job.value = result as R;
      }
    }
    // Refill the threads before running user callbacks.
    this.#pump();
    if (died) this.#checkStranded(outcome);
    if (dropped > 0) this.#decreaseTotal(dropped);
    for (let i = 0; i < n; i++) {
      const job = batch[i];
      if (job === null || job === undefined) continue;
      const state = job.state!;
      if (state.cancelled) {
        // Cancelled by a handler call for an earlier job of this batch: already counted.
        this.#freeJob(job);
        continue;
      }
      if (state.reorderer!.push(job.seq, job) === 0) this.#reordered++;
    }
  }

  /** Called by a key's reorderer, in order. */
  #deliver(job: Job<P, R, K>, seq: number): void {
    const state = job.state!;
    if (state.cancelled) {
      // Cancelled by an earlier handler call of this same release run: already counted.
      this.#freeJob(job);
      return;
    }
    const error = job.error;
    const value = job.value as R;
    const micros = Math.round((performance.now() - job.submittedAt) * 1000);
    this.#latency.record(micros > 0 ? micros : 1);
    this.#freeJob(job);
    state.inFlight--;
    try {
      if (error === undefined) {
        this.#completed++;
        state.handler.onResult(state.key, value, seq);
      } else {
        this.#failed++;
        state.handler.onError(state.key, error, seq);
      }
    } catch (handlerError) {
      this.#handlerFailed(state, handlerError);
    }
    this.#decreaseTotal(1);
    if (state.cancelled) return;
    if (
      state.paused &&
      state.inFlight <= this.#o.perKey.lowWaterMark &&
      this.#total <= this.#o.queue.lowWaterMark
    ) {
      this.#resume(state);
    }
    if (state.inFlight === 0 && !state.cancelled) this.#becameIdle(state);
  }

  #becameIdle(state: KeyState<P, R, K>): void {
    const reorderer = state.reorderer;
    state.reorderer = null;
    if (reorderer !== null && this.#spareReorderers.length < MAX_SPARE_REORDERERS) {
      this.#spareReorderers.push(reorderer);
    }
    // A key created by submit() is forgotten when idle (it holds nothing); a paused one is kept
    // until it is resumed, so that its resume call is not lost.
    if (!state.explicit && !state.paused && this.#keys.get(state.key) === state) {
      this.#keys.delete(state.key);
    }
  }

  #pause(state: KeyState<P, R, K>): void {
    state.paused = true;
    this.#paused.add(state);
    this.#callPressure(state, true);
  }

  #resume(state: KeyState<P, R, K>): void {
    state.paused = false;
    this.#paused.delete(state);
    this.#callPressure(state, false);
    if (!state.cancelled && state.inFlight === 0 && state.reorderer === null) {
      this.#becameIdle(state);
    }
  }

  #callPressure(state: KeyState<P, R, K>, paused: boolean): void {
    const onPressure = state.handler.onPressure;
    if (onPressure === undefined) return;
    try {
      onPressure.call(state.handler, state.key, paused);
    } catch (handlerError) {
      this.#handlerFailed(state, handlerError);
    }
  }

  #decreaseTotal(n: number): void {
    const before = this.#total;
    this.#total -= n;
    const low = this.#o.queue.lowWaterMark;
    if (before > low && this.#total <= low && this.#paused.size > 0) {
      // The pool-wide queue drained: resume every paused key that is itself low enough.
      for (const state of this.#paused) {
        if (this.#total > low) break;
        if (state.inFlight <= this.#o.perKey.lowWaterMark) this.#resume(state);
      }
    }
    if (this.#total === 0 && this.#onIdle !== null) {
      const onIdle = this.#onIdle;
      this.#onIdle = null;
      onIdle();
    }
  }

  #cancelState(state: KeyState<P, R, K>): number {
    if (state.cancelled) return 0;
    state.cancelled = true;
    const wasPaused = state.paused;
    if (wasPaused) {
      state.paused = false;
      this.#paused.delete(state);
    }
    const dropped = state.inFlight;
    this.#cancelled += dropped;
    let job = state.head;
    while (job !== null) {
      const next = job.next;
      this.#freeJob(job);
      job = next;
    }
    this.#queued -= state.queued;
    state.queued = 0;
    state.head = null;
    state.tail = null;
    // Finished jobs waiting for order are dropped with the reorderer (never reused: it may be
    // in the middle of releasing). Running jobs are dropped when they settle.
    state.reorderer?.reset();
    state.reorderer = null;
    const held = state.inFlight - state.running;
    state.inFlight = state.running;
    if (state.abortable) for (const run of this.#runs) if (run.state === state) run.abort!.abort();
    this.#decreaseTotal(held);
    // Never leave a caller's reader paused for a key that no longer exists.
    if (wasPaused) this.#callPressure(state, false);
    return dropped;
  }

  #handlerFailed(state: KeyState<P, R, K>, error: unknown): void {
    if (!state.cancelled) {
      if (this.#keys.get(state.key) === state) this.#keys.delete(state.key);
      this.#cancelState(state);
    }
    const report = this.#o.onHandlerError;
    if (report !== undefined) report(state.key, error);
    else {
      process.emitWarning(error instanceof Error ? error : String(error), {
        code: 'IOCP_JOBPOOL_HANDLER_ERROR',
      });
    }
  }

  #freeJob(job: Job<P, R, K>): void {
    job.clear();
    if (this.#spareJobs.length < MAX_SPARE_JOBS) this.#spareJobs.push(job);
  }
}
