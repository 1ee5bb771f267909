import type { LatencySummary, StressSummary } from '../stress-summary.js';

function n(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function lat(l: LatencySummary): string {
  if (l.count === 0) return 'none recorded';
  return `p50 ${n(l.p50)}  p90 ${n(l.p90)}  p99 ${n(l.p99)}  p99.9 ${n(l.p999)}  max ${n(l.max)}  mean ${n(l.mean)}  (n=${n(l.count)})`;
}

function byte(b: number): string {
  return b < 0 ? 'none (extra byte)' : `0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * `ok`, `MISMATCH`, `ERRORS` (over `--max-errors`, or nothing connected), or `FAILED` (exit 1
 * for another reason, such as an unwritable `--hgrm` file, reported on stderr).
 */
function resultLabel(s: StressSummary): string {
  if (s.exitCode === 0) return 'ok';
  if (s.exitCode === 3) return 'MISMATCH';
  const connectionErrors = s.errors.total > s.errors.maxAllowed || (s.connections.opened === 0 && s.connections.requested > 0);
  return connectionErrors ? 'ERRORS' : 'FAILED';
}

/** The human-readable end-of-run report (stdout without `--json`). */
export function formatSummary(s: StressSummary): string {
  const c = s.config;
  const size = c.sizeMin === c.sizeMax ? `${c.sizeMin} B` : `${c.sizeMin}-${c.sizeMax} B`;
  const load =
    s.pattern === 'timed'
      ? `rate ${n(c.ratePerSec)}/s per connection`
      : s.pattern === 'short'
        ? `short, ${c.perConn} per connection, depth ${c.depth}`
        : c.perConn > 0
          ? `depth ${c.depth}, ${c.perConn} per connection then idle`
          : `depth ${c.depth}`;
  const from = c.sources.length === 0 ? '' : `  from ${c.sources.length === 1 ? c.sources[0] : `${c.sources.length} source addresses`}`;
  const conns = s.connections;
  const lines = [
    `stress ${s.target}  ${s.mode}  ${s.connections.requested} connections${from}  ${load}  size ${size}  threads ${c.threads}  ${s.elapsedSec.toFixed(2)} s measured`,
    `connections  opened ${n(conns.opened)}  failed ${n(conns.failed)}  closed early ${n(conns.closedEarly)}` +
      (conns.openMs === null ? '' : conns.opened === 0 ? '  none opened' : `  all open in ${n(conns.openMs)} ms`) +
      (conns.doneMs === null || conns.opened === 0 ? '' : `  all idle after ${n(conns.doneMs)} ms`) +
      (conns.perSecond !== null ? `  completed ${n(conns.completed)}  ${n(conns.perSecond)} conn/s` : '') +
      (conns.reconnects > 0 ? `  reconnects ${n(conns.reconnects)}` : ''),
    `messages     sent ${n(s.messages.sent)}  received ${n(s.messages.received)}  ${n(s.messages.perSecond)} msg/s` +
      (s.messages.unanswered > 0 ? `  unanswered ${n(s.messages.unanswered)}` : '') +
      (s.messages.resent > 0 ? `  resent ${n(s.messages.resent)}` : '') +
      (s.messages.skipped > 0 ? `  skipped ${n(s.messages.skipped)}` : ''),
    `throughput   ${s.bytes.mibPerSecond.toFixed(2)} MiB/s received  (${n(s.bytes.received)} bytes verified)`,
    `latency us   ${lat(s.latencyUs)}`,
    `connect us   ${lat(s.connectLatencyUs)}`,
    `errors       ${n(s.errors.total)} (max ${n(s.errors.maxAllowed)})` +
      Object.entries(s.errors.byCode)
        .map(([code, k]) => `  ${code} ${n(k)}`)
        .join(''),
    `mismatches   ${n(s.mismatches.count)}` +
      (s.mismatches.first
        ? `  first: connection ${s.mismatches.first.connection} offset ${s.mismatches.first.offset} expected ${byte(s.mismatches.first.expected)} got ${byte(s.mismatches.first.actual)}`
        : ''),
    `result       ${resultLabel(s)} (exit ${s.exitCode})`,
  ];
  return `${lines.join('\n')}\n`;
}
