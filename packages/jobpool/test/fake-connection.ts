import type { JobConnection } from '../src/index.js';

/** A connection double that records what the adapter does to it. */
export class FakeConnection implements JobConnection {
  readonly handle: number;
  open = true;
  writable = true;
  readonly sent: Uint8Array[] = [];
  readonly calls: string[] = [];
  destroyedWith: Error | undefined;

  constructor(handle: number) {
    this.handle = handle;
  }

  send(frame: Uint8Array): boolean {
    if (!this.open) return false;
    this.sent.push(frame);
    return true;
  }

  pause(): void {
    this.calls.push('pause');
  }

  resume(): void {
    this.calls.push('resume');
  }

  destroy(error?: Error): void {
    this.calls.push('destroy');
    this.destroyedWith = error;
    this.open = false;
  }
}

/** Poll until `check()` holds (bounded by the test timeout). */
export async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
