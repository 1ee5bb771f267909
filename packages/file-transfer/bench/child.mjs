// Server side of the benchmark, in its own process (as in production): either the file server
// or a minimal raw node:net pipe. Prints "ready PORT" and, on "stats" from stdin, its peak RSS.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as net from 'node:net';
import { FileServer } from '../dist/index.js';

const [mode, arg] = process.argv.slice(2);
let peakRss = 0;
let cpuMark = process.cpuUsage();
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
setInterval(sample, 50).unref();
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  for (const line of d.split('\n')) {
    if (line === 'stats') {
      sample();
      const cpu = process.cpuUsage(cpuMark);
      cpuMark = process.cpuUsage();
      process.stdout.write(`rss ${peakRss} cpu ${cpu.user + cpu.system}\n`);
      peakRss = 0;
    } else if (line === 'exit') process.exit(0);
  }
});

if (mode === 'file-server') {
  const server = new FileServer({ root: arg, partialTtlMs: 0 });
  const l = await server.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`ready ${l.port}\n`);
} else if (mode === 'raw-sink' || mode === 'raw-hash-sink') {
  // Upload baseline: bytes from the socket straight into a file (hashed on the way in the
  // -hash variant: the cost of SHA-256 alone, with none of the protocol).
  const hashing = mode === 'raw-hash-sink';
  const srv = net.createServer((s) => {
    const h = createHash('sha256');
    if (hashing) s.on('data', (d) => h.update(d));
    s.pipe(createWriteStream(arg));
  });
  srv.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${srv.address().port}\n`));
} else if (mode === 'raw-source') {
  // Download baseline: a file straight into the socket.
  const srv = net.createServer((s) => createReadStream(arg, { highWaterMark: 256 * 1024 }).pipe(s));
  srv.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${srv.address().port}\n`));
}
