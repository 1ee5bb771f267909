/**
 * Shared by the baseline servers: `--listen HOST:PORT` (default 127.0.0.1:0), `listening
 * HOST:PORT` on stdout once bound, exit 0 on SIGINT/SIGTERM — the same contract as
 * apps/echo-server, so the harness drives both the same way.
 */
import { createServer } from 'node:net';

/** @param {(socket: import('node:net').Socket) => void} onConnection */
export function serve(onConnection) {
  const i = process.argv.indexOf('--listen');
  const listen = i >= 0 ? process.argv[i + 1] : '127.0.0.1:0';
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen ?? '');
  if (!m) {
    process.stderr.write(`baseline: bad --listen ${listen}\n`);
    process.exit(2);
  }
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  server.on('error', (error) => {
    process.stderr.write(`baseline: ${error.message}\n`);
    process.exit(1);
  });
  server.listen({ host: m[1], port: Number(m[2]), backlog: 4096 }, () => {
    const a = server.address();
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    process.stdout.write(`listening ${host}:${a.port}\n`);
  });
  const stop = () => {
    server.close();
    for (const s of sockets) s.destroy();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
