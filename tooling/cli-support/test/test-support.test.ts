import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { killStarted, runNode, spawnNode, waitForLines, waitUntil } from '../src/test-support.js';

// The fixture imports the BUILT package (dist): this also checks runMain in a real process.
const FIXTURE = fileURLToPath(new URL('./fixtures/main-outcome.mjs', import.meta.url));

const execFileAsync = promisify(execFile);

afterEach(killStarted);

describe('runNode + runMain in a real process', () => {
  it('exit codes and the one coded stderr line', async () => {
    expect(await runNode(FIXTURE, ['0'])).toMatchObject({ code: 0, signal: null, stdout: '', stderr: '' });
    expect(await runNode(FIXTURE, ['3'])).toMatchObject({ code: 3, stderr: '' });
    expect(await runNode(FIXTURE, ['usage'])).toMatchObject({ code: 2, stderr: 'fixture: IOCP_ERR_USAGE: bad flag\n' });
    expect(await runNode(FIXTURE, ['crash'])).toMatchObject({ code: 1, stderr: 'fixture: IOCP_ERR_INTERNAL: boom\n' });
  });

  it('feeds input on stdin and passes env and cwd', async () => {
    expect(await runNode(FIXTURE, ['echo-stdin'], { input: 'from stdin\n' })).toMatchObject({ code: 0, stdout: 'listening from stdin\n' });
    const r = await runNode('-e', ['process.stdout.write(process.env.CS_TEST + " " + process.cwd())'], { env: { CS_TEST: 'yes' }, cwd: '/' });
    expect(r.stdout).toBe('yes /');
  });

  it('a reader that goes away (| head -1) ends the run quietly with exit 141, no EPIPE stack trace', async () => {
    // A shell pipe: head exits after one line, the fixture's next writes fail with EPIPE.
    const script = 'node "$FIXTURE" flood | head -1; echo "exit ${PIPESTATUS[0]}"';
    const { stdout, stderr } = await execFileAsync('bash', ['-c', script], { env: { ...process.env, FIXTURE }, timeout: 30_000 });
    expect({ stdout, stderr }).toEqual({ stdout: 'line 0\nexit 141\n', stderr: '' });
  });

  it('timeoutMs kills a process that does not end', async () => {
    const r = await runNode(FIXTURE, ['serve'], { timeoutMs: 500 });
    expect(r).toMatchObject({ code: null, signal: 'SIGKILL' });
  });
});

describe('spawnNode, waitForLines, killStarted', () => {
  it('waits for prefixed lines and kills what is still running', async () => {
    const p = spawnNode(FIXTURE, ['serve']);
    expect(await waitForLines(p, 'listening ', 2)).toEqual(['127.0.0.1:1', '[::1]:2']);
    expect(p.proc.exitCode).toBeNull();
    await killStarted();
    expect(await p.done).toMatchObject({ code: null, signal: 'SIGKILL' });
  });

  it('waitForLines rejects with stderr when the process exits first', async () => {
    const p = spawnNode(FIXTURE, ['usage']);
    await expect(waitForLines(p, 'listening ')).rejects.toThrow(/exited before printing 1 'listening ' line\(s\); stderr: fixture: IOCP_ERR_USAGE: bad flag/);
  });

  it('waitUntil resolves when the probe holds and rejects after the bound', async () => {
    let n = 0;
    await waitUntil(() => ++n >= 3);
    expect(n).toBe(3);
    await expect(waitUntil(async () => false, 30)).rejects.toThrow('condition not met in time');
  });
});
