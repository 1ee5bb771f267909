/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function, as a share of
 * the busy (non-idle) time — the hot path the issue asks to show when a target is missed.
 */
import { readFileSync } from 'node:fs';

const IDLE = new Set(['(idle)', '(root)']);

/** Top `limit` functions by self time: `{ name, where, percent }`, plus the busy ms in total. */
export function topSelfTime(file, limit = 10) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let busy = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; charge the interval after it to sample i.
    const dt = timeDeltas[i + 1] ?? 0;
    const frame = byId.get(samples[i])?.callFrame;
    if (!frame || IDLE.has(frame.functionName)) continue;
    const where = frame.url ? `${frame.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}\u0000${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    busy += dt;
  }
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, us]) => {
      const [name, where] = key.split('\u0000');
      return { name, where, percent: busy > 0 ? Math.round((1000 * us) / busy) / 10 : 0 };
    });
  return { busyMs: Math.round(busy / 1000), top };
}
