/**
 * The pure parts of the soak: chaos periods for a run length, and the verdict on samples.
 */

/** Growth tolerance from the first third of the run to the last: RSS. */
export const RSS_TOLERANCE = { factor: 1.5, plusBytes: 48 * 1024 * 1024 };
/** Growth tolerance from the first third of the run to the last: open handles. */
export const HANDLES_TOLERANCE = { factor: 1.5, plus: 50 };

/**
 * Chaos periods for a run of `minutes`: a worker kill every minute, a file-server SIGSTOP every
 * minute (half a period later, for 3 s) — scaled down for short runs so that even a one-minute
 * run sees each fault at least three times.
 */
export function chaosPlan(minutes) {
  const runMs = minutes * 60_000;
  const periodMs = Math.max(5_000, Math.min(60_000, Math.floor(runMs / 4)));
  return { runMs, killEveryMs: periodMs, stopEveryMs: periodMs, stopForMs: Math.min(3_000, Math.floor(periodMs / 3)) };
}

function mean(values) {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Compare the first and the last third of a series of samples (`{ t, value }`): growth beyond
 * `value_first * factor + plus` fails. Fewer than 6 samples: not judged (too short to tell).
 */
export function growth(samples, factor, plus) {
  if (samples.length < 6) return { judged: false, first: Number.NaN, last: Number.NaN, limit: Number.NaN, ok: true };
  const third = Math.floor(samples.length / 3);
  const first = mean(samples.slice(0, third).map((s) => s.value));
  const last = mean(samples.slice(samples.length - third).map((s) => s.value));
  const limit = first * factor + plus;
  return { judged: true, first, last, limit, ok: last <= limit };
}

/** Every failed check of a finished soak, as one-line reasons (empty: pass). */
export function failures(result) {
  const out = [];
  if (result.echoMismatches > 0) out.push(`${result.echoMismatches} echo mismatch(es)`);
  if (result.filesCorrupted > 0) out.push(`${result.filesCorrupted} corrupted file(s)`);
  if (result.filesLost > 0) out.push(`${result.filesLost} lost file(s)`);
  for (const c of result.primaryCrashes) out.push(`crash: ${c}`);
  for (const [name, g] of Object.entries(result.growth)) {
    if (!g.ok) out.push(`${name} grew from ${g.first.toFixed(0)} to ${g.last.toFixed(0)} (limit ${g.limit.toFixed(0)})`);
  }
  for (const name of result.stuckLoops ?? []) out.push(`the ${name} loop hung past the end of the run`);
  if (result.okEchoes === 0) out.push('no echo succeeded');
  if (result.filesVerified === 0) out.push('no file transfer was verified');
  return out;
}
