import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzWorld, caseArb, createWorld, runCase, runCaseOverSocket, serverProperty } from './fuzz/server-fuzz.js';

/**
 * Protocol fuzzing of the file server (properties in `fuzz/server-fuzz.ts`). Seeded: a failure
 * prints the seed and the shrunk case; replay with FT_FUZZ_SEED=<seed>. The root `fuzz` script
 * runs far more cases (`test/fuzz/long-run.ts`).
 */
const SEED = Number(process.env.FT_FUZZ_SEED ?? 20261204);
const RUNS = Number(process.env.FT_FUZZ_RUNS ?? 2000);
const SOCKET_RUNS = Number(process.env.FT_FUZZ_SOCKET_RUNS ?? 100);

let world: FuzzWorld;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.close();
});

describe('file server protocol fuzzing (in-process session)', () => {
  it(`${RUNS} seeded cases of valid, mutated and truncated messages after HELLO/WELCOME keep every property`, async () => {
    await fc.assert(serverProperty(world), { seed: SEED, numRuns: RUNS, endOnFailure: false });
    expect(world.cases).toBeGreaterThanOrEqual(RUNS);
    const seen = Object.fromEntries([...world.seen].sort());
    console.log(`file-server fuzz: ${world.cases} cases (seed ${SEED}); server replies seen:`, seen);
    // The cases went deep: uploads published, downloads started, lists, and many kinds of refusal.
    expect(seen['type 0x13']).toBeGreaterThan(0); // PUT_DONE
    expect(seen['type 0x21']).toBeGreaterThan(0); // GET_READY
    expect(seen['type 0x42']).toBeGreaterThan(0); // LIST_END
    expect(seen.IOCP_ERR_FT_BAD_PATH).toBeGreaterThan(0);
    expect(seen.IOCP_ERR_FT_PROTOCOL).toBeGreaterThan(0);
    expect(seen['connection ended by the server']).toBeGreaterThan(0);
  }, 240_000);

  it('the generators reach deep: coherent uploads, hostile names, refusals and connection errors all occur', () => {
    const samples = fc.sample(caseArb, { seed: SEED, numRuns: 300 }).flat();
    const whats = new Set(samples.map((s) => (s.kind === 'frame' ? s.what.split(' ')[0]! : s.kind)));
    for (const w of ['valid', 'upload', 'request', 'await', 'mutated', 'truncated', 'extended', 'noise', 'tick', 'choke', 'drain']) expect(whats.has(w), w).toBe(true);
  });

  it('a broken property is caught (the harness can fail): a file planted outside the root', async () => {
    const { writeFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const planted = join(world.dir, 'planted.txt');
    await writeFile(planted, 'x');
    await expect(runCase(world, [])).rejects.toThrow(/files outside the root: planted.txt/);
    await rm(planted);
    await runCase(world, []);
  });
});

describe('file server protocol fuzzing (real server on loopback)', () => {
  it(`${SOCKET_RUNS} seeded cases over sockets: coded refusals, no lock or file left behind, a good client served alongside`, async () => {
    const w = await createWorld();
    try {
      const l = await w.server.listen({ host: '127.0.0.1', port: 0 });
      await fc.assert(
        fc.asyncProperty(caseArb, (steps) => runCaseOverSocket(w, l.port, steps)),
        { seed: SEED + 1, numRuns: SOCKET_RUNS, endOnFailure: false },
      );
      expect(w.cases).toBeGreaterThanOrEqual(SOCKET_RUNS);
    } finally {
      await w.close();
    }
  }, 240_000);
});
