/**
 * Delay before reconnect attempt `attempt` (0-based): capped exponential backoff with "equal
 * jitter" — half the capped delay is fixed, the other half random — so a fleet of clients that
 * lost the same server does not come back in lock step, yet never retries instantly.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  const half = capped / 2;
  return Math.round(half + random() * half);
}
