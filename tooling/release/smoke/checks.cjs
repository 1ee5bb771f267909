// What a user of the packed packages does first, run from ESM (esm.mjs) and CommonJS (cjs.cjs)
// with the modules each loaded its own way. Only loopback, a temp folder, bounded waits.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const until = async (cond, what, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** @param libs { errors, framing, reorder, transport, jobpool, fileTransfer } as the caller loaded them */
async function run(libs) {
  const { errors, framing, reorder, transport, jobpool, fileTransfer } = libs;

  // One base class, one InvalidOptionError, whichever package it comes from.
  for (const [name, lib] of Object.entries(libs)) {
    assert.equal(lib.IocpError, errors.IocpError, `${name} re-exports IocpError`);
    assert.equal(lib.InvalidOptionError, errors.InvalidOptionError, `${name} re-exports InvalidOptionError`);
  }
  assert.throws(() => framing.lengthPrefixed({ maxFrameLength: -1 }), (e) => e instanceof errors.IocpError && e.code === 'IOCP_ERR_INVALID_OPTION');
  assert.throws(() => new transport.CompletionPort({ limitz: {} }), errors.InvalidOptionError);
  assert.ok(Object.keys(errors.ERROR_CODES).length > 40);

  // framing: encode, then decode across a split.
  const codec = framing.lengthPrefixed();
  const wire = framing.encode(codec.encoder, Buffer.from('hello'));
  const reader = new framing.FrameReader(codec.createDecoder());
  reader.push(wire.subarray(0, 3));
  assert.equal(reader.next(), undefined);
  reader.push(wire.subarray(3));
  assert.equal(reader.next().toString(), 'hello');

  // reorder: out-of-order pushes leave in order.
  const released = [];
  const r = new reorder.Reorderer({ onRelease: (item) => released.push(item), window: undefined });
  r.push(1, 'b');
  r.push(0, 'a');
  assert.deepEqual(released, ['a', 'b']);

  // transport: echo one frame over loopback.
  const port = new transport.CompletionPort({ limits: undefined });
  try {
    const listener = await port.listen({ host: '127.0.0.1', port: 0, codec }, { onMessage: (conn, frame) => void conn.send(frame) });
    const got = [];
    const conn = await port.connect({ host: '127.0.0.1', port: listener.port, codec, tls: undefined }, { onMessage: (_c, f) => void got.push(f.toString()) });
    conn.send(Buffer.from('ping'));
    await until(() => got.length === 1, 'the echo');
    assert.deepEqual(got, ['ping']);
    await assert.rejects(port.connect({ host: '127.0.0.1', port: 1, codec }, {}), (e) => e instanceof transport.TransportError && e instanceof errors.IocpError);
  } finally {
    await port.close({ drainMs: 100 });
  }

  // jobpool: the bundled echo worker (a worker thread loading the packed package).
  const results = [];
  const pool = new jobpool.JobPool({
    filename: jobpool.ECHO_WORKER_PATH,
    threads: 1,
    handler: { onResult: (_k, v) => results.push(Buffer.from(v).toString()), onError: (_k, e) => results.push(e) },
  });
  try {
    pool.submit('k', new Uint8Array(Buffer.from('job')));
    await until(() => results.length === 1, 'the job');
    assert.deepEqual(results, ['job']);
  } finally {
    await pool.close();
  }

  // file-transfer: listen + client put/get; an attached session leaves when it closes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-smoke-ft-'));
  try {
    const root = path.join(dir, 'root');
    fs.mkdirSync(root);
    const src = path.join(dir, 'src.txt');
    fs.writeFileSync(src, 'file body');
    const server = new fileTransfer.FileServer({ root, token: process.env.IOCP_SMOKE_UNSET_TOKEN });
    const listener = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = await fileTransfer.FileClient.connect({ host: '127.0.0.1', port: listener.port, token: undefined });
    await client.put(src, 'a/b.txt');
    assert.equal(fs.readFileSync(path.join(root, 'a', 'b.txt'), 'utf8'), 'file body');
    await client.get('a/b.txt', path.join(dir, 'copy.txt'));
    assert.equal(fs.readFileSync(path.join(dir, 'copy.txt'), 'utf8'), 'file body');
    await assert.rejects(client.stat('nope'), (e) => e instanceof fileTransfer.FileTransferError && e.code === 'IOCP_ERR_FT_NOT_FOUND');
    await client.close();
    await until(() => server.stats().connections === 0, 'the session to leave');
    await server.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { run };
