/**
 * In-memory sparse indexes of one segment, and their file formats (big-endian, fixed-size entries):
 * - `.index`: relative offset u32 + file position u32 (8 bytes). An entry names the START of a batch:
 *   the batch whose baseOffset is `segmentBase + rel` begins at `pos`. Position 0 is implicit.
 * - `.timeindex`: timestamp i64 + relative offset u32 (12 bytes). An entry says "the largest batch
 *   maxTimestamp of this segment up to here is `ts`, first reached by the batch at `segmentBase + rel`".
 *   Timestamps strictly increase from entry to entry.
 */

export const OFFSET_ENTRY_SIZE = 8;
export const TIME_ENTRY_SIZE = 12;

function grow<T extends Uint32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let len = a.length * 2;
  while (len < need) len *= 2;
  const b = new (a.constructor as new (n: number) => T)(len);
  b.set(a);
  return b;
}

export class OffsetIndex {
  rel = new Uint32Array(16);
  pos = new Uint32Array(16);
  n = 0;

  push(rel: number, pos: number): void {
    this.rel = grow(this.rel, this.n + 1);
    this.pos = grow(this.pos, this.n + 1);
    this.rel[this.n] = rel;
    this.pos[this.n] = pos;
    this.n++;
  }

  /** Index of the last entry with rel <= target, or -1. */
  floor(target: number): number {
    let lo = 0;
    let hi = this.n - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! <= target) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** File position of the batch to start walking from to find relative offset `target`. */
  positionFor(target: number): { rel: number; pos: number } {
    const i = this.floor(target);
    return i < 0 ? { rel: 0, pos: 0 } : { rel: this.rel[i]!, pos: this.pos[i]! };
  }

  encode(from = 0): Buffer {
    const b = Buffer.allocUnsafe((this.n - from) * OFFSET_ENTRY_SIZE);
    for (let i = from; i < this.n; i++) {
      const at = (i - from) * OFFSET_ENTRY_SIZE;
      b.writeUInt32BE(this.rel[i]!, at);
      b.writeUInt32BE(this.pos[i]!, at + 4);
    }
    return b;
  }

  /**
   * Parses a `.index` file, keeping the longest valid prefix: relative offsets and positions strictly
   * increasing, positions inside (0, logSize), relative offsets below `relLimit`. `valid` is false if
   * anything had to be dropped.
   */
  static decode(b: Buffer, logSize: number, relLimit: number): { index: OffsetIndex; valid: boolean } {
    const index = new OffsetIndex();
    const count = Math.floor(b.length / OFFSET_ENTRY_SIZE);
    let valid = b.length % OFFSET_ENTRY_SIZE === 0;
    let prevRel = 0;
    let prevPos = 0;
    for (let i = 0; i < count; i++) {
      const rel = b.readUInt32BE(i * OFFSET_ENTRY_SIZE);
      const pos = b.readUInt32BE(i * OFFSET_ENTRY_SIZE + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize || rel >= relLimit) {
        valid = false;
        break;
      }
      index.push(rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    return { index, valid };
  }
}

export class TimeIndex {
  ts = new Float64Array(16);
  rel = new Uint32Array(16);
  n = 0;

  get lastTimestamp(): number {
    return this.n === 0 ? -1 : this.ts[this.n - 1]!;
  }

  push(ts: number, rel: number): void {
    this.ts = grow(this.ts, this.n + 1);
    this.rel = grow(this.rel, this.n + 1);
    this.ts[this.n] = ts;
    this.rel[this.n] = rel;
    this.n++;
  }

  /** Relative offset to start scanning from for the first batch with maxTimestamp >= ts. */
  startFor(ts: number): number {
    // last entry with timestamp < ts: every batch before its offset has a smaller timestamp
    let lo = 0;
    let hi = this.n - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < ts) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans < 0 ? 0 : this.rel[ans]!;
  }

  truncateToRel(maxRel: number): void {
    while (this.n > 0 && this.rel[this.n - 1]! > maxRel) this.n--;
  }

  encode(from = 0): Buffer {
    const b = Buffer.allocUnsafe((this.n - from) * TIME_ENTRY_SIZE);
    for (let i = from; i < this.n; i++) {
      const at = (i - from) * TIME_ENTRY_SIZE;
      b.writeBigInt64BE(BigInt(this.ts[i]!), at);
      b.writeUInt32BE(this.rel[i]!, at + 8);
    }
    return b;
  }

  /** Parses a `.timeindex` file, keeping the longest valid prefix (see OffsetIndex.decode). */
  static decode(b: Buffer, relLimit: number): { index: TimeIndex; valid: boolean } {
    const index = new TimeIndex();
    const count = Math.floor(b.length / TIME_ENTRY_SIZE);
    let valid = b.length % TIME_ENTRY_SIZE === 0;
    let prevTs = -Infinity;
    let prevRel = 0;
    for (let i = 0; i < count; i++) {
      const ts = Number(b.readBigInt64BE(i * TIME_ENTRY_SIZE));
      const rel = b.readUInt32BE(i * TIME_ENTRY_SIZE + 8);
      if (ts <= prevTs || rel < prevRel || rel >= relLimit) {
        valid = false;
        break;
      }
      index.push(ts, rel);
      prevTs = ts;
      prevRel = rel;
    }
    return { index, valid };
  }
}
