/**
 * One segment: `<base>.log` (concatenated record batches, verbatim), `<base>.index` and
 * `<base>.timeindex` (see indexes.ts). The segment knows its files, its sparse indexes and a few
 * numbers; it never holds record data in memory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BatchInfo, checkHeader, crcMatches, HEADER_SIZE } from './batch.js';
import { OFFSET_ENTRY_SIZE, OffsetIndex, TIME_ENTRY_SIZE, TimeIndex } from './indexes.js';
import { closeFd, fsync, openRw, preadFull, pwriteAllSync } from './io.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

export const segmentFileName = (baseOffset: number, suffix: string): string =>
  String(baseOffset).padStart(20, '0') + suffix;

/** Largest relative offset / file position an index entry can hold. */
export const U32_MAX = 0xffffffff;

/** Maps a batch header's maxTimestamp to the timestamp the log books it under. */
export type TimestampOf = (headerMaxTimestamp: number) => number;

const SCAN_CHUNK = 1 << 20;
/**
 * Index entries of the active segment kept in memory only before they are written out anyway: at the
 * default index.interval.bytes (4 KiB) that is at most ~128 KiB of log to re-scan after a crash.
 */
const MAX_PENDING_INDEX_ENTRIES = 32;

export interface ScanResult {
  /** file position just after the last good batch */
  end: number;
  /** offset after the last good batch (or the expected first offset if none) */
  nextOffset: number;
  /** why the scan stopped before `limit`, if it did */
  problem?: string;
}

/**
 * Walks the batches of `fd` in [from, limit), checking each header, the offset sequence and
 * (if `verifyCrc`) the CRC-32C, calling `onBatch` for each good one. Reads in large chunks.
 */
export async function scanBatches(
  fd: number,
  from: number,
  limit: number,
  expectedOffset: number,
  verifyCrc: boolean,
  onBatch: (pos: number, info: BatchInfo) => void,
  /** compacted segments have offset gaps between batches (never overlaps) */
  allowGaps = false,
): Promise<ScanResult> {
  let buf = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, Math.max(limit - from, HEADER_SIZE)));
  let bufStart = from;
  let bufLen = 0;
  let pos = from;
  let next = expectedOffset;
  while (pos < limit) {
    // make sure the header (and, for CRC, the whole batch) is in the buffer
    const ensure = async (need: number): Promise<number> => {
      if (pos >= bufStart && pos + need <= bufStart + bufLen) return pos - bufStart;
      const want = Math.min(Math.max(need, SCAN_CHUNK), limit - pos);
      if (buf.length < want) buf = Buffer.allocUnsafe(want);
      bufStart = pos;
      bufLen = await preadFull(fd, buf, 0, want, pos);
      return 0;
    };
    let at = await ensure(Math.min(HEADER_SIZE, limit - pos));
    const info = checkHeader(buf, at, Math.min(bufStart + bufLen, limit) - pos);
    if (typeof info === 'string')
      return { end: pos, nextOffset: next, problem: `at position ${pos}: ${info}` };
    if (allowGaps ? info.baseOffset < next : info.baseOffset !== next) {
      return {
        end: pos,
        nextOffset: next,
        problem: `at position ${pos}: baseOffset ${info.baseOffset}, expected ${next}`,
      };
    }
    if (pos + info.size > limit) {
      return {
        end: pos,
        nextOffset: next,
        problem: `at position ${pos}: batch of ${info.size} bytes is cut off`,
      };
    }
    if (verifyCrc) {
      at = await ensure(info.size);
      if (bufLen - at < info.size) {
        return { end: pos, nextOffset: next, problem: `at position ${pos}: batch is cut off` };
      }
      if (!crcMatches(buf, at, info.size))
        return { end: pos, nextOffset: next, problem: `at position ${pos}: CRC mismatch` };
    }
    onBatch(pos, info);
    pos += info.size;
    next = info.lastOffset + 1;
  }
  return { end: pos, nextOffset: next };
}

export class Segment {
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;

  /** bytes in the .log file that belong to the log */
  size = 0;
  /** offset after the last batch of this segment */
  nextOffset: number;
  /** largest batch timestamp (as booked, see TimestampOf), -1 if empty */
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** when the first batch was appended (ms), -1 if empty: segment.ms rolls relative to it */
  rollBase = -1;
  lastModified = 0;

  /** null for closed segments until first needed (loaded lazily from the files) */
  private offsetIndex: OffsetIndex | null = null;
  private timeIndex: TimeIndex | null = null;
  private loading: Promise<void> | null = null;
  private bytesSinceIndexEntry = 0;
  /** entries [0, n) of each index are in the files (active segment only) */
  private writtenOffsetEntries = 0;
  private writtenTimeEntries = 0;

  private fd = -1;
  private indexFd = -1;
  private timeIndexFd = -1;
  private refs = 0;
  /** removed from the log (deleted or closed): fds close once the last user releases them */
  retired = false;
  /** log bytes written since the last fsync */
  dirty = false;
  /** index files rewritten/finalized and not yet fsynced (closed segments are trusted via them) */
  indexDirty = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
  ) {
    this.logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    this.indexPath = path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
    this.timeIndexPath = path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX));
    this.nextOffset = baseOffset;
  }

  get isActive(): boolean {
    return this.indexFd >= 0;
  }

  /** A new, empty, active segment (files created or emptied). */
  static create(dir: string, baseOffset: number, now: number): Segment {
    const s = new Segment(dir, baseOffset);
    s.fd = openRw(s.logPath);
    s.indexFd = openRw(s.indexPath);
    s.timeIndexFd = openRw(s.timeIndexPath);
    fs.ftruncateSync(s.fd, 0);
    fs.ftruncateSync(s.indexFd, 0);
    fs.ftruncateSync(s.timeIndexFd, 0);
    s.offsetIndex = new OffsetIndex();
    s.timeIndex = new TimeIndex();
    s.lastModified = now;
    return s;
  }

  /**
   * A closed segment, trusted through its index files: only sizes and the last time index entry are
   * read. Missing or malformed index files are rebuilt by scanning this segment.
   */
  static async openClosed(
    dir: string,
    baseOffset: number,
    nextSegmentBase: number,
    indexIntervalBytes: number,
    timestampOf: TimestampOf,
  ): Promise<Segment> {
    const s = new Segment(dir, baseOffset);
    const st = fs.statSync(s.logPath);
    s.size = st.size;
    s.lastModified = st.mtimeMs;
    s.nextOffset = nextSegmentBase;
    const idx = statOrNull(s.indexPath);
    const tidx = statOrNull(s.timeIndexPath);
    const ok =
      idx !== null &&
      tidx !== null &&
      idx.size % OFFSET_ENTRY_SIZE === 0 &&
      tidx.size % TIME_ENTRY_SIZE === 0 &&
      (tidx.size > 0 || s.size === 0);
    if (!ok) {
      await s.rebuildIndexes(indexIntervalBytes, timestampOf);
      return s;
    }
    if (tidx.size > 0) {
      const fd = fs.openSync(s.timeIndexPath, 'r');
      try {
        const last = Buffer.alloc(TIME_ENTRY_SIZE);
        fs.readSync(fd, last, 0, TIME_ENTRY_SIZE, tidx.size - TIME_ENTRY_SIZE);
        s.maxTimestamp = Number(last.readBigInt64BE(0));
        s.offsetOfMaxTimestamp = baseOffset + last.readUInt32BE(8);
      } finally {
        fs.closeSync(fd);
      }
    }
    return s;
  }

  /**
   * The active (last) segment after a restart: load its indexes, then validate every batch from the
   * last index entry to the end of the file (length, offsets, CRC-32C). A torn or corrupt tail is cut
   * off (file and indexes) at the last good batch.
   */
  static async recoverActive(
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    timestampOf: TimestampOf,
    now: number,
  ): Promise<{ segment: Segment; truncatedBytes: number; problem?: string }> {
    const s = new Segment(dir, baseOffset);
    s.fd = openRw(s.logPath);
    s.indexFd = openRw(s.indexPath);
    s.timeIndexFd = openRw(s.timeIndexPath);
    const st = fs.fstatSync(s.fd);
    const fileSize = st.size;
    s.lastModified = st.mtimeMs;
    const relLimit = U32_MAX + 1;
    const storedOffsets = OffsetIndex.decode(fs.readFileSync(s.indexPath), fileSize, relLimit).index;
    const storedTimes = TimeIndex.decode(fs.readFileSync(s.timeIndexPath), relLimit).index;

    // Walk from the last index entry; if the batch it names is not good, walk the whole segment.
    const walk = async (fromEntry: boolean): Promise<ScanResult> => {
      const oi = fromEntry ? storedOffsets : new OffsetIndex();
      const ti = fromEntry ? storedTimes : new TimeIndex();
      const from = fromEntry ? oi.pos[oi.n - 1]! : 0;
      const startOffset = fromEntry ? baseOffset + oi.rel[oi.n - 1]! : baseOffset;
      if (fromEntry) ti.truncateToRel(oi.rel[oi.n - 1]!);
      s.offsetIndex = oi;
      s.timeIndex = ti;
      s.maxTimestamp = ti.n > 0 ? ti.lastTimestamp : -1;
      s.offsetOfMaxTimestamp = ti.n > 0 ? baseOffset + ti.rel[ti.n - 1]! : -1;
      s.size = from;
      s.nextOffset = startOffset;
      s.bytesSinceIndexEntry = 0;
      return scanBatches(s.fd, from, fileSize, startOffset, true, (pos, info) =>
        s.track(pos, info, timestampOf(info.maxTimestamp), indexIntervalBytes),
      );
    };
    let result: ScanResult;
    if (storedOffsets.n > 0) {
      const entryPos = storedOffsets.pos[storedOffsets.n - 1]!;
      result = await walk(true);
      if (result.end === entryPos) result = await walk(false);
    } else {
      result = await walk(false);
    }
    let truncatedBytes = 0;
    if (result.end < fileSize) {
      truncatedBytes = fileSize - result.end;
      fs.ftruncateSync(s.fd, result.end);
      s.dirty = true;
    }
    // rewrite both index files from memory (small), so they match the validated log exactly
    s.writtenOffsetEntries = 0;
    s.writtenTimeEntries = 0;
    s.writeIndexEntries(true);
    if (s.size > 0) {
      const h = Buffer.alloc(HEADER_SIZE);
      await preadFull(s.fd, h, 0, HEADER_SIZE, 0);
      const first = checkHeader(h, 0, HEADER_SIZE);
      const ts = typeof first === 'string' ? -1 : first.maxTimestamp;
      s.rollBase = ts >= 0 && ts <= now ? ts : now;
    }
    return { segment: s, truncatedBytes, problem: result.problem };
  }

  /**
   * Books one batch written at `pos` into the in-memory indexes (the caller writes the files).
   * Index entries go in every `indexIntervalBytes`, before the batch that crosses the interval.
   */
  track(pos: number, info: BatchInfo, ts: number, indexIntervalBytes: number): void {
    const oi = this.offsetIndex!;
    const ti = this.timeIndex!;
    if (ts > this.maxTimestamp) {
      this.maxTimestamp = ts;
      this.offsetOfMaxTimestamp = info.baseOffset;
    }
    if (
      this.bytesSinceIndexEntry >= indexIntervalBytes &&
      pos > 0 &&
      (oi.n === 0 || oi.pos[oi.n - 1]! < pos)
    ) {
      oi.push(info.baseOffset - this.baseOffset, pos);
      if (this.maxTimestamp > ti.lastTimestamp)
        ti.push(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += info.size;
    this.size = pos + info.size;
    this.nextOffset = info.lastOffset + 1;
  }

  /** Appends index entries not yet in the files (or rewrites the files entirely if `rewrite`). */
  writeIndexEntries(rewrite = false): void {
    const oi = this.offsetIndex!;
    const ti = this.timeIndex!;
    if (rewrite) {
      this.writtenOffsetEntries = 0;
      this.writtenTimeEntries = 0;
    }
    const ifd = this.indexFd >= 0 ? this.indexFd : openRw(this.indexPath);
    const tfd = this.timeIndexFd >= 0 ? this.timeIndexFd : openRw(this.timeIndexPath);
    try {
      if (oi.n > this.writtenOffsetEntries) {
        pwriteAllSync(
          ifd,
          oi.encode(this.writtenOffsetEntries),
          this.writtenOffsetEntries * OFFSET_ENTRY_SIZE,
        );
        this.writtenOffsetEntries = oi.n;
      }
      if (ti.n > this.writtenTimeEntries) {
        pwriteAllSync(tfd, ti.encode(this.writtenTimeEntries), this.writtenTimeEntries * TIME_ENTRY_SIZE);
        this.writtenTimeEntries = ti.n;
      }
      if (rewrite) {
        fs.ftruncateSync(ifd, oi.n * OFFSET_ENTRY_SIZE);
        fs.ftruncateSync(tfd, ti.n * TIME_ENTRY_SIZE);
      }
    } finally {
      if (ifd !== this.indexFd) fs.closeSync(ifd);
      if (tfd !== this.timeIndexFd) fs.closeSync(tfd);
    }
  }

  /** Writes `batch` at the end of the active segment (synchronously, to the OS) and indexes it. */
  append(batch: Buffer, info: BatchInfo, ts: number, indexIntervalBytes: number, now: number): number {
    const pos = this.size;
    try {
      pwriteAllSync(this.fd, batch, pos);
    } catch (err) {
      try {
        fs.ftruncateSync(this.fd, pos); // do not leave a partial batch behind
      } catch {
        // recovery will cut it off
      }
      throw err;
    }
    if (this.rollBase < 0) this.rollBase = now;
    this.lastModified = now;
    this.dirty = true;
    this.track(pos, info, ts, indexIntervalBytes);
    // The index files trail the in-memory index by up to MAX_PENDING_INDEX_ENTRIES (written in one
    // pwrite per file, not two pwrites per batch). They are never fsynced while the segment is active:
    // recovery walks from the last entry in the files, so entries that never reached them cost a
    // slightly longer scan at start-up, never a wrong answer.
    if (this.offsetIndex!.n - this.writtenOffsetEntries >= MAX_PENDING_INDEX_ENTRIES) {
      this.writePendingIndexEntries();
    }
    return pos;
  }

  /** Writes the index entries not yet in the files (the in-memory index stays authoritative on failure). */
  writePendingIndexEntries(): void {
    try {
      this.writeIndexEntries();
    } catch {
      // the in-memory index is authoritative; the files are rewritten when the segment is closed
      this.writtenOffsetEntries = 0;
      this.writtenTimeEntries = 0;
    }
  }

  /**
   * The segment stops being active: the time index gets a final entry with the segment's largest
   * timestamp (so retention after a restart only needs the last entry) and the index fds close.
   */
  seal(): void {
    const ti = this.timeIndex!;
    if (this.maxTimestamp > ti.lastTimestamp)
      ti.push(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
    const rewrite = this.writtenOffsetEntries === 0 && this.writtenTimeEntries === 0;
    this.writeIndexEntries(rewrite);
    fs.closeSync(this.indexFd);
    fs.closeSync(this.timeIndexFd);
    this.indexFd = -1;
    this.timeIndexFd = -1;
    this.indexDirty = true;
  }

  /** Loads the index files of a closed segment (once), rebuilding them if they are not plausible. */
  ensureIndexes(indexIntervalBytes: number, timestampOf: TimestampOf): Promise<void> {
    if (this.offsetIndex && this.timeIndex) return Promise.resolve();
    this.loading ??= (async () => {
      const relLimit = Math.min(this.nextOffset - this.baseOffset, U32_MAX + 1);
      try {
        const oi = OffsetIndex.decode(await fs.promises.readFile(this.indexPath), this.size, relLimit);
        const ti = TimeIndex.decode(await fs.promises.readFile(this.timeIndexPath), relLimit);
        if (oi.valid && ti.valid) {
          this.offsetIndex = oi.index;
          this.timeIndex = ti.index;
          return;
        }
      } catch {
        // missing: rebuild
      }
      await this.rebuildIndexes(indexIntervalBytes, timestampOf);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /**
   * Rebuilds both index files of a closed segment by scanning it (only this segment). A bad batch
   * ends the segment there: the file is cut at the last good batch.
   */
  private async rebuildIndexes(indexIntervalBytes: number, timestampOf: TimestampOf): Promise<void> {
    const fd = this.acquire();
    try {
      const fileSize = fs.fstatSync(fd).size;
      this.offsetIndex = new OffsetIndex();
      this.timeIndex = new TimeIndex();
      this.maxTimestamp = -1;
      this.offsetOfMaxTimestamp = -1;
      this.bytesSinceIndexEntry = 0;
      this.size = 0;
      const expectedNext = this.nextOffset;
      const result = await scanBatches(
        fd,
        0,
        fileSize,
        this.baseOffset,
        true,
        (pos, info) => this.track(pos, info, timestampOf(info.maxTimestamp), indexIntervalBytes),
        true,
      );
      if (this.retired) return; // deleted meanwhile: the in-memory indexes serve the reads in flight
      if (result.end < fileSize) {
        const wfd = fs.openSync(this.logPath, 'r+');
        try {
          fs.ftruncateSync(wfd, result.end);
          await fsync(wfd);
        } finally {
          fs.closeSync(wfd);
        }
      }
      // closed segments span up to the next segment's base, even if the scan found a gap before it
      this.nextOffset = Math.max(expectedNext, this.nextOffset);
      const ti = this.timeIndex;
      if (this.maxTimestamp > ti.lastTimestamp)
        ti.push(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
      this.writeIndexEntries(true);
      this.indexDirty = true;
    } finally {
      this.release();
    }
  }

  /** File position to start walking from to find `offset` (index must be loaded). */
  positionFor(offset: number): number {
    return this.offsetIndex!.positionFor(offset - this.baseOffset).pos;
  }

  /** File position to start walking from to find the first batch with maxTimestamp >= ts. */
  positionForTimestamp(ts: number): number {
    const rel = this.timeIndex!.startFor(ts);
    return this.offsetIndex!.positionFor(rel).pos;
  }

  /** Borrows the log fd (opening closed segments lazily); pair with release(). */
  acquire(): number {
    if (this.fd < 0) this.fd = fs.openSync(this.logPath, 'r');
    this.refs++;
    return this.fd;
  }

  release(): void {
    this.refs--;
    if (this.retired && this.refs === 0) void this.closeFds();
  }

  /** Removed from the log: fds close as soon as no read or fsync is using them. */
  retire(): void {
    this.retired = true;
    if (this.refs === 0) void this.closeFds();
  }

  private async closeFds(): Promise<void> {
    const fds = [this.fd, this.indexFd, this.timeIndexFd].filter((fd) => fd >= 0);
    this.fd = this.indexFd = this.timeIndexFd = -1;
    await Promise.all(fds.map((fd) => closeFd(fd).catch(() => undefined)));
  }

  /** fsyncs the log file, and the index files if this segment is closed and they changed. */
  async sync(): Promise<void> {
    const fd = this.acquire();
    try {
      this.dirty = false;
      await fsync(fd);
      if (this.indexDirty && !this.isActive) {
        this.indexDirty = false;
        for (const p of [this.indexPath, this.timeIndexPath]) {
          const ifd = fs.openSync(p, 'r');
          try {
            await fsync(ifd);
          } finally {
            fs.closeSync(ifd);
          }
        }
      }
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      this.release();
    }
  }

  async removeFiles(): Promise<void> {
    await Promise.all(
      [this.logPath, this.indexPath, this.timeIndexPath].map((p) =>
        fs.promises.unlink(p).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        }),
      ),
    );
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
