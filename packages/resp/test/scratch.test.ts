import { describe, expect, it } from 'vitest';
import { decodeChunks } from './helpers.js';

const wire = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\n*1\r\n$4\r\nPING\r\nSET "a b" \'c\\\'d\' "\\x41\\n"\r\n*0\r\n\r\n');
describe('scratch', () => {
  it('splits', () => {
    const whole = decodeChunks([wire]);
    expect(whole).toEqual([['SET', 'k', 'hello'], ['PING'], ['PING'], ['SET', 'a b', "c'd", 'A\n'], [], []]);
    for (let i = 0; i <= wire.length; i++) {
      expect(decodeChunks([wire.subarray(0, i), wire.subarray(i)])).toEqual(whole);
    }
    const ones = [];
    for (let i = 0; i < wire.length; i++) ones.push(wire.subarray(i, i + 1));
    expect(decodeChunks(ones)).toEqual(whole);
  });
});
