// ESM consumer: import every package (and the jobpool and framing subpaths) from the installed tarballs.
import * as errors from '@iocp/errors';
import * as fileTransfer from '@iocp/file-transfer';
import * as framing from '@iocp/framing';
import * as framingTesting from '@iocp/framing/testing';
import * as jobpool from '@iocp/jobpool';
import '@iocp/jobpool/echo-worker';
import * as reorder from '@iocp/reorder';
import * as transport from '@iocp/transport';
import checks from './checks.cjs';

await checks.run({ errors, framing, reorder, transport, jobpool, fileTransfer });

// The test kit (with its optional peer fast-check installed): a byte codec at every split, garbage.
const codec = framing.lengthPrefixed({ maxFrameLength: 100 });
const frames = [Buffer.from('a'), Buffer.from('bc'), Buffer.alloc(0)];
if (framingTesting.checkSplits(codec, framingTesting.encodeAll(codec.encoder, frames), frames) < 10) throw new Error('too few chunkings');
framingTesting.checkGarbage(codec, { numRuns: 20 });
console.log(`esm ok (node ${process.version})`);
