import { Progress } from './engine-types.js';

const PHASES = ['warmup', 'run', 'drain', 'done'];

/**
 * The live status line on a terminal: sums the engines' progress arrays twice a second and
 * rewrites one stderr line (rates from the difference to the previous sample).
 */
export class ProgressLine {
  private readonly arrays: readonly Float64Array[];
  private readonly out: NodeJS.WriteStream;
  private timer: NodeJS.Timeout | undefined;
  private readonly start = performance.now();
  private last = { t: performance.now(), received: 0, bytes: 0, short: 0 };

  constructor(arrays: readonly Float64Array[], out: NodeJS.WriteStream) {
    this.arrays = arrays;
    this.out = out;
  }

  /** Start redrawing every 500 ms. */
  begin(): void {
    this.timer = setInterval(() => this.draw(), 500);
    this.timer.unref();
  }

  /** Stop and erase the line. */
  end(): void {
    clearInterval(this.timer);
    this.out.write('\r\x1b[2K');
  }

  private sum(slot: number): number {
    let total = 0;
    for (const a of this.arrays) total += a[slot]!;
    return total;
  }

  private draw(): void {
    const now = performance.now();
    const received = this.sum(Progress.received);
    const bytes = this.sum(Progress.bytesReceived);
    const short = this.sum(Progress.shortDone);
    const dt = (now - this.last.t) / 1000;
    const phase = PHASES[Math.min(...this.arrays.map((a) => a[Progress.phase]!))] ?? '';
    const line =
      `${phase} ${((now - this.start) / 1000).toFixed(1)}s  open ${this.sum(Progress.open)}  failed ${this.sum(Progress.failed)}` +
      `  msgs ${received}  ${Math.round((received - this.last.received) / dt)}/s  ${((bytes - this.last.bytes) / dt / 1048576).toFixed(1)} MiB/s` +
      (short > 0 ? `  conn/s ${Math.round((short - this.last.short) / dt)}` : '') +
      `  errors ${this.sum(Progress.errors)}  mismatches ${this.sum(Progress.mismatches)}`;
    this.last = { t: now, received, bytes, short };
    this.out.write(`\r\x1b[2K${line}`);
  }
}
