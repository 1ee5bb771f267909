import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_BIN, SERVER_BIN, run, startServer } from '../support/processes.js';
import { cleanup, socketTo } from '../support/sockets.js';
import { eventually, framedEcho, metricValue, scrape } from '../support/wire.js';

afterEach(cleanup);

describe('echo-server --workers (node:cluster)', () => {
  it('--workers 2 prints each listening line once and spreads connections over two processes', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--workers', '2', '--log-level', 'debug', '--metrics', '127.0.0.1:0', '--max-buffered', '32m']);
    const primaryPid = server.child.pid;
    for (let i = 0; i < 6; i++) {
      const s = await socketTo(server.listening[0]!);
      expect((await framedEcho(s, Buffer.from(`conn ${i}`))).toString()).toBe(`conn ${i}`);
    }
    const pids = await eventually(() => {
      const opens = server
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"connection open"'))
        .map((l) => (JSON.parse(l) as { pid: number }).pid);
      return opens.length >= 6 ? new Set(opens) : undefined;
    });
    expect(pids.size).toBe(2);
    expect(pids.has(primaryPid!)).toBe(false);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_accepted_total') === 6 ? t : undefined;
    });
    expect(metricValue(text, 'iocp_connections')).toBe(6); // summed over both workers
    // --max-buffered is per process: the budgets add up; health series come through the aggregation
    expect(metricValue(text, 'iocp_memory_budget_bytes')).toBe(2 * 32 * 1024 * 1024);
    expect(metricValue(text, 'iocp_memory_pressure')).toBe(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^nodejs_active_handles_total \d/m);
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.stdout()).toBe(`listening ${server.listening[0]}\nmetrics ${server.metrics}\n`);
  });

  it('replaces a worker that dies while serving; the listening line is not printed again', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--workers', '2']);
    const readyWorkers = (): number[] =>
      server
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"role":"worker"') && l.includes('"echo server ready"'))
        .map((l) => (JSON.parse(l) as { pid: number }).pid);
    const [victim] = await eventually(() => (readyWorkers().length >= 2 ? readyWorkers() : undefined));
    process.kill(victim!, 'SIGKILL'); // a worker of the server this test started
    const replaced = await eventually(() => (readyWorkers().length >= 3 ? readyWorkers() : undefined));
    expect(replaced[2]).not.toBe(victim);
    expect(server.stderr()).toContain('"worker died"');
    for (let i = 0; i < 2; i++) {
      const r = await run(CLIENT_BIN, ['--server', server.listening[0]!, `after crash ${i}`]);
      expect(r).toMatchObject({ code: 0, stdout: `after crash ${i}\n` });
    }
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.stdout()).toBe(`listening ${server.listening[0]}\n`);
  });

  it('Ctrl-C (SIGINT to the whole process group) drains every worker once and exits 0', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--workers', '2'], 1, { ownProcessGroup: true });
    const s = await socketTo(server.listening[0]!);
    expect((await framedEcho(s, Buffer.from('before ctrl-c'))).toString()).toBe('before ctrl-c');
    process.kill(-server.child.pid!, 'SIGINT'); // the group of the server this test started: primary and its workers
    expect(await server.exited).toBe(0);
    const stops = server.stderr().split('\n').filter((l) => l.includes('"worker stopped"'));
    expect(stops).toHaveLength(2);
  });

  it('SIGTERM while the workers are still starting: exit 0, nothing printed, no worker left behind', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [SERVER_BIN, '--listen', '127.0.0.1:0', '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const forked = await eventually(() => stderr.split('\n').find((l) => l.includes('"workers forked"')));
      const workers = (JSON.parse(forked) as { workers: number[] }).workers;
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toBe('');
      for (const pid of workers) {
        await eventually(() => {
          try {
            process.kill(pid, 0); // probe only: is the worker still alive?
            return undefined;
          } catch {
            return true;
          }
        });
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
