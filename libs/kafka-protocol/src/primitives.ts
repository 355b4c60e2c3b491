/**
 * Kafka wire primitives: a bounds-checked `Reader` over a Buffer and a chunked `Writer`.
 *
 * Conventions (Kafka protocol guide, "Protocol Primitive Types"):
 * - big-endian fixed-width integers; INT64 read as bigint by `int64()`, as number by `int64n()`;
 * - STRING / NULLABLE_STRING: i16 length (-1 = null); BYTES / NULLABLE_BYTES: i32 length (-1 = null);
 * - COMPACT_*: UNSIGNED_VARINT length N+1 (0 = null);
 * - VARINT / VARLONG (record fields): zigzag-signed; UNSIGNED_VARINT: plain base-128;
 * - TAG_BUFFER: uvarint count, then (uvarint tag, uvarint size, bytes) per field.
 */
import { ProtocolError } from './errors.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export class Reader {
  /** Current read position (absolute, into `buf`). */
  offset: number;
  /** Exclusive end of the readable region. */
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new ProtocolError(`reader bounds [${offset}, ${end}) outside buffer of ${buf.length} bytes`);
    }
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws ProtocolError unless `n` more bytes are available. */
  need(n: number): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new ProtocolError(
        `truncated input: need ${n} byte(s) at offset ${this.offset}, only ${this.end - this.offset} left`,
      );
    }
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  uint8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** INT64 as a JS number (exact below 2^53, which covers offsets, timestamps and ids in practice). */
  int64n(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.offset);
    const lo = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return hi * 4294967296 + lo;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** UNSIGNED_VARINT (up to 32 bits). */
  uvarint(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new ProtocolError(`truncated varint at offset ${this.offset}`);
      const b = buf[this.offset++]!;
      if (i === 4 && b > 0x0f) throw new ProtocolError('varint too long (more than 32 bits)');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new ProtocolError('varint too long (more than 5 bytes)');
  }

  /** VARINT: zigzag-signed 32-bit. */
  varint(): number {
    const u = this.uvarint();
    // zigzag decode on a uint32 held in a double
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** UNSIGNED varlong as bigint (up to 64 bits). */
  uvarlong(): bigint {
    const buf = this.buf;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtocolError(`truncated varlong at offset ${this.offset}`);
      const b = buf[this.offset++]!;
      if (i === 9 && b > 0x01) throw new ProtocolError('varlong too long (more than 64 bits)');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtocolError('varlong too long (more than 10 bytes)');
  }

  /** VARLONG: zigzag-signed 64-bit, as bigint. */
  varlong(): bigint {
    const u = this.uvarlong();
    return (u >> 1n) ^ -(u & 1n);
  }

  /** VARLONG as a JS number (exact for |v| < 2^53; the usual case for record timestamp deltas). */
  varlongn(): number {
    const buf = this.buf;
    const start = this.offset;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.offset >= this.end) throw new ProtocolError(`truncated varlong at offset ${this.offset}`);
      const b = buf[this.offset++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      mul *= 128;
    }
    // longer than 49 bits: take the exact (slow) path
    this.offset = start;
    return Number(this.varlong());
  }

  /** Raw bytes, zero-copy. */
  raw(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  private utf8(n: number): string {
    this.need(n);
    const v = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** STRING (i16 length); throws on a null length. */
  string(): string {
    const n = this.int16();
    if (n < 0) throw new ProtocolError(`non-nullable string has length ${n}`);
    return this.utf8(n);
  }

  /** NULLABLE_STRING (i16 length, -1 = null). */
  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError(`invalid string length ${n}`);
    return this.utf8(n);
  }

  /** COMPACT_STRING (uvarint N+1); throws on null. */
  compactString(): string {
    const n = this.uvarint();
    if (n === 0) throw new ProtocolError('non-nullable compact string is null');
    return this.utf8(n - 1);
  }

  /** COMPACT_NULLABLE_STRING (uvarint N+1, 0 = null). */
  compactNullableString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.utf8(n - 1);
  }

  /** BYTES (i32 length), zero-copy subarray; throws on null. */
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) throw new ProtocolError(`non-nullable bytes has length ${n}`);
    return this.raw(n);
  }

  /** NULLABLE_BYTES (i32 length, -1 = null), zero-copy subarray. */
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError(`invalid bytes length ${n}`);
    return this.raw(n);
  }

  /** COMPACT_BYTES (uvarint N+1), zero-copy; throws on null. */
  compactBytes(): Buffer {
    const n = this.uvarint();
    if (n === 0) throw new ProtocolError('non-nullable compact bytes is null');
    return this.raw(n - 1);
  }

  /** COMPACT_NULLABLE_BYTES (uvarint N+1, 0 = null), zero-copy. */
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint();
    return n === 0 ? null : this.raw(n - 1);
  }

  /** UUID as Kafka prints it: 22 characters of URL-safe base64 without padding. */
  uuid(): string {
    return this.raw(16).toString('base64url');
  }

  /** i32 array length (-1 = null). */
  arrayLength(): number {
    const n = this.int32();
    if (n < -1) throw new ProtocolError(`invalid array length ${n}`);
    if (n > this.remaining)
      throw new ProtocolError(`array length ${n} exceeds the ${this.remaining} bytes left`);
    return n;
  }

  /** uvarint N+1 array length (returns -1 for null). */
  compactArrayLength(): number {
    const n = this.uvarint() - 1;
    if (n > this.remaining)
      throw new ProtocolError(`array length ${n} exceeds the ${this.remaining} bytes left`);
    return n;
  }

  /**
   * TAG_BUFFER. Calls `onTag(tag, reader)` for each field, with a reader bounded to that field's
   * bytes; fields the callback does not handle (returns false, or no callback) are skipped.
   */
  taggedFields(onTag?: (tag: number, r: Reader) => boolean | void): void {
    const count = this.uvarint();
    let last = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      if (tag <= last) throw new ProtocolError(`tagged fields out of order: ${tag} after ${last}`);
      last = tag;
      const size = this.uvarint();
      this.need(size);
      if (onTag) {
        const sub = new Reader(this.buf, this.offset, this.offset + size);
        onTag(tag, sub);
      }
      this.offset += size;
    }
  }
}

/** Appended Buffers at least this large become their own chunk instead of being copied. */
const ZERO_COPY_THRESHOLD = 512;
const INITIAL_SCRATCH = 1024;

/**
 * Builds a message as a list of chunks. Small fields go into a growable scratch buffer; large
 * Buffers (`raw`/`bytes` of ≥512 bytes, and every chunk of a `records` list) are appended as their
 * own chunk without copying. Already-emitted chunks are never rewritten, except through `patchInt32`.
 */
export class Writer {
  private out: Buffer[] = [];
  private scratch: Buffer;
  private pos = 0; // write position in scratch
  private start = 0; // start of the not-yet-emitted region of scratch
  /** Total bytes written so far. */
  size = 0;

  constructor(initialScratch = INITIAL_SCRATCH) {
    this.scratch = Buffer.allocUnsafe(initialScratch);
  }

  private flushScratch(): void {
    if (this.pos > this.start) {
      this.out.push(this.scratch.subarray(this.start, this.pos));
      this.start = this.pos;
    }
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    this.flushScratch();
    this.scratch = Buffer.allocUnsafe(Math.max(n, this.scratch.length * 2, INITIAL_SCRATCH));
    this.pos = 0;
    this.start = 0;
  }

  /** The chunks written so far (the Writer may keep being used; later writes go to new chunks). */
  chunks(): Buffer[] {
    this.flushScratch();
    return this.out.slice();
  }

  /** All bytes as one Buffer (copies unless there is a single chunk). */
  toBuffer(): Buffer {
    const c = this.chunks();
    return c.length === 1 ? c[0]! : Buffer.concat(c, this.size);
  }

  /**
   * Reserves 4 bytes for an INT32 filled in later by `patchInt32(handle, value)`. The handle stays
   * valid because the reserved bytes live in a scratch region that is never reused.
   */
  reserveInt32(): { buf: Buffer; pos: number } {
    this.ensure(4);
    const h = { buf: this.scratch, pos: this.pos };
    this.scratch.fill(0, this.pos, this.pos + 4);
    this.pos += 4;
    this.size += 4;
    return h;
  }

  patchInt32(handle: { buf: Buffer; pos: number }, value: number): void {
    handle.buf.writeInt32BE(value, handle.pos);
  }

  int8(v: number): this {
    this.ensure(1);
    this.scratch.writeInt8(v, this.pos);
    this.pos += 1;
    this.size += 1;
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.scratch[this.pos++] = v & 0xff;
    this.size += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.scratch.writeInt16BE(v, this.pos);
    this.pos += 2;
    this.size += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.scratch.writeUInt16BE(v, this.pos);
    this.pos += 2;
    this.size += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.scratch.writeInt32BE(v, this.pos);
    this.pos += 4;
    this.size += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.scratch.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    this.size += 4;
    return this;
  }

  /** INT64 from a bigint or a (safe-integer) number. */
  int64(v: bigint | number): this {
    this.ensure(8);
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw new ProtocolError(`int64 value ${v} is not an integer`);
      if (Number.isSafeInteger(v)) {
        const hi = Math.floor(v / 4294967296);
        this.scratch.writeInt32BE(hi, this.pos);
        this.scratch.writeUInt32BE(v - hi * 4294967296, this.pos + 4);
      } else {
        this.scratch.writeBigInt64BE(clampInt64(BigInt(v)), this.pos);
      }
    } else {
      if (v < INT64_MIN || v > INT64_MAX) throw new ProtocolError(`int64 value ${v} out of range`);
      this.scratch.writeBigInt64BE(v, this.pos);
    }
    this.pos += 8;
    this.size += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.scratch.writeDoubleBE(v, this.pos);
    this.pos += 8;
    this.size += 8;
    return this;
  }

  /** UNSIGNED_VARINT (0 ≤ v < 2^32). */
  uvarint(v: number): this {
    if (!(v >= 0 && v <= 0xffffffff)) throw new ProtocolError(`unsigned varint ${v} out of range`);
    this.ensure(5);
    const buf = this.scratch;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
      this.size++;
    }
    buf[this.pos++] = v;
    this.size++;
    return this;
  }

  /** VARINT: zigzag-signed 32-bit. */
  varint(v: number): this {
    if (!(v >= -2147483648 && v <= 2147483647)) throw new ProtocolError(`varint ${v} out of int32 range`);
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** VARLONG: zigzag-signed 64-bit. */
  varlong(v: bigint | number): this {
    if (typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) < 2 ** 51) {
      let u = v >= 0 ? v * 2 : -v * 2 - 1;
      this.ensure(10);
      const buf = this.scratch;
      while (u >= 0x80) {
        buf[this.pos++] = (u % 128) | 0x80;
        u = Math.floor(u / 128);
        this.size++;
      }
      buf[this.pos++] = u;
      this.size++;
      return this;
    }
    const b = BigInt(v);
    if (b < INT64_MIN || b > INT64_MAX) throw new ProtocolError(`varlong ${v} out of int64 range`);
    let u = b >= 0n ? b << 1n : (-b << 1n) - 1n;
    this.ensure(10);
    const buf = this.scratch;
    while (u >= 0x80n) {
      buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
      this.size++;
    }
    buf[this.pos++] = Number(u);
    this.size++;
    return this;
  }

  /** Appends bytes: copied into scratch when small, otherwise added as its own chunk (zero-copy). */
  raw(b: Uint8Array): this {
    const n = b.length;
    if (n === 0) return this;
    if (n >= ZERO_COPY_THRESHOLD) {
      this.flushScratch();
      this.out.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    } else {
      this.ensure(n);
      this.scratch.set(b, this.pos);
      this.pos += n;
    }
    this.size += n;
    return this;
  }

  /** Appends a Buffer as its own chunk, never copying it. */
  chunk(b: Buffer): this {
    if (b.length === 0) return this;
    this.flushScratch();
    this.out.push(b);
    this.size += b.length;
    return this;
  }

  private utf8(s: string, n: number): void {
    this.ensure(n);
    this.scratch.write(s, this.pos, n, 'utf8');
    this.pos += n;
    this.size += n;
  }

  /** STRING (i16 length). */
  string(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) throw new ProtocolError(`string of ${n} bytes is too long for an INT16 length`);
    this.int16(n);
    this.utf8(s, n);
    return this;
  }

  /** NULLABLE_STRING (i16 length, -1 = null). */
  nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    return this.string(s);
  }

  /** COMPACT_STRING / COMPACT_NULLABLE_STRING (uvarint N+1, 0 = null). */
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n + 1);
    this.utf8(s, n);
    return this;
  }

  /** BYTES / NULLABLE_BYTES (i32 length, -1 = null). */
  bytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  /** COMPACT_BYTES / COMPACT_NULLABLE_BYTES (uvarint N+1, 0 = null). */
  compactBytes(b: Uint8Array | null): this {
    if (b === null) return this.uvarint(0);
    this.uvarint(b.length + 1);
    return this.raw(b);
  }

  /** UUID from Kafka's 22-character URL-safe base64 form (or a 16-byte Buffer). */
  uuid(u: string | Uint8Array): this {
    const b = typeof u === 'string' ? Buffer.from(u, 'base64url') : u;
    if (b.length !== 16) throw new ProtocolError(`uuid must be 16 bytes, got ${b.length}`);
    this.ensure(16);
    this.scratch.set(b, this.pos);
    this.pos += 16;
    this.size += 16;
    return this;
  }

  /** An empty TAG_BUFFER. */
  emptyTags(): this {
    return this.uvarint(0);
  }
}

function clampInt64(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw new ProtocolError(`int64 value ${v} out of range`);
  return v;
}

/** Number of bytes the UNSIGNED_VARINT encoding of `v` takes. */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Number of bytes the zigzag VARINT encoding of `v` takes. */
export function varintSize(v: number): number {
  return uvarintSize(v >= 0 ? v * 2 : -v * 2 - 1);
}
