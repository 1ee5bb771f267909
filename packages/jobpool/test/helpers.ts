import { fileURLToPath } from 'node:url';
import type { JobError, JobHandler, JobPool } from '../src/index.js';

export const JOBS = fileURLToPath(new URL('./fixtures/jobs.mjs', import.meta.url));
export const NO_DEFAULT = fileURLToPath(new URL('./fixtures/no-default.mjs', import.meta.url));

/** Payload understood by fixtures/jobs.mjs. */
export interface Op {
  op: 'echo' | 'spin' | 'sleep' | 'gate' | 'throw' | 'exit' | 'uncaught' | 'oom' | 'bytes';
  ms?: number;
  value?: unknown;
}

export type Event<K> =
  | { type: 'result'; key: K; value: unknown; seq: number }
  | { type: 'error'; key: K; error: JobError; seq: number }
  | { type: 'pressure'; key: K; paused: boolean };

/** A handler that records every call, with a way to wait for a condition. */
export class Recorder<K = unknown> implements JobHandler<unknown, K> {
  readonly events: Event<K>[] = [];
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  onResult(key: K, value: unknown, seq: number): void {
    this.events.push({ type: 'result', key, value, seq });
    this.#wake();
  }

  onError(key: K, error: JobError, seq: number): void {
    this.events.push({ type: 'error', key, error, seq });
    this.#wake();
  }

  onPressure(key: K, paused: boolean): void {
    this.events.push({ type: 'pressure', key, paused });
    this.#wake();
  }

  /** Results and errors of `key`, in delivery order. */
  deliveries(key: K): Event<K>[] {
    return this.events.filter((e) => e.key === key && e.type !== 'pressure');
  }

  /** Settles once `check()` holds (checked after every event, and every 10 ms). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setInterval(() => this.#wake(), 10);
      this.#waiters.push({
        check,
        resolve: () => {
          clearInterval(timer);
          resolve();
        },
      });
    });
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }
}

/** Close every pool created through `track`. */
export class Pools {
  readonly #pools: JobPool<never, never, never>[] = [];

  track<P, R, K>(pool: JobPool<P, R, K>): JobPool<P, R, K> {
    this.#pools.push(pool as unknown as JobPool<never, never, never>);
    return pool;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#pools.splice(0).map((p) => p.close({ force: true })));
  }
}

/** A gate for `{ op: 'gate' }` jobs: pass `workerData: { gate: g.buffer }`, then `g.open()`. */
export class Gate {
  readonly buffer = new SharedArrayBuffer(4);

  open(): void {
    Atomics.store(new Int32Array(this.buffer), 0, 1);
  }
}

/**
 * Let the current event-loop turn end: a pool dispatches the jobs submitted during a turn in a
 * `setImmediate`, which runs before this one.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
