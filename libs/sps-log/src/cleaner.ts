/**
 * The log cleaner (Kafka's log compaction) for partitions whose topic has cleanup.policy=compact:
 * it keeps the latest record of every key, and removes tombstones (null values) once they are older
 * than delete.retention.ms. It only ever rewrites CLOSED segments; the active one is left alone.
 *
 * One pass over a partition:
 * 1. `firstDirty` (persisted in `cleaner-checkpoint`) splits the closed segments into a clean head
 *    (already compacted) and a dirty tail. If dirty bytes / closed bytes < min.cleanable.dirty.ratio
 *    (and no dirty segment is older than max.compaction.lag.ms) there is nothing to do.
 * 2. A key map (16-byte MD5 of the key -> latest offset) is built over the dirty segments whose
 *    newest record is older than min.compaction.lag.ms. The map holds at most `maxKeys` entries:
 *    when full, the pass covers only the offsets mapped so far (`endOffset`), the rest waits.
 * 3. Every closed segment below `endOffset` is copied to `<segment>.log.cleaned` without the records
 *    the map supersedes and without expired tombstones; the copy is fsynced and swapped in
 *    (PartitionLog.replaceSegment, crash-safe). Offsets never change, so the log gets gaps.
 *
 * Batches: kept byte for byte when nothing in them was dropped; otherwise rebuilt from the records
 * kept (same baseOffset, lastOffsetDelta, timestamps and producer fields; CRC recomputed) and
 * compressed again with the same codec, except zstd (this code base cannot write zstd), which is
 * stored uncompressed. A batch with no record left is dropped: idempotent producers' state lives in
 * producer snapshots, not in the closed segments. Control batches are kept as they are.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { compressRecords, decompressRecords } from '@orders/kafka-protocol';
import { crc32c } from '@node-rs/crc32';
import {
  ATTRIBUTES,
  BATCH_LENGTH,
  CRC,
  HEADER_SIZE,
  LOG_OVERHEAD,
  readBaseOffset,
  readBatchSize,
  RECORD_COUNT,
} from './batch.js';
import { writeFileAtomic } from './io.js';
import { CLEANED_SUFFIX, type PartitionLog } from './log.js';
import type { Segment } from './segment.js';

export const CLEANER_CHECKPOINT_FILE = 'cleaner-checkpoint';
/** Default key map capacity per pass (16-byte hashes: well under 100 MB even when full). */
export const DEFAULT_CLEANER_MAX_KEYS = 1_000_000;

const BASE_TIMESTAMP = 27;
const CODEC_MASK = 0x07;
const TRANSACTIONAL_MASK = 0x10;
const CONTROL_MASK = 0x20;
const ZSTD = 4;
const READ_CHUNK = 1 << 20;

export interface CleanOptions {
  /** the time the pass runs at (ms); defaults to Date.now() */
  now?: number;
  /** key map capacity for this pass */
  maxKeys?: number;
}

export interface CleanResult {
  /** false: not a compacted log, or not dirty enough, or nothing old enough to clean */
  cleaned: boolean;
  segmentsRewritten: number;
  recordsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
  /** offsets below this are compacted (the new cleaner checkpoint) */
  firstDirtyOffset: number;
}

interface ParsedRecord {
  /** [start, end) of the whole record (length varint included) in the records region */
  start: number;
  end: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  valueIsNull: boolean;
}

/** Runs one cleaner pass over `log` if its config asks for compaction and it is dirty enough. */
export async function cleanLog(log: PartitionLog, opts: CleanOptions = {}): Promise<CleanResult> {
  const cfg = log.config.compaction;
  const now = opts.now ?? Date.now();
  const maxKeys = opts.maxKeys ?? DEFAULT_CLEANER_MAX_KEYS;
  const checkpoint = Math.max(readCheckpoint(log.dir) ?? 0, log.logStartOffset);
  const nothing: CleanResult = {
    cleaned: false,
    segmentsRewritten: 0,
    recordsRemoved: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    firstDirtyOffset: checkpoint,
  };
  if (!cfg) return nothing;
  const closed = log.closedSegments();
  const total = closed.reduce((n, s) => n + s.size, 0);
  const dirty = closed.filter((s) => s.nextOffset > checkpoint);
  const dirtyBytes = dirty.reduce((n, s) => n + s.size, 0);
  // the lag rules work on whole segments: a segment is cleanable once its newest record is old enough
  const cleanable: Segment[] = [];
  for (const s of dirty) {
    if (s.maxTimestamp > now - cfg.minCompactionLagMs) break;
    cleanable.push(s);
  }
  if (cleanable.length === 0 || total === 0) return nothing;
  const overdue = cleanable[0]!.maxTimestamp < now - cfg.maxCompactionLagMs;
  if (dirtyBytes / total < cfg.minCleanableDirtyRatio && !overdue) return nothing;

  // 2. key map over the cleanable dirty offsets
  const latest = new Map<string, number>();
  let endOffset = cleanable[cleanable.length - 1]!.nextOffset;
  mapping: for (const seg of cleanable) {
    for await (const batch of batchesOf(seg)) {
      for (const r of recordsOf(batch)?.records ?? []) {
        if (r.offset < checkpoint || r.key === null) continue;
        const h = keyHash(r.key);
        if (!latest.has(h) && latest.size >= maxKeys) {
          endOffset = r.offset;
          break mapping;
        }
        latest.set(h, r.offset);
      }
    }
    await yieldToEventLoop();
  }

  // 3. rewrite every closed segment below endOffset that loses something
  const tombstoneHorizon = now - cfg.deleteRetentionMs;
  const result: CleanResult = { ...nothing, cleaned: true, firstDirtyOffset: endOffset };
  for (const seg of closed) {
    if (seg.baseOffset >= endOffset) break;
    const cleanedPath = `${seg.logPath}${CLEANED_SUFFIX}`;
    const out = await fs.promises.open(cleanedPath, 'w');
    let removed = 0;
    let written = 0;
    try {
      for await (const batch of batchesOf(seg)) {
        const parsed = recordsOf(batch);
        if (!parsed) {
          written += await writeAll(out, batch); // control or transactional batch: kept as is
          continue;
        }
        const kept = parsed.records.filter((r) => {
          if (r.offset >= endOffset) return true;
          if (r.key !== null) {
            const newest = latest.get(keyHash(r.key));
            if (newest !== undefined && newest > r.offset) return false;
          }
          return !(r.valueIsNull && r.timestamp < tombstoneHorizon);
        });
        removed += parsed.records.length - kept.length;
        if (kept.length === parsed.records.length) written += await writeAll(out, batch);
        else if (kept.length > 0) written += await writeAll(out, rebuildBatch(batch, parsed.region, kept));
      }
      if (removed > 0) await out.sync();
    } finally {
      await out.close();
    }
    if (removed === 0) {
      await fs.promises.rm(cleanedPath, { force: true });
    } else {
      const before = seg.size;
      if (await log.replaceSegment(seg, cleanedPath)) {
        result.segmentsRewritten++;
        result.recordsRemoved += removed;
        result.bytesBefore += before;
        result.bytesAfter += written;
      }
    }
    await yieldToEventLoop();
  }
  await writeCheckpoint(log.dir, endOffset);
  return result;
}

/** The whole batches of a closed segment, one Buffer each, read in large chunks. */
async function* batchesOf(seg: Segment): AsyncGenerator<Buffer> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(seg.logPath, 'r');
  } catch {
    return; // deleted by retention meanwhile
  }
  try {
    const limit = seg.size;
    let pos = 0;
    let buf = Buffer.alloc(0);
    let bufStart = 0;
    while (pos < limit) {
      const need = async (n: number): Promise<Buffer | null> => {
        if (pos >= bufStart && pos + n <= bufStart + buf.length) return buf;
        const len = Math.min(Math.max(n, READ_CHUNK), limit - pos);
        if (len < n) return null;
        const b = Buffer.allocUnsafe(len);
        const { bytesRead } = await fh.read(b, 0, len, pos);
        buf = b.subarray(0, bytesRead);
        bufStart = pos;
        return bytesRead >= n ? buf : null;
      };
      if (!(await need(HEADER_SIZE))) return;
      const size = readBatchSize(buf, pos - bufStart);
      if (size < HEADER_SIZE || !(await need(size))) return;
      yield Buffer.from(buf.subarray(pos - bufStart, pos - bufStart + size));
      pos += size;
    }
  } finally {
    await fh.close();
  }
}

/**
 * The records of a data batch (decompressed region + where each record is), or null for batches the
 * cleaner keeps byte for byte and leaves out of the key map: control batches (transaction markers)
 * and transactional batches. An aborted record must never supersede a committed one, and a marker
 * must never be dropped (read_committed and the producer state rebuilt at start-up rely on them);
 * Kafka removes aborted data only later, keeping it all is correct and simpler.
 */
function recordsOf(batch: Buffer): { region: Buffer; records: ParsedRecord[] } | null {
  const attributes = batch.readInt16BE(ATTRIBUTES);
  if (attributes & (CONTROL_MASK | TRANSACTIONAL_MASK)) return null;
  const region = decompressRecords(attributes & CODEC_MASK, batch.subarray(HEADER_SIZE));
  const baseOffset = readBaseOffset(batch);
  const baseTimestamp = Number(batch.readBigInt64BE(BASE_TIMESTAMP));
  const count = batch.readInt32BE(RECORD_COUNT);
  const records: ParsedRecord[] = [];
  const cur = { p: 0 };
  for (let i = 0; i < count && cur.p < region.length; i++) {
    const start = cur.p;
    const len = varint(region, cur);
    const end = cur.p + len;
    cur.p += 1; // record attributes
    const tsDelta = varint(region, cur);
    const offsetDelta = varint(region, cur);
    const keyLen = varint(region, cur);
    const key = keyLen < 0 ? null : region.subarray(cur.p, cur.p + keyLen);
    if (keyLen > 0) cur.p += keyLen;
    const valueLen = varint(region, cur);
    records.push({
      start,
      end,
      offset: baseOffset + offsetDelta,
      timestamp: baseTimestamp + tsDelta,
      key,
      valueIsNull: valueLen < 0,
    });
    cur.p = end;
  }
  return { region, records };
}

/** A batch holding only `kept` (a subset of its records): header fields kept, count/length/CRC new. */
function rebuildBatch(batch: Buffer, region: Buffer, kept: ParsedRecord[]): Buffer {
  const attributes = batch.readInt16BE(ATTRIBUTES);
  const codec = (attributes & CODEC_MASK) === ZSTD ? 0 : attributes & CODEC_MASK;
  const body = compressRecords(codec, Buffer.concat(kept.map((r) => region.subarray(r.start, r.end))));
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  batch.copy(out, 0, 0, HEADER_SIZE);
  body.copy(out, HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH);
  out.writeInt16BE((attributes & ~CODEC_MASK) | codec, ATTRIBUTES);
  out.writeInt32BE(kept.length, RECORD_COUNT);
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES)) >>> 0, CRC);
  return out;
}

/** Zigzag varint (Kafka records); up to 64 bits, returned as a JS number. */
function varint(b: Buffer, cur: { p: number }): number {
  let raw = 0n;
  let shift = 0n;
  for (;;) {
    if (cur.p >= b.length) throw new Error('malformed record: varint runs past the batch');
    const byte = b[cur.p++]!;
    raw |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7n;
  }
  return Number((raw >> 1n) ^ -(raw & 1n));
}

function keyHash(key: Buffer): string {
  return createHash('md5').update(key).digest('base64');
}

async function writeAll(fh: fs.promises.FileHandle, b: Buffer): Promise<number> {
  let off = 0;
  while (off < b.length) off += (await fh.write(b, off, b.length - off)).bytesWritten;
  return b.length;
}

function readCheckpoint(dir: string): number | null {
  try {
    const n = Number(fs.readFileSync(path.join(dir, CLEANER_CHECKPOINT_FILE), 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

function writeCheckpoint(dir: string, offset: number): Promise<void> {
  return writeFileAtomic(dir, path.join(dir, CLEANER_CHECKPOINT_FILE), `${offset}\n`);
}
