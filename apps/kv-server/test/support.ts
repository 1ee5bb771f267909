import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SpawnedProcess, spawnNode, waitForLines } from '@iocp/cli-support/test-support';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built bin. */
export const KV_SERVER = path.resolve(here, '../bin/kv-server.js');
export const CERT = path.join(here, 'fixtures/cert.pem');
export const KEY = path.join(here, 'fixtures/key.pem');

/** Whether `tool` is on PATH. */
export function has(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A started kv-server and its first listening port. */
export interface Started {
  readonly server: SpawnedProcess;
  readonly port: number;
  readonly lines: string[];
}

/** Start kv-server (port 0 on 127.0.0.1 unless `args` has --listen) and wait for its listening line(s). */
export async function startKv(args: string[] = [], lines = 1): Promise<Started> {
  const listen = args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
  const server = spawnNode(KV_SERVER, [...listen, '--log-level', 'warn', ...args]);
  const got = await waitForLines(server, 'listening ', lines);
  const port = Number(/:(\d+)$/.exec(got[0] as string)?.[1]);
  return { server, port, lines: got };
}

/** Run redis-cli against `port`; resolves with stdout (stdin from `input` when given). */
export function redisCli(port: number, args: string[], input?: string | Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

/** redis-cli's output as text. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const r = await redisCli(port, args);
  return r.stdout.toString('utf8');
}
