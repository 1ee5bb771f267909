/**
 * The scenarios of issue 4. Each names its stress flags, its server mode, the metric that
 * decides it, whether higher is better, and the target against the baseline of the same run.
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
 */

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

/** @type {Scenario[]} */
export const SCENARIOS = [
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
    metrics: [throughput({ kind: 'ratio-min', value: 1.0, text: '≥ 1.0×' }), mib],
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
    id: 'f',
    name: 'idle scale: 10,000 conns',
    mode: 'framed',
    kind: 'idle',
    stressArgs: () => ['--connections', '10000', '--depth', '0', '--after-open', '--duration', '2', '--connect-timeout', '20000'],
    metrics: [
      { key: 'rssPerConn', label: 'RSS B/conn', higherIsBetter: false, target: { kind: 'delta-max', value: 512, text: '≤ baseline + 512 B' } },
      { key: 'openMs', label: 'open ms', higherIsBetter: false, target: undefined },
    ],
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
