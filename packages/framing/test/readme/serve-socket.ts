import type { Socket } from 'node:net';
import { FrameReader, encode, lengthPrefixed } from '../../src/index.js';

const codec = lengthPrefixed({ maxFrameLength: 1 << 20 }); // 4-byte BE length, payload ≤ 1 MiB

export function serve(socket: Socket, handle: (frame: Buffer) => void): void {
  const reader = new FrameReader(codec.createDecoder()); // one reader per connection
  // A bad stream is one peer's problem: log its coded error and drop that socket. A framing
  // error that escapes an event handler would take the whole server down instead.
  const drop = (err: unknown) => {
    const { code, message } = err as { code?: string; message?: string };
    console.error(`${socket.remoteAddress}: ${code ?? 'error'}: ${message}`); // IOCP_ERR_FRAME_...
    socket.destroy();
  };
  socket.on('data', (chunk: Buffer) => {
    try {
      reader.push(chunk);
      for (let frame = reader.next(); frame !== undefined; frame = reader.next()) {
        handle(frame); // a Buffer; usually a view of chunk
      }
    } catch (err) {
      drop(err); // IOCP_ERR_FRAME_TOO_LONG, IOCP_ERR_FRAME_CORRUPT
    }
  });
  socket.on('end', () => {
    try {
      reader.end(); // throws IOCP_ERR_FRAME_TRUNCATED when the peer sent FIN mid-frame
      socket.end();
    } catch (err) {
      drop(err);
    }
  });
  socket.on('error', drop); // ECONNRESET and friends: same policy

  socket.write(encode(codec.encoder, Buffer.from('hello'))); // 00 00 00 05 68 65 6c 6c 6f
}
