#!/usr/bin/env node
/**
 * Baseline: plain node:net framed echo (4-byte big-endian length + payload) written the obvious
 * good way — parse each chunk, write every complete frame back as a `subarray` view (no copy),
 * cork/uncork around each chunk so its frames leave in one writev, pause reading when the write
 * buffer is full and resume on 'drain'. Partial frames are collected as a chunk list and
 * concatenated once, when the whole frame is there. Frames over 16 MiB close the connection.
 * Usage: node net-framed-echo.js [--listen HOST:PORT]
 */
import { serve } from './listen-arg.js';

const MAX_FRAME = 16 * 1024 * 1024;

serve((socket) => {
  socket.setNoDelay(true);
  /** @type {Buffer[]} */
  let chunks = [];
  let buffered = 0;
  let need = 4;

  socket.on('data', (chunk) => {
    let buf = chunk;
    if (buffered > 0) {
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered < need) return;
      buf = Buffer.concat(chunks, buffered);
      chunks = [];
      buffered = 0;
    }
    let off = 0;
    let ok = true;
    socket.cork();
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (len > MAX_FRAME) {
        socket.destroy();
        return;
      }
      if (buf.length - off < 4 + len) break;
      ok = socket.write(buf.subarray(off, off + 4 + len));
      off += 4 + len;
    }
    socket.uncork();
    if (off < buf.length) {
      const rest = buf.subarray(off);
      chunks = [rest];
      buffered = rest.length;
      need = rest.length >= 4 ? 4 + rest.readUInt32BE(0) : 4;
    } else {
      need = 4;
    }
    if (!ok) socket.pause();
  });
  socket.on('drain', () => socket.resume());
});
