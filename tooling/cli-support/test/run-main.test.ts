import { describe, expect, it } from 'vitest';
import { CliError, type MainProcess, UsageError, runMain } from '../src/index.js';

function fakeProcess(): MainProcess & { stderr: string; exited: number[]; exitCode: number | undefined } {
  const p = {
    stderr: '',
    exited: [] as number[],
    exitCode: undefined as number | undefined,
    writeErr(text: string) {
      p.stderr += text;
    },
    exit(code: number) {
      p.exited.push(code);
    },
    setExitCode(code: number) {
      p.exitCode = code;
    },
  };
  return p;
}

describe('runMain', () => {
  it('a returned number sets the exit code, or exits at once with exitOnReturn', async () => {
    const natural = fakeProcess();
    await runMain('app', async () => 3, { process: natural });
    expect(natural).toMatchObject({ exitCode: 3, exited: [], stderr: '' });
    const forced = fakeProcess();
    await runMain('app', async () => 0, { process: forced, exitOnReturn: true });
    expect(forced).toMatchObject({ exitCode: 0, exited: [0], stderr: '' });
  });

  it('exits only after flush resolved (output to a slow pipe is not cut short)', async () => {
    for (const fail of [false, true]) {
      const p = fakeProcess();
      let release!: () => void;
      const flushed = new Promise<void>((resolve) => {
        release = resolve;
      });
      const flush = { calls: 0 };
      const run = runMain(
        'app',
        async () => {
          if (fail) throw new UsageError('bad');
          return 0;
        },
        { process: { ...p, exit: (c) => p.exit(c), setExitCode: (c) => p.setExitCode(c), writeErr: (t) => p.writeErr(t), flush: () => {
              flush.calls++;
              return flushed;
            } }, exitOnReturn: true },
      );
      while (flush.calls === 0) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20)); // exit must still not have happened
      expect(flush.calls).toBe(1);
      expect(p.exited).toEqual([]);
      release();
      await run;
      expect(p.exited).toEqual([fail ? 2 : 0]);
    }
  });

  it('undefined changes nothing (a server keeps serving)', async () => {
    const p = fakeProcess();
    await runMain('app', async () => undefined, { process: p, exitOnReturn: true });
    expect(p).toMatchObject({ exitCode: undefined, exited: [], stderr: '' });
  });

  it('a rejection prints one coded line and exits with the error exit code', async () => {
    const usage = fakeProcess();
    await runMain(
      'file-client',
      async () => {
        throw new UsageError('a command is required');
      },
      { process: usage },
    );
    expect(usage.stderr).toBe('file-client: IOCP_ERR_USAGE: a command is required\n');
    expect(usage.exited).toEqual([2]);

    const own = fakeProcess();
    await runMain(
      'echo-client',
      async () => {
        throw new CliError('IOCP_ERR_ECHO_MISMATCH', 'echo differs', 1);
      },
      { process: own },
    );
    expect(own).toMatchObject({ stderr: 'echo-client: IOCP_ERR_ECHO_MISMATCH: echo differs\n', exited: [1] });

    const library = fakeProcess();
    await runMain(
      'file-server',
      async () => {
        throw Object.assign(new Error('root missing\nsecond line'), { code: 'IOCP_ERR_FT_NOT_FOUND' });
      },
      { process: library },
    );
    expect(library).toMatchObject({ stderr: 'file-server: IOCP_ERR_FT_NOT_FOUND: root missing second line\n', exited: [1] });
  });

  it('a synchronous throw inside main is handled the same way', async () => {
    const p = fakeProcess();
    await runMain(
      'stress',
      () => {
        throw new TypeError('boom');
      },
      { process: p },
    );
    expect(p).toMatchObject({ stderr: 'stress: IOCP_ERR_INTERNAL: boom\n', exited: [1] });
  });
});
