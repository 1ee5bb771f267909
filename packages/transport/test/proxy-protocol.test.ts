import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEADER,
  NEED_MORE,
  NONE,
  ProxyHeaderReader,
  V1,
  V2,
  crc32c,
  encodeLocalHeader,
  encodeProxyHeader,
} from '../src/internal/proxy-protocol.js';
import type { ProxyHeader } from '../src/types.js';

const BOTH = V1 | V2;
const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** Feed `chunks` to a fresh reader; the outcome, the header and the bytes after it. */
function read(chunks: Buffer[], opts: { versions?: number; max?: number; required?: boolean } = {}) {
  const r = new ProxyHeaderReader(opts.versions ?? BOTH, opts.max ?? 4096, opts.required ?? true);
  let status = NEED_MORE;
  let i = 0;
  for (; i < chunks.length && status === NEED_MORE; i++) status = r.push(chunks[i]!);
  const rest = Buffer.concat([...(r.rest === undefined ? [] : [r.rest]), ...chunks.slice(i)]);
  return { status, header: r.header, rest, buffered: r.bufferedBytes };
}

/** Every way to cut `bytes` in two, plus one byte at a time. */
function splits(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [[bytes]];
  for (let k = 1; k < bytes.length; k++) out.push([bytes.subarray(0, k), bytes.subarray(k)]);
  out.push([...bytes].map((b) => Buffer.from([b])));
  return out;
}

function v2(verCmd: number, famProto: number, body: Buffer): Buffer {
  const h = Buffer.alloc(16);
  SIG.copy(h);
  h[12] = verCmd;
  h[13] = famProto;
  h.writeUInt16BE(body.length, 14);
  return Buffer.concat([h, body]);
}

function tlv(type: number, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value) : value;
  const b = Buffer.alloc(3);
  b[0] = type;
  b.writeUInt16BE(v.length, 1);
  return Buffer.concat([b, v]);
}

/** 192.168.0.1:56324 → 192.168.0.11:443 as a v2 TCP4 address block. */
const INET_BLOCK = Buffer.from([192, 168, 0, 1, 192, 168, 0, 11, 0xdc, 0x04, 0x01, 0xbb]);

describe('PROXY protocol v1 (specification examples)', () => {
  const payload = Buffer.from('GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n');

  it('parses the example line at every split position and keeps the bytes after it', () => {
    const line = Buffer.from('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n');
    for (const chunks of splits(Buffer.concat([line, payload]))) {
      const { status, header, rest } = read(chunks);
      expect(status).toBe(HEADER);
      expect(header).toMatchObject({
        version: 1,
        command: 'proxy',
        family: 'IPv4',
        sourceAddress: '192.168.0.1',
        destinationAddress: '192.168.0.11',
        sourcePort: 56324,
        destinationPort: 443,
        length: line.length,
      });
      expect(rest.equals(payload)).toBe(true);
    }
  });

  it('accepts the longest lines the specification lists (56, 104 and 107 bytes)', () => {
    const f = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    const tcp4 = Buffer.from('PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n');
    const tcp6 = Buffer.from(`PROXY TCP6 ${f} ${f} 65535 65535\r\n`);
    const unknown = Buffer.from(`PROXY UNKNOWN ${f} ${f} 65535 65535\r\n`);
    expect([tcp4.length, tcp6.length, unknown.length]).toEqual([56, 104, 107]);
    expect(read([tcp4]).header?.sourceAddress).toBe('255.255.255.255');
    expect(read([tcp6]).header).toMatchObject({ family: 'IPv6', sourceAddress: f, sourcePort: 65535 });
    expect(read([unknown]).header).toMatchObject({ family: 'unspec', sourceAddress: undefined });
    expect(read([Buffer.from('PROXY UNKNOWN\r\n')]).header).toMatchObject({ family: 'unspec', length: 15 });
  });

  it('normalizes IPv6 text so one client has one address', () => {
    const h = read([Buffer.from('PROXY TCP6 0:0:0:0:0:0:0:1 FE80:0:0:0:0:0:0:2 1 2\r\n')]).header;
    expect(h).toMatchObject({ sourceAddress: '::1', destinationAddress: 'fe80::2' });
  });

  it.each([
    ['leading zero in an address', 'PROXY TCP4 192.168.0.01 192.168.0.11 56324 443\r\n'],
    ['leading zero in a port', 'PROXY TCP4 192.168.0.1 192.168.0.11 056324 443\r\n'],
    ['port out of range', 'PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n'],
    ['octet out of range', 'PROXY TCP4 256.168.0.1 192.168.0.11 1 443\r\n'],
    ['two spaces', 'PROXY TCP4  192.168.0.1 192.168.0.11 1 443\r\n'],
    ['missing field', 'PROXY TCP4 192.168.0.1 192.168.0.11 1\r\n'],
    ['extra field', 'PROXY TCP4 192.168.0.1 192.168.0.11 1 2 3\r\n'],
    ['IPv6 under TCP4', 'PROXY TCP4 ::1 ::1 1 2\r\n'],
    ['IPv4 under TCP6', 'PROXY TCP6 1.2.3.4 1.2.3.4 1 2\r\n'],
    ['zone id', 'PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n'],
    ['unknown protocol', 'PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n'],
    ['lower-case protocol', 'PROXY tcp4 1.2.3.4 1.2.3.4 1 2\r\n'],
    ['LF without CR', 'PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n'],
    ['CR without LF', 'PROXY TCP4 1.2.3.4 1.2.3.4 1 2\rX\n'],
    ['a tab', 'PROXY TCP4\t1.2.3.4 1.2.3.4 1 2\r\n'],
    ['no CRLF in 107 bytes', `PROXY UNKNOWN ${'a'.repeat(120)}\r\n`],
  ])('refuses %s at every split position', (_what, text) => {
    for (const chunks of splits(Buffer.from(text))) {
      expect(() => read(chunks)).toThrow(expect.objectContaining({ code: 'IOCP_ERR_PROXY_HEADER' }));
    }
  });

  it('never holds more than 107 bytes while waiting for a CRLF', () => {
    const r = new ProxyHeaderReader(BOTH, 4096, true);
    expect(r.push(Buffer.from('PROXY UNKNOWN '))).toBe(NEED_MORE);
    for (let i = 0; i < 92; i++) expect(r.push(Buffer.from('a'))).toBe(NEED_MORE);
    expect(r.bufferedBytes).toBe(106);
    expect(() => r.push(Buffer.from('a'))).toThrow(/no CRLF in its first 107 bytes/);
  });
});

describe('PROXY protocol v2', () => {
  it('parses TCP over IPv4 at every split position, bytes after it untouched', () => {
    const header = v2(0x21, 0x11, INET_BLOCK);
    const payload = Buffer.from([0, 0, 0, 2, 0x68, 0x69]);
    for (const chunks of splits(Buffer.concat([header, payload]))) {
      const { status, header: h, rest } = read(chunks);
      expect(status).toBe(HEADER);
      expect(h).toMatchObject({ version: 2, command: 'proxy', family: 'IPv4', sourceAddress: '192.168.0.1', sourcePort: 56324 });
      expect(h).toMatchObject({ destinationAddress: '192.168.0.11', destinationPort: 443, length: 28, tlvs: [] });
      expect(rest.equals(payload)).toBe(true);
    }
  });

  it('parses TCP over IPv6', () => {
    const block = Buffer.alloc(36);
    block[15] = 1; // ::1
    block.writeUInt16BE(0x2001, 16);
    block.writeUInt16BE(0x0db8, 18);
    block[31] = 5; // 2001:db8::5
    block.writeUInt16BE(40000, 32);
    block.writeUInt16BE(7000, 34);
    expect(read([v2(0x21, 0x21, block)]).header).toMatchObject({
      family: 'IPv6',
      sourceAddress: '::1',
      destinationAddress: '2001:db8::5',
      sourcePort: 40000,
      destinationPort: 7000,
    });
  });

  it('LOCAL skips the whole announced block, whatever its family', () => {
    const withJunk = v2(0x20, 0x11, Buffer.concat([INET_BLOCK, Buffer.from('junk')]));
    for (const chunks of splits(Buffer.concat([withJunk, Buffer.from('x')]))) {
      const { status, header, rest } = read(chunks);
      expect(status).toBe(HEADER);
      expect(header).toMatchObject({ command: 'local', family: 'unspec', sourceAddress: undefined });
      expect(rest.toString()).toBe('x');
    }
    expect(read([encodeLocalHeader()]).header?.command).toBe('local');
  });

  it('falls back to the real endpoints for UNSPEC, UDP and UNIX', () => {
    expect(read([v2(0x21, 0x00, Buffer.alloc(0))]).header?.family).toBe('unspec');
    expect(read([v2(0x21, 0x12, INET_BLOCK)]).header).toMatchObject({ family: 'unspec', sourceAddress: undefined });
    expect(read([v2(0x21, 0x31, Buffer.alloc(216))]).header?.family).toBe('unspec');
  });

  it.each([
    ['version 1 in the binary form', v2(0x11, 0x11, INET_BLOCK), /version 1 is not 2/],
    ['command 2', v2(0x22, 0x11, INET_BLOCK), /command 2/],
    ['an unknown family (4)', v2(0x21, 0x41, INET_BLOCK), /address family 4 is unknown/],
    ['an unknown protocol (3)', v2(0x21, 0x13, INET_BLOCK), /transport protocol 3/],
    ['a block shorter than its family', v2(0x21, 0x21, INET_BLOCK), /shorter than the 36-byte/],
    ['a cut TLV', v2(0x21, 0x11, Buffer.concat([INET_BLOCK, Buffer.from([0x01, 0x00])])), /TLV at offset 28 is cut/],
    ['a TLV longer than the header', v2(0x21, 0x11, Buffer.concat([INET_BLOCK, Buffer.from([0x01, 0x00, 0x09, 0x41])])), /announces 9 bytes/],
    ['a unique id over 128 bytes', v2(0x21, 0x11, Buffer.concat([INET_BLOCK, tlv(0x05, Buffer.alloc(129))])), /unique id is 129/],
    ['a short SSL TLV', v2(0x21, 0x11, Buffer.concat([INET_BLOCK, tlv(0x20, Buffer.alloc(4))])), /SSL TLV is 4 bytes/],
  ])('refuses %s', (_what, bytes, message) => {
    for (const chunks of splits(bytes)) expect(() => read(chunks)).toThrow(message);
  });

  it('keeps every TLV and parses ALPN, authority, unique id, SSL and NETNS', () => {
    const ssl = Buffer.concat([
      Buffer.from([0x07, 0, 0, 0, 0]),
      tlv(0x21, 'TLSv1.3'),
      tlv(0x22, 'client.example'),
      tlv(0x23, 'TLS_AES_256_GCM_SHA384'),
      tlv(0x24, 'RSA-SHA256'),
      tlv(0x25, 'RSA2048'),
      tlv(0x26, 'X25519'),
      tlv(0x27, 'rsa_pss_rsae_sha256'),
      tlv(0x28, Buffer.from([0x30, 0x82])),
    ]);
    const body = Buffer.concat([
      INET_BLOCK,
      tlv(0x01, 'h2'),
      tlv(0x02, 'example.com'),
      tlv(0x04, Buffer.alloc(3)),
      tlv(0x05, 'req-42'),
      tlv(0x20, ssl),
      tlv(0x30, 'blue'),
      tlv(0xe0, Buffer.from([1, 2, 3])),
    ]);
    const h = read([v2(0x21, 0x11, body)]).header as ProxyHeader;
    expect(h.tlvs.map((t) => t.type)).toEqual([0x01, 0x02, 0x04, 0x05, 0x20, 0x30, 0xe0]);
    expect(h.tlvs[6]!.value).toEqual(Buffer.from([1, 2, 3]));
    expect(h).toMatchObject({ alpn: 'h2', authority: 'example.com', netns: 'blue' });
    expect(h.uniqueId?.toString()).toBe('req-42');
    expect(h.ssl).toMatchObject({
      client: 7,
      verify: 0,
      version: 'TLSv1.3',
      cn: 'client.example',
      cipher: 'TLS_AES_256_GCM_SHA384',
      sigAlg: 'RSA-SHA256',
      keyAlg: 'RSA2048',
      group: 'X25519',
      sigScheme: 'rsa_pss_rsae_sha256',
    });
    expect(h.ssl?.clientCert).toEqual(Buffer.from([0x30, 0x82]));
  });

  it('verifies a CRC32C TLV and refuses a wrong one', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // RFC 3720 check value
    const good = v2(0x21, 0x11, Buffer.concat([INET_BLOCK, tlv(0x03, Buffer.alloc(4))]));
    good.writeUInt32BE(crc32c(good), good.length - 4);
    expect(read([good]).status).toBe(HEADER);
    const bad = Buffer.from(good);
    bad[17] = 99; // a changed source address
    expect(() => read([bad])).toThrow(/CRC32C mismatch/);
    const short = v2(0x21, 0x11, Buffer.concat([INET_BLOCK, tlv(0x03, Buffer.alloc(3))]));
    expect(() => read([short])).toThrow(/CRC32C TLV is 3 bytes/);
  });

  it('refuses a header over maxHeaderBytes from its fixed part, before gathering it', () => {
    const big = v2(0x21, 0x11, Buffer.concat([INET_BLOCK, tlv(0x04, Buffer.alloc(5000))]));
    const r = new ProxyHeaderReader(BOTH, 4096, true);
    expect(() => r.push(big.subarray(0, 16))).toThrow(/5031 bytes is over the 4096-byte limit/);
    expect(read([big], { max: 65551 }).status).toBe(HEADER);
    // the largest header the wire can carry
    const largest = v2(0x21, 0x11, Buffer.concat([INET_BLOCK, tlv(0x04, Buffer.alloc(65535 - 12 - 3))]));
    expect(largest.length).toBe(65551);
    expect(read([largest], { max: 65551 }).status).toBe(HEADER);
  });

  it('holds at most the header while it arrives byte by byte', () => {
    const header = v2(0x21, 0x11, Buffer.concat([INET_BLOCK, tlv(0x04, Buffer.alloc(100))]));
    const r = new ProxyHeaderReader(BOTH, 4096, true);
    let peak = 0;
    for (let i = 0; i < header.length - 1; i++) {
      expect(r.push(header.subarray(i, i + 1))).toBe(NEED_MORE);
      peak = Math.max(peak, r.bufferedBytes);
    }
    expect(peak).toBe(header.length - 1);
    expect(r.push(header.subarray(header.length - 1))).toBe(HEADER);
    expect(r.bufferedBytes).toBe(0);
  });
});

describe('detection, versions and the optional header', () => {
  it('refuses a stream without a signature when required, at its first decisive byte', () => {
    expect(() => read([Buffer.from([0, 0, 0, 2])])).toThrow(/no PROXY header \(the stream starts with 0x00000002\)/);
    expect(() => read([Buffer.from('PROXX')])).toThrow(/no PROXY header/);
    expect(() => read([Buffer.from('\r\n\r\n\0\r\nQUIX')])).toThrow(/no PROXY header/);
    // a prefix of a signature is not decisive yet
    expect(read([Buffer.from('PROX')]).status).toBe(NEED_MORE);
    expect(read([SIG.subarray(0, 11)]).status).toBe(NEED_MORE);
  });

  it('optional: no signature gives every byte back, even a partly matching prefix split across chunks', () => {
    for (const text of ['hello', 'PROXhello', '\r\n\r\nX']) {
      for (const chunks of splits(Buffer.from(text))) {
        const { status, rest } = read(chunks, { required: false });
        expect(status).toBe(NONE);
        expect(rest.toString('latin1')).toBe(text);
      }
    }
    // a header is still parsed when present
    expect(read([Buffer.from('PROXY UNKNOWN\r\n')], { required: false }).status).toBe(HEADER);
  });

  it('refuses a version the listener does not accept', () => {
    expect(() => read([Buffer.from('PROXY UNKNOWN\r\n')], { versions: V2 })).toThrow(/accepts v2 only/);
    expect(() => read([v2(0x21, 0x11, INET_BLOCK)], { versions: V1 })).toThrow(/accepts v1 only/);
  });

  it('property: garbage never throws anything but a coded error, never holds more than a header', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([SIG, Buffer.from(b)])),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('PROXY '), Buffer.from(b)])),
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (bytes, cuts, required) => {
          const b = Buffer.from(bytes);
          const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const p of [...points, b.length]) {
            chunks.push(b.subarray(at, p));
            at = p;
          }
          const r = new ProxyHeaderReader(BOTH, 512, required);
          try {
            let status = NEED_MORE;
            for (const c of chunks) {
              if (status !== NEED_MORE) break;
              status = r.push(c);
              expect(r.bufferedBytes).toBeLessThanOrEqual(512);
            }
          } catch (e) {
            expect((e as { code?: string }).code).toBe('IOCP_ERR_PROXY_HEADER');
            expect((e as Error).message).not.toMatch(/\n/);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: any valid header followed by any payload, cut anywhere, parses to the same header and payload', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
    const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
    fc.assert(
      fc.property(
        fc.oneof(fc.tuple(fc.constant(4), ipv4, ipv4), fc.tuple(fc.constant(6), ipv6, ipv6)),
        fc.nat(65535),
        fc.nat(65535),
        fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>,
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(),
        ([, src, dst], sp, dp, version, payload, cut) => {
          const header = encodeProxyHeader({ version, sourceAddress: src, sourcePort: sp, destinationAddress: dst, destinationPort: dp });
          const all = Buffer.concat([header, Buffer.from(payload)]);
          const k = cut % (all.length + 1);
          const { status, header: h, rest } = read([all.subarray(0, k), all.subarray(k)]);
          expect(status).toBe(HEADER);
          expect(h).toMatchObject({ version, sourcePort: sp, destinationPort: dp, length: header.length });
          const norm = (a: string) => (a.includes(':') ? new URL(`http://[${a}]`).hostname.slice(1, -1) : a);
          expect(norm(h!.sourceAddress!)).toBe(norm(src));
          expect(norm(h!.destinationAddress!)).toBe(norm(dst));
          expect(rest.equals(Buffer.from(payload))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
