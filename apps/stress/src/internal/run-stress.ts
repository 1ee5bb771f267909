import { Worker } from 'node:worker_threads';
import { type Histogram, decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { EXIT_ERRORS, EXIT_MISMATCH, EXIT_OK } from '../errors.js';
import type { StressOptions } from '../stress-options.js';
import type { LatencySummary, StressSummary } from '../stress-summary.js';
import { type EngineConfig, type EngineResult, type MismatchReport, Progress } from './engine-types.js';
import { LoadEngine, newLatencyHistogram } from './load-engine.js';

/** A running stress test: live counters, a stop switch, and the final summary. */
export interface StressRun {
  /** One live progress array per engine (cumulative counters, see `Progress`). */
  readonly progress: readonly Float64Array[];
  /** Stop early (SIGINT): in-flight messages drain, then the summary resolves. */
  stop(): void;
  /** Resolves with the summary and the merged latency histogram. */
  readonly done: Promise<{ summary: StressSummary; latency: Histogram }>;
}

function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

/** Split the run over `threads` engines (connections, ramp and message budget proportionally). */
export function splitConfig(o: StressOptions): EngineConfig[] {
  const threads = Math.max(1, Math.min(o.threads, o.connections, o.messages > 0 ? o.messages : o.connections));
  const configs: EngineConfig[] = [];
  let base = 0;
  for (let i = 0; i < threads; i++) {
    const connections = share(o.connections, threads, i);
    configs.push({
      host: o.host,
      port: o.port,
      mode: o.mode,
      pattern: o.pattern,
      connections,
      connIdBase: base,
      rampPerSec: (o.rampPerSec * connections) / o.connections,
      depth: o.depth,
      ratePerSec: o.ratePerSec,
      perConn: o.perConn,
      sizeMin: o.sizeMin,
      sizeMax: o.sizeMax,
      durationMs: o.durationMs,
      messages: o.messages > 0 ? share(o.messages, threads, i) : 0,
      warmupMs: o.warmupMs,
      afterOpen: o.afterOpen,
      sources: o.sources,
      connectTimeoutMs: o.connectTimeoutMs,
      drainTimeoutMs: o.drainTimeoutMs,
      maxInflight: o.maxInflight,
      reconnect: o.reconnect,
    });
    base += connections;
  }
  return configs;
}

/** Start a stress run: one engine in this thread, or one per worker thread with `--threads`. */
export function startStress(options: StressOptions): StressRun {
  const configs = splitConfig(options);
  if (configs.length === 1) {
    const progress = new Float64Array(Progress.length);
    const engine = new LoadEngine(configs[0]!, progress);
    return {
      progress: [progress],
      stop: () => engine.stop(),
      done: engine.run().then((r) => summarize(options, configs.length, [r])),
    };
  }
  const progress: Float64Array[] = [];
  const workers: Worker[] = [];
  const results: Promise<EngineResult>[] = [];
  for (const config of configs) {
    const shared = new SharedArrayBuffer(Progress.length * 8);
    progress.push(new Float64Array(shared));
    const worker = new Worker(new URL('./worker-entry.js', import.meta.url), { workerData: { config, progress: shared } });
    workers.push(worker);
    results.push(
      new Promise((resolve, reject) => {
        let result: EngineResult | undefined;
        worker.on('message', (m: { type: string; result: EngineResult }) => {
          if (m.type === 'result') result = m.result;
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (result !== undefined) resolve(result);
          else reject(new Error(`stress worker exited with code ${code} before reporting`));
        });
      }),
    );
  }
  const all = Promise.all(results);
  all.catch(() => {
    for (const w of workers) void w.terminate();
  });
  return {
    progress,
    stop: () => {
      for (const w of workers) w.postMessage('stop');
    },
    done: all.then((rs) => summarize(options, configs.length, rs)),
  };
}

function latencySummary(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    min: h.minNonZeroValue,
    mean: Math.round(h.mean * 10) / 10,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}

/** Merge engine results into the summary and decide the exit code. */
export function summarize(o: StressOptions, threads: number, results: readonly EngineResult[]): { summary: StressSummary; latency: Histogram } {
  const cpu = process.cpuUsage();
  const latency = newLatencyHistogram();
  const connect = newLatencyHistogram();
  const byCode: Record<string, number> = {};
  let first: MismatchReport | null = null;
  const sum = (pick: (r: EngineResult) => number) => results.reduce((a, r) => a + pick(r), 0);
  let windowMs = 0;
  let openMs: number | null = 0;
  let doneMs: number | null = 0;
  for (const r of results) {
    latency.add(decodeFromCompressedBase64(r.latency));
    connect.add(decodeFromCompressedBase64(r.connectLatency));
    for (const [code, n] of Object.entries(r.errors)) byCode[code] = (byCode[code] ?? 0) + n;
    if (r.firstMismatch && (first === null || r.firstMismatch.atMs < first.atMs)) first = r.firstMismatch;
    windowMs = Math.max(windowMs, r.windowMs);
    openMs = r.openMs === null || openMs === null ? null : Math.max(openMs, r.openMs);
    doneMs = r.doneMs === null || doneMs === null ? null : Math.max(doneMs, r.doneMs);
  }
  const sec = windowMs / 1000;
  const rate = (n: number) => (sec > 0 ? n / sec : 0);
  const opened = sum((r) => r.opened);
  const failed = sum((r) => r.failed);
  const closedEarly = sum((r) => r.closedEarly);
  const mismatches = sum((r) => r.mismatches);
  const errorsTotal = failed + closedEarly;
  const short = o.pattern === 'short';
  const completed = sum((r) => r.shortDone);
  const exitCode = mismatches > 0 ? EXIT_MISMATCH : errorsTotal > o.maxErrors || opened === 0 ? EXIT_ERRORS : EXIT_OK;
  const summary: StressSummary = {
    target: o.target,
    mode: o.mode,
    pattern: o.pattern,
    config: {
      connections: o.connections,
      rampPerSec: o.rampPerSec,
      depth: o.depth,
      ratePerSec: o.ratePerSec,
      perConn: o.perConn,
      sizeMin: o.sizeMin,
      sizeMax: o.sizeMax,
      durationMs: o.durationMs,
      messages: o.messages,
      warmupMs: o.warmupMs,
      sources: o.sources,
      threads,
    },
    elapsedSec: Math.round(sec * 1000) / 1000,
    connections: {
      requested: o.connections,
      opened,
      failed,
      closedEarly,
      reconnects: sum((r) => r.reconnects),
      openMs: short || openMs === null ? null : Math.round(openMs * 10) / 10,
      doneMs: short || o.perConn === 0 || doneMs === null ? null : Math.round(doneMs * 10) / 10,
      completed,
      perSecond: short ? Math.round(rate(completed) * 10) / 10 : null,
    },
    messages: {
      sent: sum((r) => r.sent),
      received: sum((r) => r.received),
      total: sum((r) => r.answeredTotal),
      perSecond: Math.round(rate(sum((r) => r.receivedInWindow)) * 10) / 10,
      unanswered: sum((r) => r.unanswered),
      resent: sum((r) => r.resent),
      skipped: sum((r) => r.skipped),
    },
    bytes: {
      sent: sum((r) => r.bytesSent),
      received: sum((r) => r.bytesReceived),
      mibPerSecond: Math.round((rate(sum((r) => r.bytesReceivedInWindow)) / 1048576) * 1000) / 1000,
    },
    latencyUs: latencySummary(latency),
    connectLatencyUs: latencySummary(connect),
    errors: { total: errorsTotal, maxAllowed: o.maxErrors, byCode },
    mismatches: {
      count: mismatches,
      first: first && { connection: first.connection, offset: first.offset, expected: first.expected, actual: first.actual },
    },
    process: {
      cpuUserSec: Math.round(cpu.user / 1000) / 1000,
      cpuSystemSec: Math.round(cpu.system / 1000) / 1000,
      wallSec: Math.round(performance.now()) / 1000,
    },
    exitCode,
  };
  return { summary, latency };
}
