/**
 * PartitionLog: one partition's log on disk. Batches are stored verbatim in segment files; reads
 * return raw bytes located through a sparse offset index; flush() group-commits fsyncs; start-up
 * trusts closed segments and validates only the active segment's tail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  checkHeader,
  HEADER_SIZE,
  LOG_OVERHEAD,
  patchBatch,
  readBaseOffset,
  readBatchSize,
  readLastOffsetDelta,
  readMaxTimestamp,
} from './batch.js';
import { fsyncDir, preadFull, preadFullSync, writeFileAtomic } from './io.js';
import { INDEX_SUFFIX, LOG_SUFFIX, Segment, segmentFileName, TIME_INDEX_SUFFIX, U32_MAX } from './segment.js';

export interface LogConfig {
  /** roll when the active segment would exceed this many bytes (Kafka segment.bytes) */
  segmentBytes: number;
  /** roll when the active segment's first batch was appended longer ago than this (segment.ms) */
  segmentMs: number;
  /** -1 = unlimited; delete whole segments whose largest timestamp is older than now - retentionMs */
  retentionMs: number;
  /** -1 = unlimited; delete oldest whole segments while total size - segment size >= retentionBytes */
  retentionBytes: number;
  /** bytes of batches between two offset index entries (index.interval.bytes) */
  indexIntervalBytes: number;
  /**
   * If set, a batch maxTimestamp more than this far in the future of the append time is booked (time
   * index, retention) at the append time instead, so one bad client clock cannot pin a segment
   * forever. The bytes are never changed. Unset = trust the timestamps (Kafka's default).
   */
  maxTimestampSkewMs?: number;
  /** set for compacted topics (cleanup.policy contains "compact"): see cleaner.ts */
  compaction?: CompactionConfig;
}

export interface CompactionConfig {
  /** tombstones (null values) older than this are removed by the cleaner (delete.retention.ms) */
  deleteRetentionMs: number;
  /** clean once this share of the closed bytes is dirty (min.cleanable.dirty.ratio) */
  minCleanableDirtyRatio: number;
  /** segments with records younger than this are not cleaned yet (min.compaction.lag.ms) */
  minCompactionLagMs: number;
  /** clean regardless of the ratio once a dirty record is this old (max.compaction.lag.ms) */
  maxCompactionLagMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * DAY_MS,
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
};

export interface AppendResult {
  /** offset assigned to the batch's first record */
  baseOffset: number;
  /** offset of the batch's last record (baseOffset + lastOffsetDelta) */
  lastOffset: number;
  /** the append time (ms) the log used (for roll, index, and LogAppendTime topics) */
  logAppendTime: number;
  /** file position of the batch in its segment */
  position: number;
}

export interface ReadResult {
  /** raw bytes, whole batches only, starting at the batch that contains the requested offset */
  records: Buffer[];
  /** total length of `records` */
  bytes: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface SegmentInfo {
  baseOffset: number;
  /** offset after the segment's last batch */
  nextOffset: number;
  sizeBytes: number;
  /** largest batch timestamp in the segment (as booked for retention), -1 if empty */
  maxTimestamp: number;
  /** ms since epoch of the last append (or the file's mtime for segments found on disk) */
  lastModified: number;
  active: boolean;
}

/** What start-up found and repaired (for logging). */
export interface RecoveryReport {
  /** bytes cut off the tail of the active segment (torn or corrupt batch, zero fill) */
  truncatedBytes: number;
  /** why the tail was cut, if it was */
  problem?: string;
  /** segments whose index files were missing or malformed and were rebuilt by scanning */
  rebuiltIndexes: number;
  /** segments wholly below the log start offset removed (retention interrupted by a crash) */
  removedSegments: number;
}

/** Kafka OFFSET_OUT_OF_RANGE (error code 1): the offset is below the log start or past the end. */
export class OffsetOutOfRangeError extends Error {
  override readonly name = 'OffsetOutOfRangeError';
  readonly code = 1;
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly highWatermark: number,
  ) {
    super(
      `offset ${offset} is out of range: the log holds offsets ${logStartOffset} to ${highWatermark - 1} (next ${highWatermark})`,
    );
  }
}

/** The bytes given to append() are not one whole record batch v2. */
export class InvalidBatchError extends Error {
  override readonly name = 'InvalidBatchError';
}

/** The bytes on disk do not parse as batches where the indexes say they should (closed segment damaged). */
export class LogCorruptionError extends Error {
  override readonly name = 'LogCorruptionError';
}

const LOG_START_OFFSET_FILE = 'log-start-offset';
/** a compacted copy of a segment being written by the cleaner */
export const CLEANED_SUFFIX = '.cleaned';
/** a compacted copy, complete and fsynced, about to replace its segment */
const SWAP_SUFFIX = '.swap';
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;
/** header bytes needed to know a batch's offsets and size */
const LOCATE_BYTES = 27;
/** Reads within this many bytes of the active segment's end are served synchronously (page cache). */
const TAIL_READ_SYNC_BYTES = 4 * 1024 * 1024;

export class PartitionLog {
  config: LogConfig;
  /** number of group-commit fsync rounds performed (each round fsyncs every file that needs it) */
  fsyncCount = 0;
  readonly recovery: RecoveryReport;

  private segs: Segment[] = [];
  private startOffset = 0;
  private totalSize = 0;
  private closed = false;
  /** set when an fsync failed: the OS may have dropped the data, so the log refuses further work */
  private failure: Error | null = null;
  private readonly now: () => number;

  private readonly dirtySegments = new Set<Segment>();
  private dirDirty = false;
  private appendSeq = 0;
  private syncedSeq = 0;
  private inFlightSeq = 0;
  private inFlight: Promise<void> | null = null;
  private nextFlush: Promise<void> | null = null;
  private maintenance: Promise<unknown> = Promise.resolve();
  private readonly appendListeners = new Set<(r: AppendResult) => void>();

  private constructor(
    readonly dir: string,
    config: LogConfig,
    now: () => number,
    recovery: RecoveryReport,
  ) {
    this.config = config;
    this.now = now;
    this.recovery = recovery;
  }

  /** Opens (creating if missing) the partition folder `dir` and recovers it. */
  static async open(
    dir: string,
    config: LogConfig,
    opts: { now?: () => number } = {},
  ): Promise<PartitionLog> {
    const now = opts.now ?? Date.now;
    await fs.promises.mkdir(dir, { recursive: true });
    const names = await fs.promises.readdir(dir);
    const bases = new Set<number>();
    for (const n of names) {
      const m = SEGMENT_FILE.exec(n);
      if (m && m[2] === 'log') bases.add(Number(m[1]));
    }
    // an interrupted cleaner pass: `.cleaned` = not finished (the old segment is intact), `.swap` =
    // finished and fsynced (it replaces the old segment; its indexes are rebuilt by scanning)
    for (const n of names) {
      if (n.endsWith(CLEANED_SUFFIX)) await fs.promises.rm(path.join(dir, n), { force: true });
      const swapped = /^(\d{20})\.log\.swap$/.exec(n);
      if (swapped) {
        const base = Number(swapped[1]);
        for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
          await fs.promises.rm(path.join(dir, segmentFileName(base, suffix)), { force: true });
        }
        await fs.promises.rename(path.join(dir, n), path.join(dir, segmentFileName(base, LOG_SUFFIX)));
        bases.add(base);
        await fsyncDir(dir);
      }
    }
    // leftovers: temp files, index files whose log is gone (deletion interrupted by a crash)
    for (const n of names) {
      const m = SEGMENT_FILE.exec(n);
      if (n.endsWith('.tmp') || (m && m[2] !== 'log' && !bases.has(Number(m[1])))) {
        await fs.promises.rm(path.join(dir, n), { force: true });
      }
    }
    const sorted = [...bases].sort((a, b) => a - b);
    const recovery: RecoveryReport = { truncatedBytes: 0, rebuiltIndexes: 0, removedSegments: 0 };
    const storedStart = readLogStartOffset(dir);
    // segments wholly below the stored log start: retention wrote the start, then crashed before unlinking
    while (storedStart !== null && sorted.length > 1 && sorted[1]! <= storedStart) {
      const base = sorted.shift()!;
      for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
        await fs.promises.rm(path.join(dir, segmentFileName(base, suffix)), { force: true });
      }
      recovery.removedSegments++;
    }

    const log = new PartitionLog(dir, config, now, recovery);
    const at = now();
    const timestampOf = (ts: number): number => log.bookedTimestamp(ts, at);
    const interval = config.indexIntervalBytes;
    if (sorted.length === 0) {
      log.segs.push(Segment.create(dir, storedStart ?? 0, at));
      log.dirDirty = true;
    } else {
      for (let i = 0; i < sorted.length - 1; i++) {
        const seg = await Segment.openClosed(dir, sorted[i]!, sorted[i + 1]!, interval, timestampOf);
        if (seg.indexDirty) recovery.rebuiltIndexes++;
        log.segs.push(seg);
      }
      const { segment, truncatedBytes, problem } = await Segment.recoverActive(
        dir,
        sorted[sorted.length - 1]!,
        interval,
        timestampOf,
        at,
      );
      recovery.truncatedBytes = truncatedBytes;
      if (problem !== undefined && truncatedBytes > 0) recovery.problem = problem;
      if (segment.dirty) log.dirtySegments.add(segment);
      log.segs.push(segment);
    }
    for (const s of log.segs) {
      log.totalSize += s.size;
      if (s.indexDirty) log.dirtySegments.add(s);
    }
    log.startOffset = Math.min(Math.max(storedStart ?? 0, log.segs[0]!.baseOffset), log.highWatermark);
    if (storedStart !== log.startOffset) await log.persistStartOffset();
    if (log.dirtySegments.size > 0 || log.dirDirty) await log.flush();
    return log;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Next offset to be assigned (single node: the high watermark is the log end offset). */
  get highWatermark(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    return this.totalSize;
  }

  get segmentCount(): number {
    return this.segs.length;
  }

  segments(): SegmentInfo[] {
    const active = this.active;
    return this.segs.map((s) => ({
      baseOffset: s.baseOffset,
      nextOffset: s.nextOffset,
      sizeBytes: s.size,
      maxTimestamp: s.maxTimestamp,
      lastModified: s.lastModified,
      active: s === active,
    }));
  }

  /** Called synchronously after every append (e.g. to wake long-polling fetches). Returns an unsubscribe. */
  onAppend(listener: (r: AppendResult) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /**
   * Appends ONE record batch v2 (the whole buffer, already validated by the broker). Patches
   * baseOffset (= the high watermark) and partitionLeaderEpoch in place and writes the bytes as they
   * are, synchronously to the OS; rolls first if needed. Durable only after flush().
   */
  append(batch: Buffer, opts: { leaderEpoch?: number; now?: number } = {}): AppendResult {
    this.assertUsable();
    const info = checkHeader(batch, 0, batch.length);
    if (typeof info === 'string') throw new InvalidBatchError(`not a record batch v2: ${info}`);
    if (info.size !== batch.length) {
      throw new InvalidBatchError(`batchLength says ${info.size} bytes but the buffer holds ${batch.length}`);
    }
    const now = opts.now ?? this.now();
    const lastOffsetDelta = info.lastOffset - info.baseOffset;
    let active = this.active;
    if (
      active.size > 0 &&
      (active.size + batch.length > this.config.segmentBytes ||
        now - active.rollBase > this.config.segmentMs ||
        active.nextOffset + lastOffsetDelta - active.baseOffset > U32_MAX ||
        active.size + batch.length > U32_MAX)
    ) {
      active = this.roll(now);
    }
    const baseOffset = active.nextOffset;
    patchBatch(batch, baseOffset, opts.leaderEpoch ?? 0);
    const booked = { ...info, baseOffset, lastOffset: baseOffset + lastOffsetDelta };
    const position = active.append(
      batch,
      booked,
      this.bookedTimestamp(info.maxTimestamp, now),
      this.config.indexIntervalBytes,
      now,
    );
    this.totalSize += batch.length;
    this.appendSeq++;
    this.dirtySegments.add(active);
    const result: AppendResult = { baseOffset, lastOffset: booked.lastOffset, logAppendTime: now, position };
    for (const l of this.appendListeners) l(result);
    return result;
  }

  /**
   * Makes everything appended before this call durable (fsync). Group commit: while an fsync is in
   * flight, later callers share the next one.
   */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve();
    const target = this.appendSeq;
    if (this.inFlight) {
      if (target <= this.inFlightSeq && !this.dirDirty) return this.inFlight;
      this.nextFlush ??= this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.nextFlush = null;
          return this.startSync();
        });
      return this.nextFlush;
    }
    if (this.dirtySegments.size === 0 && !this.dirDirty) return Promise.resolve();
    return this.startSync();
  }

  private startSync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.dirtySegments.size === 0 && !this.dirDirty) return Promise.resolve();
    const seq = this.appendSeq;
    const segs = [...this.dirtySegments];
    this.dirtySegments.clear();
    const dir = this.dirDirty;
    this.dirDirty = false;
    this.inFlightSeq = seq;
    this.fsyncCount++;
    const p = (async () => {
      try {
        await Promise.all(segs.map((s) => (s.retired ? undefined : s.sync())));
        if (dir) await fsyncDir(this.dir);
        this.syncedSeq = Math.max(this.syncedSeq, seq);
      } catch (err) {
        // after a failed fsync the kernel may have dropped the dirty pages: retrying would lie
        this.failure = new Error(
          `fsync failed in ${this.dir}; the log is unusable until reopened: ${String(err)}`,
          {
            cause: err,
          },
        );
        throw this.failure;
      }
    })().finally(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }

  /**
   * Raw bytes from the batch containing `offset` onward: whole batches only, at most `maxBytes` except
   * that the first batch is always returned whole. Empty at the high watermark.
   */
  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    this.assertUsable();
    const hwm = this.highWatermark;
    const lso = this.startOffset;
    if (!Number.isSafeInteger(offset) || offset < lso || offset > hwm)
      throw new OffsetOutOfRangeError(offset, lso, hwm);
    const records: Buffer[] = [];
    let bytes = 0;
    if (offset === hwm) return { records, bytes, highWatermark: hwm, logStartOffset: lso };

    let seg: Segment | undefined = this.segs[this.segmentIndexFor(offset)]!;
    let from: number | null = offset;
    while (seg) {
      const fd = seg.acquire(); // same tick as the range check / retired check: the fd stays valid
      let reachedEnd: boolean;
      try {
        const chunk = await this.readSegment(seg, fd, from, maxBytes - bytes, bytes === 0);
        if (chunk.data) {
          records.push(chunk.data);
          bytes += chunk.data.length;
        }
        reachedEnd = chunk.reachedEnd;
      } finally {
        seg.release();
      }
      if (!reachedEnd || bytes >= maxBytes) break;
      const base: number = seg.baseOffset;
      const i = this.segmentIndexFor(base);
      seg = this.segs[i] && this.segs[i].baseOffset > base ? this.segs[i] : this.segs[i + 1];
      // an empty closed segment (everything in it compacted away) is skipped; the empty active one ends the read
      if (seg && (seg.retired || (seg.size === 0 && seg === this.active))) break;
      from = null;
    }
    return { records, bytes, highWatermark: this.highWatermark, logStartOffset: this.startOffset };
  }

  /**
   * Reads whole batches from one segment: from the batch containing `from` (or the segment start if
   * null) up to `room` bytes (at least one batch if `atLeastOne`). `reachedEnd` = nothing more in it.
   */
  private async readSegment(
    seg: Segment,
    fd: number,
    from: number | null,
    room: number,
    atLeastOne: boolean,
  ): Promise<{ data: Buffer | null; reachedEnd: boolean }> {
    await seg.ensureIndexes(this.config.indexIntervalBytes, (ts) => this.bookedTimestamp(ts, this.now()));
    const limit = seg.size; // snapshot: everything below it is whole batches already written
    // a consumer at the tail reads what was just appended: from the page cache, on this thread
    const syncFrom = seg === this.active ? limit - TAIL_READ_SYNC_BYTES : Number.POSITIVE_INFINITY;
    const win = new Window(fd, limit, syncFrom);
    let pos = from === null ? 0 : seg.positionFor(from);
    const step = Math.max(64 * 1024, 2 * this.config.indexIntervalBytes);
    if (from !== null) {
      // walk from the index entry to the batch containing `from` (at most ~indexIntervalBytes)
      for (;;) {
        if (pos >= limit) return { data: null, reachedEnd: true };
        const at = await win.ensure(pos, LOCATE_BYTES, step);
        if (at < 0) throw new LogCorruptionError(`${seg.logPath}: truncated batch header at position ${pos}`);
        const size = readBatchSize(win.buf, at);
        if (size < HEADER_SIZE || pos + size > limit) {
          throw new LogCorruptionError(`${seg.logPath}: bad batch length ${size} at position ${pos}`);
        }
        if (readBaseOffset(win.buf, at) + readLastOffsetDelta(win.buf, at) >= from) break;
        pos += size;
      }
    }
    // extent: whole batches that fit in `room`
    let end = pos;
    while (end < limit) {
      if (end > pos && end - pos >= room) break;
      // load from `pos` so that the window ends up holding the whole answer: one read, no copy
      const at = await win.ensure(end, LOG_OVERHEAD, Math.max(room, HEADER_SIZE) + LOG_OVERHEAD, pos);
      if (at < 0) break;
      const size = readBatchSize(win.buf, at);
      if (size < HEADER_SIZE || end + size > limit) {
        throw new LogCorruptionError(`${seg.logPath}: bad batch length ${size} at position ${end}`);
      }
      if (end - pos + size > room && !(atLeastOne && end === pos)) break;
      end += size;
    }
    if (end === pos) return { data: null, reachedEnd: pos >= limit };
    return { data: await win.slice(pos, end), reachedEnd: end >= limit };
  }

  /**
   * The first batch whose maxTimestamp >= ts (ListOffsets by timestamp, batch granularity): its base
   * offset and maxTimestamp, or null if no batch is that recent.
   */
  async offsetForTimestamp(ts: number): Promise<{ offset: number; timestamp: number } | null> {
    this.assertUsable();
    for (const seg of [...this.segs]) {
      if (seg.retired || seg.size === 0 || seg.maxTimestamp < ts) continue;
      const fd = seg.acquire();
      try {
        await seg.ensureIndexes(this.config.indexIntervalBytes, (t) => this.bookedTimestamp(t, this.now()));
        const limit = seg.size;
        const win = new Window(fd, limit);
        let pos = seg.positionForTimestamp(ts);
        while (pos < limit) {
          const at = await win.ensure(pos, HEADER_SIZE, 64 * 1024);
          if (at < 0) break;
          const size = readBatchSize(win.buf, at);
          if (size < HEADER_SIZE) break;
          const maxTimestamp = readMaxTimestamp(win.buf, at);
          if (maxTimestamp >= ts) {
            const offset = readBaseOffset(win.buf, at);
            if (offset + readLastOffsetDelta(win.buf, at) >= this.startOffset) {
              return { offset: Math.max(offset, this.startOffset), timestamp: maxTimestamp };
            }
          }
          pos += size;
        }
      } finally {
        seg.release();
      }
    }
    return null;
  }

  /**
   * Deletes whole segments that are expired (retentionMs) or over the size budget (retentionBytes),
   * oldest first, and advances the log start offset. The active segment is rolled first if it must go
   * too, so the next append continues at the old high watermark.
   */
  applyRetention(
    now?: number,
  ): Promise<{ deletedSegments: number; deletedBytes: number; logStartOffset: number }> {
    return this.serialize(async () => {
      this.assertUsable();
      const at = now ?? this.now();
      const { retentionMs, retentionBytes } = this.config;
      const doomed: Segment[] = [];
      let total = this.totalSize;
      for (const s of this.segs) {
        if (s.size === 0 && s === this.active) break;
        const expired = retentionMs >= 0 && at - s.maxTimestamp > retentionMs;
        const oversize = retentionBytes >= 0 && total - s.size >= retentionBytes;
        const belowStart = s.nextOffset <= this.startOffset;
        if (!expired && !oversize && !belowStart) break;
        doomed.push(s);
        total -= s.size;
      }
      return this.removeOldest(doomed, at);
    });
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (at most the high watermark); whole
   * segments below it are deleted. Reads below the new start get OffsetOutOfRangeError.
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    return this.serialize(async () => {
      this.assertUsable();
      const target = Math.min(offset, this.highWatermark);
      if (target <= this.startOffset) return this.startOffset;
      this.startOffset = target;
      const doomed: Segment[] = [];
      for (const s of this.segs) {
        if (s.size === 0 || s.nextOffset > target) break;
        doomed.push(s);
      }
      await this.removeOldest(doomed, this.now());
      await this.persistStartOffset();
      return this.startOffset;
    });
  }

  private async removeOldest(
    doomed: Segment[],
    now: number,
  ): Promise<{ deletedSegments: number; deletedBytes: number; logStartOffset: number }> {
    if (doomed.length === 0) return { deletedSegments: 0, deletedBytes: 0, logStartOffset: this.startOffset };
    if (doomed.includes(this.active)) this.roll(now); // empty active at the high watermark stays
    this.segs.splice(0, doomed.length);
    let deletedBytes = 0;
    for (const s of doomed) {
      deletedBytes += s.size;
      this.dirtySegments.delete(s);
      s.retire(); // reads in flight keep their fd until they finish
    }
    this.totalSize -= deletedBytes;
    this.startOffset = Math.max(this.startOffset, this.segs[0]!.baseOffset);
    await this.persistStartOffset(); // before unlinking: a crash in between is finished at open
    await Promise.all(doomed.map((s) => s.removeFiles()));
    return { deletedSegments: doomed.length, deletedBytes, logStartOffset: this.startOffset };
  }

  /** The closed segments (oldest first), for the cleaner: it reads them but never changes them itself. */
  closedSegments(): Segment[] {
    this.assertUsable();
    return this.segs.slice(0, -1);
  }

  /**
   * Replaces closed segment `old` by the compacted copy at `cleanedPath` (written and fsynced by the
   * cleaner): rename to `.swap`, drop the old indexes, rename over the `.log`, rebuild the indexes.
   * A crash anywhere in between is finished or undone at open(). Returns false (and removes the copy)
   * if the segment was deleted meanwhile.
   */
  replaceSegment(old: Segment, cleanedPath: string): Promise<boolean> {
    return this.serialize(async () => {
      this.assertUsable();
      const i = this.segs.indexOf(old);
      if (i < 0 || i === this.segs.length - 1 || old.retired) {
        await fs.promises.rm(cleanedPath, { force: true });
        return false;
      }
      const swapPath = `${old.logPath}${SWAP_SUFFIX}`;
      await fs.promises.rename(cleanedPath, swapPath);
      await fsyncDir(this.dir);
      this.dirtySegments.delete(old);
      old.retire(); // reads in flight keep reading the old file through their fd
      await fs.promises.rm(old.indexPath, { force: true });
      await fs.promises.rm(old.timeIndexPath, { force: true });
      await fs.promises.rename(swapPath, old.logPath);
      await fsyncDir(this.dir);
      const fresh = await Segment.openClosed(
        this.dir,
        old.baseOffset,
        old.nextOffset,
        this.config.indexIntervalBytes,
        (ts) => this.bookedTimestamp(ts, this.now()),
      );
      this.segs[i] = fresh;
      this.totalSize += fresh.size - old.size;
      this.dirtySegments.add(fresh); // its rebuilt index files get fsynced
      await this.flush();
      return true;
    });
  }

  /** Rolls the active segment if its first batch is older than segmentMs (also checked on append). */
  maybeRoll(now?: number): void {
    this.assertUsable();
    const at = now ?? this.now();
    const active = this.active;
    if (active.size > 0 && at - active.rollBase > this.config.segmentMs) this.roll(at);
  }

  /** fsyncs everything and closes the files. The log cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.maintenance.catch(() => undefined);
    try {
      if (!this.failure) {
        this.active.writePendingIndexEntries(); // so the next start scans only the last few batches
        await this.flush();
      }
      if (this.inFlight) await this.inFlight;
    } finally {
      this.closed = true;
      for (const s of this.segs) s.retire();
    }
  }

  /** Closes the log and removes its folder. */
  async delete(): Promise<void> {
    await this.close().catch(() => undefined);
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }

  // ---- internals ----

  private get active(): Segment {
    return this.segs[this.segs.length - 1]!;
  }

  private roll(now: number): Segment {
    const old = this.active;
    if (old.size === 0) return old;
    const seg = Segment.create(this.dir, old.nextOffset, now);
    this.segs.push(seg);
    this.dirDirty = true;
    try {
      old.seal();
    } catch {
      // the index files are rebuilt by scanning this segment at the next start
      void fs.promises.rm(old.indexPath, { force: true });
    }
    this.dirtySegments.add(old);
    return seg;
  }

  /** Index of the last segment whose base offset <= offset. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segs.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segs[mid]!.baseOffset <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** The timestamp a batch is booked under for the time index and retention. */
  private bookedTimestamp(headerMaxTimestamp: number, now: number): number {
    if (headerMaxTimestamp < 0) return now;
    const skew = this.config.maxTimestampSkewMs;
    if (skew !== undefined && skew >= 0 && headerMaxTimestamp > now + skew) return now;
    return headerMaxTimestamp;
  }

  private async persistStartOffset(): Promise<void> {
    await writeFileAtomic(this.dir, path.join(this.dir, LOG_START_OFFSET_FILE), `${this.startOffset}\n`);
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.maintenance.catch(() => undefined).then(task);
    this.maintenance = run;
    return run;
  }

  private assertUsable(): void {
    if (this.closed) throw new Error(`log ${this.dir} is closed`);
    if (this.failure) throw this.failure;
  }
}

/**
 * A read window over [0, limit) of a file: loads ranges on demand, hands out slices. Ranges that start
 * at or after `syncFrom` are read on the calling thread (see preadFullSync), the others in the pool.
 */
class Window {
  buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private len = 0;

  constructor(
    private readonly fd: number,
    private readonly limit: number,
    private readonly syncFrom = Number.POSITIVE_INFINITY,
  ) {}

  private pread(buf: Buffer, len: number, position: number): Promise<number> | number {
    return position >= this.syncFrom
      ? preadFullSync(this.fd, buf, 0, len, position)
      : preadFull(this.fd, buf, 0, len, position);
  }

  /**
   * Makes [at, at+need) available (if it is not, loading `want` bytes, or more if needed, from
   * `origin` <= at). Returns its index in `buf`, or -1 if the file ends first.
   */
  async ensure(at: number, need: number, want: number, origin = at): Promise<number> {
    if (at >= this.start && at + need <= this.start + this.len) return at - this.start;
    const n = Math.min(Math.max(want, at - origin + need), this.limit - origin);
    if (n < at - origin + need) return -1;
    this.buf = Buffer.allocUnsafe(n);
    this.start = origin;
    this.len = await this.pread(this.buf, n, origin);
    return this.len < at - origin + need ? -1 : at - origin;
  }

  async slice(from: number, to: number): Promise<Buffer> {
    if (from >= this.start && to <= this.start + this.len)
      return this.buf.subarray(from - this.start, to - this.start);
    const b = Buffer.allocUnsafe(to - from);
    const got = await this.pread(b, to - from, from);
    return b.subarray(0, got);
  }
}

function readLogStartOffset(dir: string): number | null {
  try {
    const n = Number(fs.readFileSync(path.join(dir, LOG_START_OFFSET_FILE), 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}
