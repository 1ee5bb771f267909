import { describe, expect, it } from 'vitest';
import {
  type Codec,
  delimiter,
  encode,
  hpSocketPack,
  lengthField,
  lengthPrefixed,
  varintPrefixed,
} from '../src/index.js';
import { decodeUntilError } from '../src/testing.js';
import { bytes } from './helpers.js';

const codecs: Array<[string, Codec]> = [
  ['lengthPrefixed', lengthPrefixed()],
  ['lengthPrefixed 8-byte LE', lengthPrefixed({ lengthFieldLength: 8, byteOrder: 'little' })],
  ['lengthField offset 1, 2-byte, adj 1, strip 3', lengthField({ lengthFieldOffset: 1, lengthFieldLength: 2, lengthAdjustment: 1, initialBytesToStrip: 3 })],
  ['varintPrefixed', varintPrefixed()],
  ['hpSocketPack', hpSocketPack({ headerFlag: 7 })],
  ['delimiter \\r\\n', delimiter({ delimiter: '\r\n' })],
];

describe('a stream ended mid-frame is IOCP_ERR_FRAME_TRUNCATED, for every codec and every cut', () => {
  for (const [name, codec] of codecs) {
    it(name, () => {
      // lengthField with an offset: build the wire by hand (its encoder writes no hdr1/hdr2).
      const wire =
        name.startsWith('lengthField')
          ? bytes([0xca, 0x00, 0x03, 0xfe], 'abc', [0xca, 0x00, 0x00, 0xfe])
          : Buffer.concat([encode(codec.encoder, Buffer.alloc(200, 0x61)), encode(codec.encoder, bytes('z'))]);
      const first = name.startsWith('lengthField') ? 7 : encode(codec.encoder, Buffer.alloc(200, 0x61)).length;
      for (let cutAt = 1; cutAt <= wire.length; cutAt++) {
        for (const chunks of [[wire.subarray(0, cutAt)], [wire.subarray(0, cutAt >> 1), wire.subarray(cutAt >> 1, cutAt)]]) {
          const { messages: frames, error } = decodeUntilError(codec.createDecoder(), chunks);
          const boundary = cutAt === first || cutAt === wire.length;
          expect(error?.code, `cut at ${cutAt}`).toBe(boundary ? undefined : 'IOCP_ERR_FRAME_TRUNCATED');
          expect(frames.length).toBe(cutAt >= wire.length ? 2 : cutAt >= first ? 1 : 0);
        }
      }
    });
  }
});
