/**
 * Log micro-benchmark: append many small batches (verbatim writes + group-committed fsyncs), then read
 * them all back from disk with a fresh log (index lookups, whole-batch reads). No decoding anywhere.
 */
import * as fs from 'node:fs';
import { DEFAULT_LOG_CONFIG, PartitionLog } from './log.js';
import { sizedBatch } from './test-batches.js';

export interface BenchLogOptions {
  batches?: number; // default 200_000
  recordsPerBatch?: number; // default 1
  valueBytes?: number; // default 100
  /** call flush() (group commit) every N appends, like acks=all producers would; default 1000 */
  flushEvery?: number;
  /** bytes per read() call; default 1 MiB (a typical fetch) */
  readMaxBytes?: number;
  segmentBytes?: number; // default 64 MiB
}

export interface BenchLogResult {
  batches: number;
  bytes: number;
  append: { seconds: number; mbPerSec: number; batchesPerSec: number; fsyncs: number };
  read: { seconds: number; mbPerSec: number; batchesPerSec: number; reads: number };
  segments: number;
}

/** Runs the benchmark in `dir` (created if missing, removed afterwards). */
export async function benchLog(dir: string, opts: BenchLogOptions = {}): Promise<BenchLogResult> {
  const n = opts.batches ?? 200_000;
  const flushEvery = opts.flushEvery ?? 1000;
  const readMaxBytes = opts.readMaxBytes ?? 1024 * 1024;
  const config = {
    ...DEFAULT_LOG_CONFIG,
    retentionMs: -1,
    segmentBytes: opts.segmentBytes ?? 64 * 1024 * 1024,
  };
  await fs.promises.rm(dir, { recursive: true, force: true });
  const template = sizedBatch(opts.recordsPerBatch ?? 1, opts.valueBytes ?? 100);
  const log = await PartitionLog.open(dir, config);
  try {
    const fsyncsBefore = log.fsyncCount;
    const pending: Promise<void>[] = [];
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      log.append(Buffer.from(template)); // a fresh buffer per append, as from the network
      if ((i + 1) % flushEvery === 0) {
        pending.push(log.flush());
        if (pending.length >= 8) await pending.shift();
      }
    }
    pending.push(log.flush());
    await Promise.all(pending);
    const appendSec = Number(process.hrtime.bigint() - t) / 1e9;
    const bytes = log.sizeBytes;
    const fsyncs = log.fsyncCount - fsyncsBefore;
    await log.close();

    const reader = await PartitionLog.open(dir, config);
    try {
      t = process.hrtime.bigint();
      let offset = reader.logStartOffset;
      let readBytes = 0;
      let reads = 0;
      while (offset < reader.highWatermark) {
        const r = await reader.read(offset, readMaxBytes);
        reads++;
        readBytes += r.bytes;
        const last = r.records[r.records.length - 1]!;
        // find the last batch of the answer to continue after it (walk sizes, no decoding)
        let at = 0;
        let lastStart = 0;
        while (at < last.length) {
          lastStart = at;
          at += 12 + last.readInt32BE(at + 8);
        }
        offset = Number(last.readBigInt64BE(lastStart)) + last.readInt32BE(lastStart + 23) + 1;
      }
      const readSec = Number(process.hrtime.bigint() - t) / 1e9;
      if (readBytes !== bytes) throw new Error(`read back ${readBytes} bytes, wrote ${bytes}`);
      return {
        batches: n,
        bytes,
        append: {
          seconds: appendSec,
          mbPerSec: bytes / 1e6 / appendSec,
          batchesPerSec: n / appendSec,
          fsyncs,
        },
        read: { seconds: readSec, mbPerSec: bytes / 1e6 / readSec, batchesPerSec: n / readSec, reads },
        segments: reader.segmentCount,
      };
    } finally {
      await reader.delete();
    }
  } finally {
    await log.close();
  }
}
