/**
 * The scenarios of issue 4 (d1, f0 and f1 from "Transport data path v2"). Each names its stress
 * flags, its server mode, the metric that decides it, whether higher is better, and the target
 * against the baseline of the same run. Ids are stable: they key the json/md/svg output.
 */

/**
 * @typedef {object} Metric
 * @property {string} key      field of a run record
 * @property {string} label    for the table
 * @property {boolean} higherIsBetter
 * @property {{ kind: 'ratio-min' | 'ratio-max' | 'delta-max', value: number, text: string } | undefined} target
 */

/**
 * @typedef {object} Scenario
 * @property {string} id
 * @property {string} name
 * @property {'framed' | 'raw'} mode
 * @property {(durationS: number) => string[]} stressArgs
 * @property {Metric[]} metrics
 * @property {'load' | 'idle' | 'churn'} kind
 * @property {number} [maxDurationS]  cap on `--duration` for this scenario (keeps the suite short)
 * @property {number} [connections]   idle: connections that must all open
 * @property {number} [idleSampleMs]  idle: sample the server's RSS this long after it holds all
 *                                    `connections` (the echoes are back, the connections idle)
 */

/** f1's settle: the idle RSS sample is taken this long after the server holds every connection. */
export const IDLE_SETTLE_MS = 1000;

const throughput = (target) => ({ key: 'msgsPerSec', label: 'msg/s', higherIsBetter: true, target });
const mib = { key: 'mibPerSec', label: 'MiB/s', higherIsBetter: true, target: undefined };
const p99 = (target) => ({ key: 'p99Us', label: 'p99 µs', higherIsBetter: false, target });
const dense = (connections, depth, size, mode = 'framed') => (d) => [
  '--mode',
  mode,
  '--connections',
  String(connections),
  '--depth',
  String(depth),
  '--size',
  String(size),
  '--warmup',
  '1',
  '--duration',
  String(d),
];

const rssPerConn = { key: 'rssPerConn', label: 'RSS B/conn', higherIsBetter: false, target: { kind: 'ratio-max', value: 1.0, text: '≤ 1.0×' } };
const openMs = { key: 'openMs', label: 'open ms', higherIsBetter: false, target: undefined };

/**
 * The scenario list; `idleConnections` (default 10,000) sizes f0 and f1 — smaller for a quick
 * check on a machine with a low `ulimit -n`.
 * @param {{ idleConnections?: number }} [options]
 * @returns {Scenario[]}
 */
export function scenarioSet({ idleConnections = 10_000 } = {}) {
  const n = idleConnections;
  const count = n.toLocaleString('en-US');
  return [
    {
      id: 'a',
      name: 'ping-pong: 1 conn, depth 1, 64 B',
      mode: 'framed',
      kind: 'load',
      stressArgs: dense(1, 1, 64),
      metrics: [throughput(undefined), p99({ kind: 'ratio-max', value: 1.1, text: 'p99 ≤ 1.1×' })],
    },
    {
      id: 'b',
      name: 'small: 100 conns, depth 16, 64 B',
      mode: 'framed',
      kind: 'load',
      stressArgs: dense(100, 16, 64),
      metrics: [throughput({ kind: 'ratio-min', value: 1.2, text: '≥ 1.2×' }), p99(undefined)],
    },
    {
      id: 'c',
      name: 'medium: 50 conns, depth 4, 4 KiB',
      mode: 'framed',
      kind: 'load',
      stressArgs: dense(50, 4, 4096),
      metrics: [throughput({ kind: 'ratio-min', value: 2.0, text: '≥ 2.0×' }), mib],
    },
    {
      id: 'd',
      name: 'bulk: 1 conn, depth 4, 1 MiB',
      mode: 'framed',
      kind: 'load',
      stressArgs: dense(1, 4, 1048576),
      metrics: [throughput({ kind: 'ratio-min', value: 1.5, text: '≥ 1.5×' }), mib],
    },
    {
      id: 'd1',
      name: 'bulk at depth 1: 1 conn, depth 1, 1 MiB',
      mode: 'framed',
      kind: 'load',
      stressArgs: dense(1, 1, 1048576),
      maxDurationS: 2,
      metrics: [throughput(undefined), mib],
    },
    {
      id: 'e',
      name: 'raw small: 100 conns, depth 16, 64 B, raw',
      mode: 'raw',
      kind: 'load',
      stressArgs: dense(100, 16, 64, 'raw'),
      metrics: [throughput({ kind: 'ratio-min', value: 1.0, text: '≥ 1.0×' }), p99(undefined)],
    },
    {
      id: 'f0',
      name: `idle scale, never sent: ${count} conns`,
      mode: 'framed',
      kind: 'idle',
      connections: n,
      stressArgs: () => ['--connections', String(n), '--depth', '0', '--after-open', '--duration', '2', '--connect-timeout', '20000'],
      metrics: [rssPerConn, openMs],
    },
    {
      id: 'f1',
      name: `idle scale, after one echo: ${count} conns`,
      mode: 'framed',
      kind: 'idle',
      connections: n,
      idleSampleMs: IDLE_SETTLE_MS,
      stressArgs: () => [
        '--connections',
        String(n),
        '--depth',
        '1',
        '--per-conn',
        '1',
        '--size',
        '64',
        '--after-open',
        '--duration',
        '3',
        '--connect-timeout',
        '20000',
      ],
      metrics: [rssPerConn, { ...rssPerConn, key: 'idleRssPerConn', label: 'idle RSS B/conn' }, openMs],
    },
    {
      id: 'g',
      name: 'churn: short conns, 1 message each',
      mode: 'framed',
      kind: 'churn',
      stressArgs: (d) => ['--short', '--per-conn', '1', '--connections', '8', '--warmup', '1', '--duration', String(d)],
      metrics: [{ key: 'connsPerSec', label: 'conn/s', higherIsBetter: true, target: { kind: 'ratio-min', value: 0.9, text: '≥ 0.9×' } }],
    },
    {
      id: 'h',
      name: 'jobs: --jobs 2 --job-cost-us 100 vs --jobs 0 (10 conns, depth 8, 64 B)',
      mode: 'framed',
      kind: 'load',
      stressArgs: dense(10, 8, 64),
      metrics: [throughput(undefined), p99(undefined)],
    },
  ];
}

/** The default set (10,000 idle connections in f0 and f1). */
export const SCENARIOS = scenarioSet();
