import { describe, expect, it } from 'vitest';
import {
  BulkString,
  ErrorReply,
  OK,
  Resp3,
  RespDouble,
  RespMap,
  RespPush,
  type RespReply,
  RespReplyError,
  RespSet,
  SimpleString,
  VerbatimString,
  respEncoder,
} from '../src/index.js';

function encode(reply: RespReply): string {
  const n = respEncoder.encodedLength(reply);
  const target = Buffer.alloc(n + 8, 0xee);
  const end = respEncoder.encodeInto(reply, target, 4);
  expect(end - 4).toBe(n);
  expect(target[3]).toBe(0xee);
  expect(target[end]).toBe(0xee);
  return target.toString('latin1', 4, end);
}

describe('RESP reply encoder', () => {
  const cases: [string, RespReply, string, string][] = [
    ['null', null, '$-1\r\n', '_\r\n'],
    ['integer', 42, ':42\r\n', ':42\r\n'],
    ['negative integer', -1234567890123, ':-1234567890123\r\n', ':-1234567890123\r\n'],
    ['zero', 0, ':0\r\n', ':0\r\n'],
    ['bigint within int64', 2n ** 62n, `:${2n ** 62n}\r\n`, `:${2n ** 62n}\r\n`],
    ['bigint beyond int64', 2n ** 70n, `$22\r\n${2n ** 70n}\r\n`, `(${2n ** 70n}\r\n`],
    ['boolean', true, ':1\r\n', '#t\r\n'],
    ['bytes', Buffer.from([0, 13, 10, 255]), '$4\r\n\x00\r\n\xff\r\n', '$4\r\n\x00\r\n\xff\r\n'],
    ['UTF-8 string', 'é', '$2\r\n\xc3\xa9\r\n', '$2\r\n\xc3\xa9\r\n'],
    ['BulkString', new BulkString('\xff\x00'), '$2\r\n\xff\x00\r\n', '$2\r\n\xff\x00\r\n'],
    ['empty bulk', '', '$0\r\n\r\n', '$0\r\n\r\n'],
    ['simple string', OK, '+OK\r\n', '+OK\r\n'],
    ['simple string with a line break', new SimpleString('a\r\nb'), '+a  b\r\n', '+a  b\r\n'],
    ['error', new ErrorReply('ERR bad'), '-ERR bad\r\n', '-ERR bad\r\n'],
    ['array', [1, 'a', null, [OK]], '*4\r\n:1\r\n$1\r\na\r\n$-1\r\n*1\r\n+OK\r\n', '*4\r\n:1\r\n$1\r\na\r\n_\r\n*1\r\n+OK\r\n'],
    ['empty array', [], '*0\r\n', '*0\r\n'],
    ['map', new RespMap([['a', 1], ['b', [2]]]), '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n:2\r\n', '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n:2\r\n'],
    ['set', new RespSet(['x']), '*1\r\n$1\r\nx\r\n', '~1\r\n$1\r\nx\r\n'],
    ['push', new RespPush(['message', 'c', 'hi']), '*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n', '>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n'],
    ['double', new RespDouble(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['infinite double', new RespDouble(Number.NEGATIVE_INFINITY), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['verbatim', new VerbatimString('hi'), '$2\r\nhi\r\n', '=6\r\ntxt:hi\r\n'],
  ];
  for (const [name, value, v2, v3] of cases) {
    it(`${name}: RESP2 and RESP3`, () => {
      expect(encode(value)).toBe(v2);
      expect(encode(new Resp3(value as never))).toBe(v3);
    });
  }

  it('refuses what is not a reply with IOCP_ERR_RESP_REPLY', () => {
    for (const bad of [1.5, Number.NaN, { a: 1 }, undefined, () => 1, Symbol('x'), [1, { x: 2 }]]) {
      expect(() => respEncoder.encodedLength(bad as never)).toThrow(RespReplyError);
    }
    expect(() => respEncoder.encodedLength(new VerbatimString('x', 'long'))).toThrow(RespReplyError);
  });

  it('encodes into a plain Uint8Array too', () => {
    const target = new Uint8Array(5);
    expect(respEncoder.encodeInto(OK, target, 0)).toBe(5);
    expect(Buffer.from(target).toString()).toBe('+OK\r\n');
  });
});

describe('encodeParts: large values are not copied', () => {
  function parts(reply: RespReply): { wire: Buffer; payloads: Uint8Array[] } {
    const target = Buffer.alloc(64, 0xee);
    const payloads: Uint8Array[] = [];
    const end = respEncoder.encodeParts(reply, target, 3, payloads);
    expect(end - 3).toBeLessThanOrEqual(respEncoder.maxPrefixLength);
    const wire = Buffer.concat([target.subarray(3, end), ...payloads]);
    expect(wire.length).toBe(respEncoder.encodedLength(reply));
    return { wire, payloads };
  }

  it('a bulk: head in the target, the value itself as a payload', () => {
    const value = Buffer.alloc(100_000, 7);
    const { wire, payloads } = parts(value);
    expect(payloads[0]).toBe(value);
    expect(wire.equals(Buffer.concat([Buffer.from('$100000\r\n'), value, Buffer.from('\r\n')]))).toBe(true);
    expect(parts(new Resp3(value)).payloads[0]).toBe(value);
  });

  it('an array mixing small and large values: the same bytes as encodeInto, large values as they are', () => {
    const big = Buffer.alloc(20_000, 1);
    const reply: RespReply = [big, 'small', null, 42, [big], new BulkString('x'.repeat(5000))];
    const { wire, payloads } = parts(reply);
    const whole = Buffer.alloc(respEncoder.encodedLength(reply));
    respEncoder.encodeInto(reply, whole, 0);
    expect(wire.equals(whole)).toBe(true);
    expect(payloads.filter((p) => p === big)).toHaveLength(2);
  });
});
