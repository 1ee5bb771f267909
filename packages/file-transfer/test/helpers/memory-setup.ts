import { ClientSession, type ClientSessionOptions, FileServer, type FileServerOptions } from '../../src/index.js';
import { type MemoryEnd, memoryPair } from './memory-pipe.js';

export interface MemorySetup {
  server: FileServer;
  client: ClientSession;
  clientEnd: MemoryEnd;
  serverEnd: MemoryEnd;
}

/** A server and a client session joined by an in-memory pipe (no sockets). */
export async function memorySetup(serverOptions: FileServerOptions, clientOptions: ClientSessionOptions = {}, server?: FileServer): Promise<MemorySetup> {
  const srv = server ?? new FileServer(serverOptions);
  await srv.open();
  const [clientEnd, serverEnd] = memoryPair();
  const session = srv.attach(serverEnd);
  serverEnd.sink = session;
  const client = new ClientSession(clientEnd, clientOptions);
  clientEnd.sink = client;
  return { server: srv, client, clientEnd, serverEnd };
}
