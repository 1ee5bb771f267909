// TypeScript CommonJS consumer (module NodeNext, a .cts file): the packages through require(),
// as TypeScript >= 5.8 allows for ESM without top-level await.
import framing = require('@iocp/framing');
import transport = require('@iocp/transport');
import { FileServer } from '@iocp/file-transfer';

const codec = framing.lengthPrefixed({ maxFrameLength: 1 << 20 });
const port = new transport.CompletionPort({ sendQueue: { maxBytes: undefined } });
const server = new FileServer({ root: '/srv', token: process.env.TOKEN });
export = { codec, port, server };
