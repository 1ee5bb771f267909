// ESM consumer: import every package (and the jobpool subpath) from the installed tarballs.
import * as errors from '@iocp/errors';
import * as fileTransfer from '@iocp/file-transfer';
import * as framing from '@iocp/framing';
import * as jobpool from '@iocp/jobpool';
import '@iocp/jobpool/echo-worker';
import * as reorder from '@iocp/reorder';
import * as transport from '@iocp/transport';
import checks from './checks.cjs';

await checks.run({ errors, framing, reorder, transport, jobpool, fileTransfer });
console.log(`esm ok (node ${process.version})`);
