#!/usr/bin/env node
// The README's first command: `npx -y pnpm@9.15.9 demo` (builds, then runs this file).
//
// Starts two echo servers on free loopback ports (framed with a Prometheus endpoint, and raw),
// runs the echo client against each, prints the server's metrics, stops both servers with
// SIGTERM and checks they exited 0. Exits non-zero if any step fails. Everything it starts is
// stopped by PID before it exits; the whole run is bounded by DEADLINE_MS.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_BIN = `${ROOT}apps/echo-server/bin/echo-server.js`;
const CLIENT_BIN = `${ROOT}apps/echo-client/bin/echo-client.js`;
const DEADLINE_MS = 20_000;
const STEP_TIMEOUT_MS = 10_000;

const started = Date.now();
const servers = [];
let failures = 0;

const say = (line = '') => process.stdout.write(`${line}\n`);
const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => `    ${l}`)
    .join('\n');

function check(ok, what) {
  say(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

/** Start an echo server; resolve with its listening/metrics addresses once it printed them. */
function startServer(label, args) {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { label, child, stdout: '', stderr: '', listening: [], metrics: undefined };
  servers.push(server);
  server.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  child.stderr.setEncoding('utf8').on('data', (c) => {
    server.stderr += c;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: not ready within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (c) => {
      server.stdout += c;
      const lines = server.stdout.split('\n');
      server.listening = lines.filter((l) => l.startsWith('listening ')).map((l) => l.slice('listening '.length));
      server.metrics = lines.find((l) => l.startsWith('metrics '))?.slice('metrics '.length);
      if (server.listening.length > 0 && (server.metrics !== undefined || !args.includes('--metrics'))) {
        clearTimeout(timer);
        resolve(server);
      }
    });
    server.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready: ${server.stderr.trim()}`));
    });
  });
}

/** Run the echo client to completion; resolve with its exit code and output. */
function runClient(args, input) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLIENT_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: STEP_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c) => {
      stderr += c;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const shellQuote = (arg) => (/^[\w@%+=:,./[\]-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

async function clientStep(title, args, expectedLines, input) {
  say(`\n$ echo-client ${args.map(shellQuote).join(' ')}${input === undefined ? '' : `   (${expectedLines.length} lines on stdin)`}`);
  const r = await runClient(args, input);
  if (input === undefined) say(indent(r.stdout));
  else say(`    … ${r.stdout.split('\n').filter(Boolean).length} echoes printed`);
  if (r.stderr.trim()) say(indent(r.stderr));
  check(r.code === 0, `${title}: client exit code ${r.code}`);
  check(r.stdout === expectedLines.map((l) => `${l}\n`).join(''), `${title}: every echo printed and equal to what was sent`);
}

/** A bad peer: announce a frame over the limit; resolve with how the server answered. */
function oversizedHeader(address) {
  const [, host, port] = /^\[?(.*?)\]?:(\d+)$/.exec(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff])));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept a peer that announced a 4 GiB frame'));
    }, STEP_TIMEOUT_MS);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed by the server');
    });
  });
}

async function fetchMetrics(address) {
  const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return res.text();
}

async function main() {
  say('iocp-kit demo: echo server + echo client over @iocp/transport\n');

  const framed = await startServer('framed server', ['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0']);
  say(`framed server: listening ${framed.listening.join(', ')}   metrics http://${framed.metrics}/metrics`);
  const rawServer = await startServer('raw server', ['--mode', 'raw', '--listen', '127.0.0.1:0']);
  say(`raw server:    listening ${rawServer.listening.join(', ')}`);

  const messages = ['hello', 'iocp-kit', 'frames survive any chunking ✓'];
  await clientStep('framed', ['--server', framed.listening[0], ...messages], messages);
  await clientStep('raw', ['--server', rawServer.listening[0], '--mode', 'raw', ...messages], messages);
  say('\na bad peer announces a 4 GiB frame (header ff ff ff ff; --max-frame is 16 MiB):');
  say(`    ${await oversizedHeader(framed.listening[0])}`);
  await clientStep('framed, after the bad peer', ['--server', framed.listening[0], 'still serving'], ['still serving']);

  const lines = Array.from({ length: 200 }, (_, i) => `line ${i + 1} ${'x'.repeat(i)}`);
  await clientStep('framed, stdin', ['--server', framed.listening[0]], lines, `${lines.join('\n')}\n`);

  const text = await fetchMetrics(framed.metrics);
  say(`\nframed server metrics (GET http://${framed.metrics}/metrics, iocp_* series with a value > 0):`);
  const series = text.split('\n').filter((l) => l.startsWith('iocp_') && !/ 0$/.test(l));
  say(indent(series.join('\n')));
  const value = (name) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);
  const frames = messages.length + 1 + lines.length;
  check(value('iocp_connections_accepted_total') === 4, 'metrics: 4 connections accepted (3 clients, 1 bad peer)');
  check(value('iocp_connections_closed_total{reason="frame-too-long"}') === 1, 'metrics: 1 closed for frame-too-long');
  check(value('iocp_received_messages_total') === frames, `metrics: ${frames} frames received`);
  check(value('iocp_sent_messages_total') === frames, `metrics: ${frames} frames echoed`);

  say('\nstopping both servers with SIGTERM');
  for (const s of servers) s.child.kill('SIGTERM');
  for (const s of servers) {
    const code = await s.exited;
    check(code === 0, `${s.label} exited with ${code}`);
  }
}

const deadline = setTimeout(() => {
  say(`\nFAIL demo did not finish within ${DEADLINE_MS / 1000} s`);
  for (const s of servers) s.child.kill('SIGKILL');
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

main()
  .catch((error) => {
    say(`\nFAIL ${error.message}`);
    failures++;
  })
  .finally(() => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    say(failures === 0 ? `\ndemo passed in ${secs} s` : `\ndemo FAILED (${failures} check(s)) after ${secs} s`);
    process.exit(failures === 0 ? 0 : 1);
  });
