/**
 * Token bucket for the accept rate: `ratePerSecond` tokens per second, holding at most
 * `burst` tokens. Refilled lazily from a monotonic clock when a token is asked for.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Take one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.clock();
    const elapsed = now - this.last;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
