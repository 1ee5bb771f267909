import { SingleBar } from 'cli-progress';
import type { TransferResult } from '@iocp/file-transfer';

/** Shows transfer progress: a bar on a terminal, nothing until the final line otherwise. */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A cli-progress bar on stderr when it is a TTY; a no-op otherwise. */
export function createProgress(label: string, tty: boolean): Progress {
  if (!tty) return { update() {}, stop() {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} bytes | {speed} MiB/s | eta {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  const started = performance.now();
  let running = false;
  // The bar hides the cursor and turns line wrap off; a Ctrl-C (or SIGTERM) that ended the
  // process with the bar on screen would leave the terminal that way. So while it is shown, a
  // signal stops the bar first, then ends the process by the same signal (the default action,
  // restored once no listener is left).
  const onSignal = (signal: NodeJS.Signals): void => {
    stop();
    process.kill(process.pid, signal);
  };
  function stop(): void {
    if (!running) return;
    running = false;
    bar.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return {
    update(done, total) {
      const secs = (performance.now() - started) / 1000;
      const speed = secs > 0 ? (done / 1048576 / secs).toFixed(1) : '0';
      if (!running) {
        bar.start(total, done, { speed });
        running = true;
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      } else bar.update(done, { speed });
    },
    stop,
  };
}

/** The plain final line: `NAME BYTES bytes SECONDS s MIBPS MiB/s sha256 HEX`. */
export function formatResult(r: TransferResult): string {
  const mibps = r.seconds > 0 ? r.transferred / 1048576 / r.seconds : 0;
  const resumed = r.resumedFrom > 0 ? ` resumed-from ${r.resumedFrom}` : '';
  return `${r.name} ${r.size} bytes ${r.seconds.toFixed(3)} s ${mibps.toFixed(1)} MiB/s sha256 ${r.sha256}${resumed}`;
}
