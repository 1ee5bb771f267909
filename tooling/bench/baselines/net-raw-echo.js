#!/usr/bin/env node
/**
 * Baseline: plain node:net raw echo written the obvious good way — every chunk is written
 * straight back; when the socket's write buffer is full, reading pauses until 'drain'.
 * Usage: node net-raw-echo.js [--listen HOST:PORT]
 */
import { serve } from './listen-arg.js';

serve((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => {
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
});
