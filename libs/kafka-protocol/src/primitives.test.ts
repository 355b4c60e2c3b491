import { describe, expect, it } from 'vitest';
import { ProtocolError } from './errors.js';
import { Reader, Writer, uvarintSize, varintSize } from './primitives.js';

const bytes = (w: Writer): Buffer => w.toBuffer();
const hex = (w: Writer): string => bytes(w).toString('hex');

describe('varint (zigzag, 32-bit)', () => {
  const cases: Array<[number, string]> = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-2, '03'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  it.each(cases)('%d encodes as %s and decodes back', (v, h) => {
    expect(hex(new Writer().varint(v))).toBe(h);
    const r = new Reader(Buffer.from(h, 'hex'));
    expect(r.varint()).toBe(v);
    expect(r.remaining).toBe(0);
    expect(varintSize(v)).toBe(h.length / 2);
  });

  it('rejects values outside int32', () => {
    expect(() => new Writer().varint(2 ** 31)).toThrow(ProtocolError);
  });
});

describe('varlong (zigzag, 64-bit)', () => {
  const cases: Array<bigint> = [
    0n,
    -1n,
    1n,
    2n ** 31n,
    -(2n ** 31n),
    2n ** 53n + 1n,
    -(2n ** 53n) - 1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
    1_700_000_000_000n,
  ];
  it.each(cases)('%s round-trips (bigint and number readers)', (v) => {
    const buf = bytes(new Writer().varlong(v));
    expect(new Reader(buf).varlong()).toBe(v);
    expect(new Reader(buf).varlongn()).toBe(Number(v));
  });
  it('known encodings', () => {
    expect(hex(new Writer().varlong(-1n))).toBe('01');
    expect(hex(new Writer().varlong(2n ** 63n - 1n))).toBe('feffffffffffffffff01');
    expect(hex(new Writer().varlong(-(2n ** 63n)))).toBe('ffffffffffffffffff01');
    expect(hex(new Writer().varlong(300))).toBe('d804');
  });
  it('rejects an 11-byte varlong', () => {
    expect(() => new Reader(Buffer.from('ffffffffffffffffffff01', 'hex')).varlong()).toThrow(ProtocolError);
  });
});

describe('unsigned varint', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [0xffffffff, 'ffffffff0f'],
  ] as Array<[number, string]>)('%d <-> %s', (v, h) => {
    expect(hex(new Writer().uvarint(v))).toBe(h);
    expect(new Reader(Buffer.from(h, 'hex')).uvarint()).toBe(v);
    expect(uvarintSize(v)).toBe(h.length / 2);
  });
  it('rejects negative and overlong values', () => {
    expect(() => new Writer().uvarint(-1)).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('ffffffff1f', 'hex')).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('ffffffffff01', 'hex')).uvarint()).toThrow(ProtocolError);
  });
});

describe('fixed-width integers', () => {
  it('round-trip with extremes', () => {
    const w = new Writer()
      .int8(-128)
      .int16(-32768)
      .int32(-2147483648)
      .int64(-(2n ** 63n))
      .int64(-1)
      .int64(2 ** 53 - 1)
      .uint16(65535)
      .uint32(4294967295)
      .float64(1.5)
      .bool(true);
    const r = new Reader(bytes(w));
    expect(r.int8()).toBe(-128);
    expect(r.int16()).toBe(-32768);
    expect(r.int32()).toBe(-2147483648);
    expect(r.int64()).toBe(-(2n ** 63n));
    expect(r.int64n()).toBe(-1);
    expect(r.int64n()).toBe(2 ** 53 - 1);
    expect(r.uint16()).toBe(65535);
    expect(r.uint32()).toBe(4294967295);
    expect(r.float64()).toBe(1.5);
    expect(r.bool()).toBe(true);
    expect(r.remaining).toBe(0);
  });
  it('int64 from a negative number uses two’s complement', () => {
    expect(hex(new Writer().int64(-2))).toBe('fffffffffffffffe');
    expect(hex(new Writer().int64(2 ** 32))).toBe('0000000100000000');
  });
});

describe('strings and bytes', () => {
  it('classic string / nullable string', () => {
    const w = new Writer().string('héllo').nullableString(null).nullableString('');
    expect(hex(w)).toBe('0006' + Buffer.from('héllo').toString('hex') + 'ffff' + '0000');
    const r = new Reader(bytes(w));
    expect(r.string()).toBe('héllo');
    expect(r.nullableString()).toBeNull();
    expect(r.nullableString()).toBe('');
  });
  it('a non-nullable string that is null on the wire throws', () => {
    expect(() => new Reader(Buffer.from('ffff', 'hex')).string()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('00', 'hex')).compactString()).toThrow(ProtocolError);
  });
  it('compact string / bytes use N+1, 0 = null', () => {
    const w = new Writer()
      .compactString('ab')
      .compactString(null)
      .compactString('')
      .compactBytes(Buffer.from([9]))
      .compactBytes(null);
    expect(hex(w)).toBe('03616200' + '01' + '0209' + '00');
    const r = new Reader(bytes(w));
    expect(r.compactString()).toBe('ab');
    expect(r.compactNullableString()).toBeNull();
    expect(r.compactString()).toBe('');
    expect([...r.compactBytes()]).toEqual([9]);
    expect(r.compactNullableBytes()).toBeNull();
  });
  it('bytes decode zero-copy', () => {
    const buf = bytes(new Writer().bytes(Buffer.from('abc')).bytes(null));
    const r = new Reader(buf);
    const b = r.bytes();
    expect(b.toString()).toBe('abc');
    expect(b.buffer).toBe(buf.buffer);
    buf[4] = 'x'.charCodeAt(0);
    expect(b.toString()).toBe('xbc');
    expect(r.nullableBytes()).toBeNull();
  });
  it('uuid round-trips in Kafka’s base64url form', () => {
    const u = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64url');
    const buf = bytes(new Writer().uuid(u));
    expect(buf.toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(new Reader(buf).uuid()).toBe(u);
  });
});

describe('tagged fields', () => {
  it('skips unknown tags and hands known ones to the callback', () => {
    // 2 fields: tag 0 (2 bytes: 0x1234), tag 5 (1 byte: 0x07)
    const buf = Buffer.from('02' + '00' + '02' + '1234' + '05' + '01' + '07' + 'aa', 'hex');
    const r = new Reader(buf);
    const seen: number[] = [];
    r.taggedFields((tag, sub) => {
      if (tag === 5) seen.push(sub.int8());
      return tag === 5;
    });
    expect(seen).toEqual([7]);
    expect(r.uint8()).toBe(0xaa);
  });
  it('throws on a truncated tagged field', () => {
    expect(() => new Reader(Buffer.from('01000512', 'hex')).taggedFields()).toThrow(ProtocolError);
  });
});

describe('truncated input never reads out of bounds', () => {
  const readers: Array<[string, (r: Reader) => unknown, string]> = [
    ['int8', (r) => r.int8(), ''],
    ['int16', (r) => r.int16(), '00'],
    ['int32', (r) => r.int32(), '000000'],
    ['int64', (r) => r.int64(), '00000000000000'],
    ['int64n', (r) => r.int64n(), '00'],
    ['float64', (r) => r.float64(), '00'],
    ['uvarint', (r) => r.uvarint(), '80'],
    ['varlong', (r) => r.varlong(), '8080'],
    ['string', (r) => r.string(), '000561'],
    ['nullableString', (r) => r.nullableString(), '0001'],
    ['compactString', (r) => r.compactString(), '05'],
    ['bytes', (r) => r.bytes(), '00000002ff'],
    ['compactBytes', (r) => r.compactBytes(), '03ff'],
    ['uuid', (r) => r.uuid(), '00112233'],
    ['arrayLength', (r) => r.arrayLength(), '00000005'],
  ];
  it.each(readers)('%s throws ProtocolError', (_n, read, h) => {
    expect(() => read(new Reader(Buffer.from(h, 'hex')))).toThrow(ProtocolError);
  });
  it('respects a Reader end before the buffer end', () => {
    const r = new Reader(Buffer.from('0000000100', 'hex'), 0, 3);
    expect(() => r.int32()).toThrow(ProtocolError);
  });
});

describe('Writer', () => {
  it('appends large buffers as their own chunk without copying', () => {
    const big = Buffer.alloc(4096, 1);
    const w = new Writer().int32(1).raw(big).int8(2);
    const chunks = w.chunks();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    expect(w.size).toBe(4 + 4096 + 1);
  });
  it('grows the scratch buffer across many small writes', () => {
    const w = new Writer(16);
    for (let i = 0; i < 1000; i++) w.int32(i);
    const r = new Reader(w.toBuffer());
    for (let i = 0; i < 1000; i++) expect(r.int32()).toBe(i);
    expect(w.size).toBe(4000);
  });
  it('reserveInt32 can be patched after the scratch buffer was replaced', () => {
    const w = new Writer(8);
    const h = w.reserveInt32();
    for (let i = 0; i < 100; i++) w.int32(i);
    w.patchInt32(h, 12345);
    expect(w.toBuffer().readInt32BE(0)).toBe(12345);
  });
});
