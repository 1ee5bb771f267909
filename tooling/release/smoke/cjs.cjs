// CommonJS consumer: require() every package — ESM loaded through require(esm), Node >= 20.19.
'use strict';
const { run } = require('./checks.cjs');

const libs = {
  errors: require('@iocp/errors'),
  framing: require('@iocp/framing'),
  reorder: require('@iocp/reorder'),
  transport: require('@iocp/transport'),
  jobpool: require('@iocp/jobpool'),
  fileTransfer: require('@iocp/file-transfer'),
};
require('@iocp/jobpool/echo-worker');
run(libs).then(
  () => console.log(`cjs ok (node ${process.version})`),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
