/**
 * The long protocol-fuzzing run of the file server (the root `fuzz` script):
 *
 *   npx -y pnpm@9.15.9 fuzz                      # 20,000 in-process cases + 1,000 over loopback, random seed
 *   npx -y pnpm@9.15.9 fuzz -- --runs 100000 --socket-runs 5000 --seed 42
 *
 * Prints the seed first (replay a failure with `--seed`; fast-check prints the shrunk case and
 * its path), then what the cases provoked, and exits 1 on a broken property. The properties are
 * in `server-fuzz.ts`; CI runs a seeded 2,000 + 100 of them (`test/server-fuzz.test.ts`).
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { caseArb, createWorld, runCaseOverSocket, serverProperty } from './server-fuzz.js';

// `pnpm fuzz -- --runs N` passes the `--` along.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    runs: { type: 'string', default: '20000' },
    'socket-runs': { type: 'string', default: '1000' },
    seed: { type: 'string' },
  },
});
const runs = Number(values.runs);
const socketRuns = Number(values['socket-runs']);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(runs) || runs < 0 || !Number.isSafeInteger(socketRuns) || socketRuns < 0 || !Number.isSafeInteger(seed)) {
  console.error('fuzz: --runs, --socket-runs and --seed take whole numbers');
  process.exit(2);
}
console.log(`file-server fuzz: seed ${seed}, ${runs} in-process cases, ${socketRuns} over loopback`);
const t0 = performance.now();
let failed = false;
const world = await createWorld();
try {
  await fc.assert(serverProperty(world), { seed, numRuns: runs, endOnFailure: false });
  console.log(`in-process: ${world.cases} cases passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const l = await world.server.listen({ host: '127.0.0.1', port: 0 });
  const before = world.cases;
  const t1 = performance.now();
  await fc.assert(
    fc.asyncProperty(caseArb, (steps) => runCaseOverSocket(world, l.port, steps)),
    { seed: seed + 1, numRuns: socketRuns, endOnFailure: false },
  );
  console.log(`loopback: ${world.cases - before} cases passed in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  console.log('server replies seen:', Object.fromEntries([...world.seen].sort()));
} catch (error) {
  failed = true;
  console.error(String((error as Error).message ?? error));
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) console.error('caused by:', cause instanceof Error ? (cause.stack ?? cause.message) : cause);
  console.error(`FAIL (seed ${seed}; replay: npx -y pnpm@9.15.9 fuzz -- --seed ${seed} --runs ${runs})`);
} finally {
  await world.close();
}
console.log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
