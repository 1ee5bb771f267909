/**
 * Decode throughput of FrameReader + lengthPrefixed() against the loop people write by hand
 * (read a 4-byte big-endian length, `subarray`, `Buffer.concat` the leftover with the next
 * chunk), on the same bytes, in the same process, alternating A/B rounds; medians reported.
 *
 * Run: npx -y pnpm@9.15.9 --filter @iocp/framing bench
 */
import { type Codec, FrameReader, encode, lengthField, lengthPrefixed } from '../src/index.js';

const CHUNK = 64 * 1024;
const STREAM_BYTES = 8 * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const MIN_ROUND_MS = Number(process.env.BENCH_MIN_MS ?? 200);

const codec = lengthPrefixed();
/** The same wire format through the generic Netty-style decoder (no specialisation). */
const generic = lengthField({ initialBytesToStrip: 'header' });

/** [frame size, aligned chunks, codec under test] */
const CASES: Array<[number, boolean, Codec]> = [
  [64, true, codec],
  [1024, true, codec],
  [64, false, codec],
  [1024, false, codec],
  [64 * 1024, false, codec],
  [64, true, generic],
  [1024, true, generic],
];

/**
 * ~STREAM_BYTES of frames of `size` bytes, cut into separate chunks of 64 KiB, or (aligned) of
 * the largest whole number of frames that fits in 64 KiB, so that no frame crosses a chunk and
 * the comparison is the per-frame work alone.
 */
function makeStream(
  size: number,
  aligned: boolean,
): { chunks: Buffer[]; frames: number; bytes: number } {
  const payload = Buffer.alloc(size, 0x5a);
  const one = encode(codec.encoder, payload);
  const frames = Math.max(1, Math.floor(STREAM_BYTES / one.length));
  const wire = Buffer.alloc(frames * one.length);
  for (let i = 0; i < frames; i++) one.copy(wire, i * one.length);
  const chunks: Buffer[] = [];
  const step = aligned ? Math.floor(CHUNK / one.length) * one.length : CHUNK;
  for (let off = 0; off < wire.length; off += step) {
    chunks.push(Buffer.from(wire.subarray(off, Math.min(off + step, wire.length))));
  }
  return { chunks, frames, bytes: wire.length };
}

let sink = 0;

/** The hand-written baseline. */
function handLoop(chunks: readonly Buffer[]): number {
  let pending: Buffer | undefined;
  let frames = 0;
  for (let chunk of chunks) {
    if (pending !== undefined) {
      chunk = Buffer.concat([pending, chunk]);
      pending = undefined;
    }
    let off = 0;
    while (chunk.length - off >= 4) {
      const n = chunk.readUInt32BE(off);
      if (chunk.length - off - 4 < n) break;
      const frame = chunk.subarray(off + 4, off + 4 + n);
      sink += frame.length;
      frames++;
      off += 4 + n;
    }
    if (off < chunk.length) pending = chunk.subarray(off);
  }
  return frames;
}

let current: Codec = codec;

/** The same work with FrameReader over `current`. */
function readerLoop(chunks: readonly Buffer[]): number {
  const reader = new FrameReader(current.createDecoder());
  let frames = 0;
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let frame = reader.next(); frame !== undefined; frame = reader.next()) {
      sink += frame.length;
      frames++;
    }
  }
  reader.end();
  return frames;
}

/**
 * Repeat `fn` over the stream for at least MIN_ROUND_MS of CPU time; returns passes per
 * CPU-second. CPU time (process.cpuUsage) rather than wall time, because on a shared, busy
 * machine wall time mostly measures how long the process waited for a core.
 */
function round(fn: (c: readonly Buffer[]) => number, chunks: readonly Buffer[], expect: number): number {
  let passes = 0;
  const start = process.cpuUsage();
  let elapsed = 0;
  do {
    if (fn(chunks) !== expect) throw new Error('frame count mismatch');
    passes++;
    const used = process.cpuUsage(start);
    elapsed = (used.user + used.system) / 1000;
  } while (elapsed < MIN_ROUND_MS);
  return (passes * 1000) / elapsed;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const fmt = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0);

const rows: string[] = [];
for (const [size, aligned, c] of CASES) {
  current = c;
  const { chunks, frames, bytes } = makeStream(size, aligned);
  // Warm up both paths.
  for (let i = 0; i < 3; i++) {
    handLoop(chunks);
    readerLoop(chunks);
  }
  const hand: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which side goes first so drift on a busy machine hits both.
    let a: number;
    let b: number;
    if (r % 2 === 0) {
      a = round(handLoop, chunks, frames);
      b = round(readerLoop, chunks, frames);
    } else {
      b = round(readerLoop, chunks, frames);
      a = round(handLoop, chunks, frames);
    }
    hand.push(a);
    ours.push(b);
    ratios.push(b / a);
  }
  const h = median(hand);
  const o = median(ours);
  const where = aligned
    ? 'all inside chunks'
    : size + 4 <= CHUNK
      ? '64 KiB chunks, some cross'
      : 'every frame crosses chunks';
  rows.push(
    `| ${size >= 1024 ? `${size / 1024} KiB` : `${size} B`} (${where})${c === generic ? ', generic lengthField' : ''} | ${fmt(h * frames)} | ${(
      (h * bytes) / 1e6
    ).toFixed(0)} | ${fmt(o * frames)} | ${((o * bytes) / 1e6).toFixed(0)} | **${median(ratios).toFixed(2)}×** |`,
  );
}

console.log(
  `FrameReader + lengthPrefixed() (generic rows: lengthField({ initialBytesToStrip: 'header' }), same wire) vs hand loop — ${ROUNDS} alternating A/B rounds of ≥ ${MIN_ROUND_MS} ms CPU time each, medians; rates per CPU-second; 64 KiB chunks, ${STREAM_BYTES / 1024 / 1024} MiB per pass; node ${process.version}\n`,
);
console.log('| frame | hand loop frames/s | hand MB/s | FrameReader frames/s | FrameReader MB/s | ratio (median of rounds) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
if (sink === 0) console.log('');
