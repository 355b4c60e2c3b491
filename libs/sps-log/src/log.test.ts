import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LOG_CONFIG,
  InvalidBatchError,
  type LogConfig,
  OffsetOutOfRangeError,
  PartitionLog,
} from './index.js';
import { makeBatch, recordValues, sizedBatch, splitBatches } from './test-batches.js';

const T0 = 1_700_000_000_000;
let dir: string;
const open: PartitionLog[] = [];

beforeEach(async () => {
  dir = path.join(await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sps-log-')), 'orders-0');
});
afterEach(async () => {
  for (const l of open.splice(0)) await l.close().catch(() => undefined);
  await fs.promises.rm(path.dirname(dir), { recursive: true, force: true });
});

function cfg(over: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, retentionMs: -1, ...over };
}

async function openLog(config: LogConfig = cfg(), now: () => number = () => T0): Promise<PartitionLog> {
  const log = await PartitionLog.open(dir, config, { now });
  open.push(log);
  return log;
}

async function reopen(log: PartitionLog, config = log.config, now?: () => number): Promise<PartitionLog> {
  await log.close();
  return openLog(config, now);
}

const file = (base: number, suffix: string): string =>
  path.join(dir, String(base).padStart(20, '0') + suffix);

/** Reads everything from `from` and returns the batches. */
async function readAll(log: PartitionLog, from = log.logStartOffset) {
  const out = [];
  let next = from;
  while (next < log.highWatermark) {
    const r = await log.read(next, 64 * 1024);
    const batches = splitBatches(r.records);
    expect(batches.length).toBeGreaterThan(0);
    out.push(...batches);
    next = batches[batches.length - 1]!.lastOffset + 1;
  }
  return out;
}

describe('append and read', () => {
  it('assigns consecutive offsets and reads the batches back verbatim, with baseOffset and epoch patched', async () => {
    const log = await openLog();
    expect(log.highWatermark).toBe(0);
    const a = log.append(makeBatch([{ value: 'a' }]), { leaderEpoch: 7 });
    const b = log.append(makeBatch([{ value: 'b1' }, { value: 'b2' }, { value: 'b3' }]), { leaderEpoch: 7 });
    const c = log.append(makeBatch([{ value: 'c1' }, { value: null }]), { leaderEpoch: 7 });
    expect([a.baseOffset, a.lastOffset, b.baseOffset, b.lastOffset, c.baseOffset, c.lastOffset]).toEqual([
      0, 0, 1, 3, 4, 5,
    ]);
    expect(a.position).toBe(0);
    expect(b.position).toBeGreaterThan(0);
    expect(log.highWatermark).toBe(6);

    const r = await log.read(0, 1 << 20);
    expect(r.highWatermark).toBe(6);
    expect(r.logStartOffset).toBe(0);
    const batches = splitBatches(r.records);
    expect(r.bytes).toBe(batches.reduce((n, x) => n + x.size, 0));
    expect(batches.map((x) => [x.baseOffset, x.lastOffset])).toEqual([
      [0, 0],
      [1, 3],
      [4, 5],
    ]);
    expect(batches.every((x) => x.crcOk)).toBe(true);
    expect(batches.map((x) => x.bytes.readInt32BE(12))).toEqual([7, 7, 7]);
    expect(batches.map((x) => recordValues(x.bytes))).toEqual([['a'], ['b1', 'b2', 'b3'], ['c1', null]]);
  });

  it('reading an offset inside a batch returns from the start of that batch', async () => {
    const log = await openLog();
    log.append(makeBatch(3));
    log.append(makeBatch(4)); // offsets 3..6
    log.append(makeBatch(1));
    const batches = splitBatches((await log.read(5, 1 << 20)).records);
    expect(batches[0]!.baseOffset).toBe(3);
    expect(batches.map((b) => b.baseOffset)).toEqual([3, 7]);
  });

  it('reading at the high watermark returns nothing; past it or below the start is out of range', async () => {
    const log = await openLog();
    log.append(makeBatch(2));
    const r = await log.read(2, 1000);
    expect(r).toMatchObject({ records: [], bytes: 0, highWatermark: 2, logStartOffset: 0 });
    await expect(log.read(3, 1000)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    await expect(log.read(-1, 1000)).rejects.toMatchObject({
      name: 'OffsetOutOfRangeError',
      logStartOffset: 0,
      highWatermark: 2,
    });
    const empty = await openLogAt('empty');
    expect((await empty.read(0, 100)).records).toEqual([]);
  });

  it('maxBytes limits the answer to whole batches, but always returns at least one batch', async () => {
    const log = await openLog();
    const size = sizedBatch(1, 100).length;
    for (let i = 0; i < 5; i++) log.append(sizedBatch(1, 100));
    let r = await log.read(0, size * 2 + size / 2);
    expect(splitBatches(r.records).map((b) => b.baseOffset)).toEqual([0, 1]);
    expect(r.bytes).toBe(size * 2);
    r = await log.read(1, 10);
    expect(splitBatches(r.records).map((b) => b.baseOffset)).toEqual([1]);
    expect(r.bytes).toBe(size);
    r = await log.read(3, 0);
    expect(splitBatches(r.records).map((b) => b.baseOffset)).toEqual([3]);
    log.append(sizedBatch(1, 5000)); // offset 5: one batch larger than maxBytes
    r = await log.read(5, 100);
    expect(splitBatches(r.records).map((b) => [b.baseOffset, b.size])).toEqual([[5, 5000 + size - 100]]);
  });

  it('rejects a buffer that is not exactly one record batch v2', async () => {
    const log = await openLog();
    const good = makeBatch(2);
    expect(() => log.append(good.subarray(0, 40))).toThrow(InvalidBatchError);
    expect(() => log.append(Buffer.concat([good, good]))).toThrow(InvalidBatchError);
    const v1 = Buffer.from(good);
    v1.writeInt8(1, 16);
    expect(() => log.append(v1)).toThrow(/magic 1/);
    expect(log.highWatermark).toBe(0);
  });

  it('a read concurrent with appends only ever sees whole batches', async () => {
    const log = await openLog(cfg({ segmentBytes: 4000, indexIntervalBytes: 200 }));
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      log.append(makeBatch(1 + (i % 3)));
      if (i % 7 === 0) {
        const from = Math.floor(log.highWatermark / 2);
        reads.push(
          log.read(from, 1500).then((r) => {
            const batches = splitBatches(r.records);
            expect(batches[0]!.baseOffset).toBeLessThanOrEqual(from);
            expect(batches[0]!.lastOffset).toBeGreaterThanOrEqual(from);
            expect(batches.every((b) => b.crcOk)).toBe(true);
          }),
        );
      }
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(reads);
  });
});

async function openLogAt(name: string, config = cfg()): Promise<PartitionLog> {
  const log = await PartitionLog.open(path.join(path.dirname(dir), name), config, { now: () => T0 });
  open.push(log);
  return log;
}

describe('segments and indexes', () => {
  it('describes its segments for the admin API and notifies append listeners', async () => {
    const log = await openLog(cfg({ segmentBytes: 300 }));
    const seen: number[] = [];
    const off = log.onAppend((r) => seen.push(r.baseOffset));
    log.append(makeBatch(2, { timestamp: T0 + 5 }), { now: T0 + 10 });
    log.append(sizedBatch(1, 300, { timestamp: T0 + 7 }), { now: T0 + 20 });
    off();
    log.append(makeBatch(1));
    expect(seen).toEqual([0, 2]);
    expect(log.segments()).toEqual([
      {
        baseOffset: 0,
        nextOffset: 2,
        sizeBytes: makeBatch(2).length,
        maxTimestamp: T0 + 5,
        lastModified: T0 + 10,
        active: false,
      },
      {
        baseOffset: 2,
        nextOffset: 3,
        sizeBytes: sizedBatch(1, 300).length,
        maxTimestamp: T0 + 7,
        lastModified: T0 + 20,
        active: false,
      },
      {
        baseOffset: 3,
        nextOffset: 4,
        sizeBytes: makeBatch(1).length,
        maxTimestamp: 1_700_000_000_000,
        lastModified: T0,
        active: true,
      },
    ]);
    await log.close();
    expect(() => log.append(makeBatch(1))).toThrow(/closed/);
    await expect(log.read(0, 10)).rejects.toThrow(/closed/);
  });

  it('rolls when the active segment would exceed segmentBytes; a batch larger than that gets its own segment', async () => {
    const log = await openLog(cfg({ segmentBytes: 1000 }));
    const size = sizedBatch(1, 200).length;
    for (let i = 0; i < 10; i++) log.append(sizedBatch(1, 200));
    const perSegment = Math.floor(1000 / size);
    expect(log.segmentCount).toBe(Math.ceil(10 / perSegment));
    expect(log.segments().every((s) => s.sizeBytes <= 1000)).toBe(true);
    expect(fs.existsSync(file(perSegment, '.log'))).toBe(true);

    const big = log.append(sizedBatch(2, 3000));
    expect(big.position).toBe(0);
    const after = log.append(sizedBatch(1, 10));
    expect(after.position).toBe(0); // the big one filled its segment alone
    const segs = log.segments();
    expect(segs.at(-2)).toMatchObject({ baseOffset: 10, nextOffset: 12 });
    expect(segs.at(-1)).toMatchObject({ baseOffset: 12, active: true });
    expect(log.sizeBytes).toBe(segs.reduce((n, s) => n + s.sizeBytes, 0));
    expect((await readAll(log, 0)).map((b) => b.baseOffset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
  });

  it('rolls by age: on append and through maybeRoll', async () => {
    let now = T0;
    const log = await openLog(cfg({ segmentMs: 1000 }), () => now);
    log.append(makeBatch(1));
    now += 600;
    log.append(makeBatch(1));
    expect(log.segmentCount).toBe(1);
    now += 600; // first batch is 1200 ms old
    log.append(makeBatch(1));
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0, 2]);
    log.maybeRoll(now + 500);
    expect(log.segmentCount).toBe(2);
    log.maybeRoll(now + 1001);
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0, 2, 3]);
    log.maybeRoll(now + 5000); // the empty active segment never rolls
    expect(log.segmentCount).toBe(3);
  });

  it('a read that reaches the end of a segment continues into the next one, up to maxBytes', async () => {
    const log = await openLog(cfg({ segmentBytes: 500 }));
    const size = sizedBatch(1, 100).length;
    for (let i = 0; i < 12; i++) log.append(sizedBatch(1, 100));
    expect(log.segmentCount).toBeGreaterThan(3);
    const r = await log.read(1, size * 7);
    expect(splitBatches(r.records).map((b) => b.baseOffset)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.records.length).toBeGreaterThan(1); // chunks from several segments
    const all = await log.read(0, 1 << 20);
    expect(splitBatches(all.records).map((b) => b.baseOffset)).toEqual([...Array(12).keys()]);
  });

  it('finds the right batch among thousands across segments through the index, without scanning from the start', async () => {
    const config = cfg({ segmentBytes: 64 * 1024, indexIntervalBytes: 1024 });
    let log = await openLog(config);
    const starts: number[] = [];
    for (let i = 0; i < 5000; i++) starts.push(log.append(makeBatch(1 + (i % 4))).baseOffset);
    const hwm = log.highWatermark;
    expect(log.segmentCount).toBeGreaterThan(5);
    const check = async (l: PartitionLog, offset: number) => {
      const r = await l.read(offset, 1);
      const [b] = splitBatches(r.records);
      const expected = starts[bisect(starts, offset)]!;
      expect(b!.baseOffset).toBe(expected);
      expect(b!.lastOffset).toBeGreaterThanOrEqual(offset);
    };
    for (let k = 0; k < 300; k++) await check(log, Math.floor((k * 7919) % hwm));
    await check(log, hwm - 1);

    // Spoil the first batch of a middle segment: reads further into it must still work (index, no scan).
    log = await reopen(log);
    const mid = log.segments()[2]!;
    const fd = fs.openSync(file(mid.baseOffset, '.log'), 'r+');
    fs.writeSync(fd, Buffer.alloc(61, 0xff), 0, 61, 0);
    fs.closeSync(fd);
    log = await reopen(log);
    expect(log.highWatermark).toBe(hwm);
    for (let o = mid.nextOffset - 40; o < mid.nextOffset; o += 3) await check(log, o);
  });

  it('rebuilds a closed segment whose index files are missing or garbage, by scanning only that segment', async () => {
    let log = await openLog(cfg({ segmentBytes: 8 * 1024, indexIntervalBytes: 512 }));
    for (let i = 0; i < 400; i++) log.append(makeBatch(2));
    const before = await readAll(log, 0);
    const segs = log.segments();
    log = await reopen(log);
    fs.rmSync(file(segs[0]!.baseOffset, '.index'));
    fs.rmSync(file(segs[0]!.baseOffset, '.timeindex'));
    fs.writeFileSync(file(segs[1]!.baseOffset, '.index'), Buffer.alloc(64, 0x00)); // valid size, garbage content
    const idx2 = fs.readFileSync(file(segs[2]!.baseOffset, '.index'));
    fs.writeFileSync(file(segs[2]!.baseOffset, '.index'), idx2.subarray(0, idx2.length - 3)); // bad size
    log = await reopen(log);
    expect(log.recovery.rebuiltIndexes).toBe(2); // the garbage one is caught when first loaded
    expect(log.segments()).toEqual(segs.map((s) => ({ ...s, lastModified: expect.any(Number) })));
    expect(await readAll(log, 0)).toEqual(before);
    for (const s of segs.slice(0, 3)) {
      expect(fs.statSync(file(s.baseOffset, '.index')).size % 8).toBe(0);
      expect(fs.statSync(file(s.baseOffset, '.index')).size).toBeGreaterThan(8);
    }
  });
});

function bisect(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (sorted[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

describe('retention', () => {
  it('by time: deletes whole expired segments, oldest first, and advances the log start offset', async () => {
    const log = await openLog(cfg({ segmentBytes: 1000, retentionMs: 60_000 }));
    for (let i = 0; i < 20; i++)
      log.append(sizedBatch(1, 200, { timestamp: T0 + i * 10_000 }), { now: T0 + i * 10_000 });
    const segs = log.segments();
    expect(segs.length).toBeGreaterThan(4);
    const now = T0 + 19 * 10_000 + 1000;
    const expired = segs.filter((s) => !s.active && now - s.maxTimestamp > 60_000);
    expect(expired.length).toBeGreaterThan(0);
    const res = await log.applyRetention(now);
    expect(res.deletedSegments).toBe(expired.length);
    expect(res.deletedBytes).toBe(expired.reduce((n, s) => n + s.sizeBytes, 0));
    expect(res.logStartOffset).toBe(segs[expired.length]!.baseOffset);
    expect(log.logStartOffset).toBe(res.logStartOffset);
    expect(fs.existsSync(file(0, '.log'))).toBe(false);
    expect(fs.existsSync(file(0, '.index'))).toBe(false);
    await expect(log.read(0, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    expect(splitBatches((await log.read(log.logStartOffset, 100)).records)[0]!.baseOffset).toBe(
      log.logStartOffset,
    );
    expect((await log.applyRetention(now)).deletedSegments).toBe(0);
    // survives a restart
    const again = await reopen(log);
    expect(again.logStartOffset).toBe(res.logStartOffset);
  });

  it('by size: deletes the oldest segments while the rest still holds retentionBytes', async () => {
    const log = await openLog(cfg({ segmentBytes: 1000, retentionBytes: 2500 }));
    for (let i = 0; i < 20; i++) log.append(sizedBatch(1, 200));
    const res = await log.applyRetention(T0);
    expect(res.deletedSegments).toBeGreaterThan(0);
    const sizes = log.segments().map((s) => s.sizeBytes);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBe(log.sizeBytes);
    expect(total).toBeGreaterThanOrEqual(2500);
    expect(total - sizes[0]!).toBeLessThan(2500); // one more deletion would go below the budget
    expect(log.logStartOffset).toBe(log.segments()[0]!.baseOffset);
  });

  it('deleting everything keeps the high watermark: the next append continues where the log was', async () => {
    let log = await openLog(cfg({ segmentBytes: 1000, retentionMs: 1000 }));
    for (let i = 0; i < 8; i++) log.append(sizedBatch(1, 200, { timestamp: T0 }));
    const res = await log.applyRetention(T0 + 5000);
    expect(res.logStartOffset).toBe(8);
    expect(log.highWatermark).toBe(8);
    expect(log.segments()).toEqual([expect.objectContaining({ baseOffset: 8, sizeBytes: 0, active: true })]);
    expect((await log.read(8, 100)).records).toEqual([]);
    await expect(log.read(7, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    log = await reopen(log);
    expect([log.logStartOffset, log.highWatermark]).toEqual([8, 8]);
    expect(log.append(makeBatch(1)).baseOffset).toBe(8);
  });

  it('a read whose segment is deleted by retention mid-way still completes', async () => {
    const log = await openLog(cfg({ segmentBytes: 1000, retentionBytes: 0 }));
    for (let i = 0; i < 10; i++) log.append(sizedBatch(1, 200));
    const reading = log.read(0, 1 << 20);
    await log.applyRetention(T0);
    const r = await reading;
    expect(splitBatches(r.records)[0]!.baseOffset).toBe(0);
    expect(log.segmentCount).toBe(1);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.log'))).toEqual(['00000000000000000010.log']);
  });

  it('finishes a retention interrupted between persisting the new log start and unlinking the files', async () => {
    let log = await openLog(cfg({ segmentBytes: 1000 }));
    for (let i = 0; i < 10; i++) log.append(sizedBatch(1, 200));
    const segs = log.segments();
    await log.close();
    fs.writeFileSync(path.join(dir, 'log-start-offset'), `${segs[2]!.baseOffset}\n`);
    log = await openLog(log.config);
    expect(log.recovery.removedSegments).toBe(2);
    expect(log.logStartOffset).toBe(segs[2]!.baseOffset);
    expect(fs.existsSync(file(0, '.log'))).toBe(false);
    expect(log.segments().map((s) => s.baseOffset)).toEqual(segs.slice(2).map((s) => s.baseOffset));
  });

  it('deleteRecordsBefore moves the log start inside a segment and drops segments below it', async () => {
    let log = await openLog(cfg({ segmentBytes: 1000 }));
    for (let i = 0; i < 10; i++) log.append(sizedBatch(1, 200));
    const second = log.segments()[1]!;
    expect(await log.deleteRecordsBefore(second.baseOffset + 1)).toBe(second.baseOffset + 1);
    expect(log.segments()[0]!.baseOffset).toBe(second.baseOffset);
    await expect(log.read(second.baseOffset, 10)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    log = await reopen(log);
    expect(log.logStartOffset).toBe(second.baseOffset + 1);
  });
});

describe('durability and recovery', () => {
  it('reopens after a clean close with everything in place', async () => {
    const config = cfg({ segmentBytes: 2000, indexIntervalBytes: 300 });
    let log = await openLog(config);
    for (let i = 0; i < 100; i++) log.append(makeBatch(1 + (i % 5), { timestamp: T0 + i }));
    const before = { hwm: log.highWatermark, segs: log.segments(), batches: await readAll(log, 0) };
    log = await reopen(log);
    expect(log.recovery).toEqual({ truncatedBytes: 0, rebuiltIndexes: 0, removedSegments: 0 });
    expect(log.highWatermark).toBe(before.hwm);
    expect(log.segments().map(({ lastModified: _, ...s }) => s)).toEqual(
      before.segs.map(({ lastModified: _, ...s }) => s),
    );
    expect(await readAll(log, 0)).toEqual(before.batches);
    expect(log.append(makeBatch(1)).baseOffset).toBe(before.hwm);
    expect(await log.offsetForTimestamp(T0 + 50)).toMatchObject({ timestamp: T0 + 50 });
  });

  it('reopens after a crash without close (data was only written to the OS, indexes not sealed)', async () => {
    const log = await openLog(cfg({ segmentBytes: 3000, indexIntervalBytes: 256 }));
    for (let i = 0; i < 100; i++) log.append(makeBatch(3, { timestamp: T0 + i }));
    const good = await readAll(log, 0);
    const crashed = await PartitionLog.open(dir, log.config, { now: () => T0 }); // the first one never closes
    open.push(crashed);
    expect(crashed.highWatermark).toBe(300);
    expect(crashed.recovery.truncatedBytes).toBe(0);
    expect(await readAll(crashed, 0)).toEqual(good);
  });

  it('reopens after a crash of a log that was never flushed (acks=1): its index files trail, every record is found', async () => {
    const log = await openLog(cfg({ indexIntervalBytes: 64 }));
    for (let i = 0; i < 500; i++) log.append(makeBatch(2, { timestamp: T0 + i }));
    // the index files hold only what was written out so far: fewer entries than the log has batches
    const onDisk = fs.statSync(file(0, '.index')).size / 8;
    expect(onDisk).toBeGreaterThan(0);
    expect(onDisk).toBeLessThan(500);
    const good = await readAll(log, 0);
    const crashed = await PartitionLog.open(dir, log.config, { now: () => T0 }); // the first one never closes
    open.push(crashed);
    expect(crashed.highWatermark).toBe(1000);
    expect(crashed.recovery.truncatedBytes).toBe(0);
    expect(await readAll(crashed, 0)).toEqual(good);
    expect(await readAll(crashed, 777)).toEqual(good.filter((b) => b.lastOffset >= 777));
    await crashed.close();
    expect(fs.statSync(file(0, '.index')).size / 8).toBeGreaterThan(onDisk); // written out at close
  });

  /** Writes 30 batches over a few segments, closes, lets `damage` modify the active segment's file, reopens. */
  async function damaged(damage: (logFile: string, lastBatch: { position: number; size: number }) => void) {
    let log = await openLog(cfg({ segmentBytes: 2000, indexIntervalBytes: 200 }));
    let last = { position: 0, size: 0 };
    for (let i = 0; i < 30; i++) {
      const b = makeBatch(2);
      last = { position: log.append(b).position, size: b.length };
    }
    const good = await readAll(log, 0);
    const active = log.segments().at(-1)!;
    await log.close();
    damage(file(active.baseOffset, '.log'), last);
    log = await openLog(log.config);
    return { log, good, active };
  }

  it('cuts a torn write in the middle of the last batch', async () => {
    const { log, good, active } = await damaged((f, last) =>
      fs.truncateSync(f, last.position + Math.floor(last.size / 2)),
    );
    expect(log.highWatermark).toBe(58);
    expect(log.recovery.truncatedBytes).toBe(Math.floor(good.at(-1)!.size / 2));
    expect(await readAll(log, 0)).toEqual(good.slice(0, -1));
    expect(fs.statSync(file(active.baseOffset, '.log')).size).toBe(log.segments().at(-1)!.sizeBytes);
    expect(log.append(makeBatch(1)).baseOffset).toBe(58);
    expect(splitBatches((await log.read(58, 100)).records)[0]!.baseOffset).toBe(58);
  });

  it('cuts a batch at the tail whose CRC does not match', async () => {
    const { log, good } = await damaged((f, last) => {
      const fd = fs.openSync(f, 'r+');
      fs.writeSync(fd, Buffer.from([0x5a]), 0, 1, last.position + last.size - 2);
      fs.closeSync(fd);
    });
    expect(log.highWatermark).toBe(58);
    expect(log.recovery.problem).toMatch(/CRC/);
    expect(await readAll(log, 0)).toEqual(good.slice(0, -1));
  });

  it('cuts zero-filled bytes after the last batch (preallocation or a crash)', async () => {
    const { log, good } = await damaged((f) => fs.appendFileSync(f, Buffer.alloc(4096)));
    expect(log.highWatermark).toBe(60);
    expect(log.recovery.truncatedBytes).toBe(4096);
    expect(await readAll(log, 0)).toEqual(good);
  });

  it('rebuilds a missing index of the active segment', async () => {
    const { log, good, active } = await damaged((f) => {
      fs.rmSync(f.replace(/\.log$/, '.index'));
      fs.rmSync(f.replace(/\.log$/, '.timeindex'));
    });
    expect(log.highWatermark).toBe(60);
    expect(log.recovery.truncatedBytes).toBe(0);
    expect(await readAll(log, 0)).toEqual(good);
    expect(fs.statSync(file(active.baseOffset, '.index')).size).toBeGreaterThan(0);
  });

  it('an index entry pointing past the end of a truncated file is dropped', async () => {
    const { log, good, active } = await damaged((f) => fs.truncateSync(f, 150));
    expect(log.highWatermark).toBe(active.baseOffset + 2);
    expect(await readAll(log, 0)).toEqual(good.filter((b) => b.baseOffset < active.baseOffset + 2));
    expect(fs.statSync(file(active.baseOffset, '.index')).size).toBe(0);
  });

  it('recovers to the last whole batch wherever the active segment is cut', async () => {
    let log = await openLog(cfg({ indexIntervalBytes: 300 }));
    const ends: number[] = [];
    for (let i = 0; i < 40; i++) {
      const b = makeBatch(1 + (i % 3));
      ends.push(log.append(b).position + b.length);
    }
    const hwmAfter = (i: number) =>
      Array.from({ length: i }, (_, k) => 1 + (k % 3)).reduce((a, b) => a + b, 0);
    await log.close();
    const full = fs.readFileSync(file(0, '.log'));
    const index = fs.readFileSync(file(0, '.index'));
    for (let k = 0; k < 25; k++) {
      const cut = Math.floor((((k * 7919) % 1000) / 1000) * full.length);
      fs.writeFileSync(file(0, '.log'), full.subarray(0, cut));
      fs.writeFileSync(file(0, '.index'), index); // a stale index, as after a crash
      log = await openLog(log.config);
      const whole = ends.filter((e) => e <= cut).length;
      expect(log.highWatermark).toBe(hwmAfter(whole));
      expect(log.segments()[0]!.sizeBytes).toBe(whole === 0 ? 0 : ends[whole - 1]);
      if (whole > 0) expect(splitBatches((await log.read(0, 1 << 20)).records)).toHaveLength(whole);
      await log.close();
    }
  });

  it('group commit: many concurrent flush() calls share few fsyncs', async () => {
    const log = await openLog();
    const base = log.fsyncCount;
    log.append(makeBatch(1));
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      log.append(makeBatch(1));
      calls.push(log.flush());
    }
    await Promise.all(calls);
    expect(log.fsyncCount - base).toBeLessThanOrEqual(2);
    expect(log.fsyncCount - base).toBeGreaterThanOrEqual(1);
    // nothing new appended: no fsync at all
    await log.flush();
    expect(log.fsyncCount - base).toBeLessThanOrEqual(2);
  });

  it('group commit: a flush called during an fsync waits for the next one, which covers its append', async () => {
    const log = await openLog();
    log.append(makeBatch(1));
    const base = log.fsyncCount;
    const first = log.flush();
    log.append(makeBatch(1));
    const second = log.flush();
    const third = log.flush();
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    await Promise.all([first, second, third]);
    expect(log.fsyncCount - base).toBe(2);
    // a flush with nothing appended since the in-flight fsync started shares it
    log.append(makeBatch(1));
    const a = log.flush();
    expect(log.flush()).toBe(a);
    await a;
  });
});

describe('offsetForTimestamp', () => {
  it('returns the first batch whose maxTimestamp >= ts, across segments, or null', async () => {
    const log = await openLog(cfg({ segmentBytes: 3000, indexIntervalBytes: 256 }));
    const bases: number[] = [];
    for (let i = 0; i < 200; i++)
      bases.push(log.append(makeBatch(2, { timestamp: T0 + i * 100 })).baseOffset);
    expect(log.segmentCount).toBeGreaterThan(3);
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: T0 });
    expect(await log.offsetForTimestamp(T0 + 5_000)).toEqual({ offset: bases[50], timestamp: T0 + 5_000 });
    expect(await log.offsetForTimestamp(T0 + 5_001)).toEqual({ offset: bases[51], timestamp: T0 + 5_100 });
    expect(await log.offsetForTimestamp(T0 + 199 * 100)).toEqual({
      offset: bases[199],
      timestamp: T0 + 19_900,
    });
    expect(await log.offsetForTimestamp(T0 + 199 * 100 + 1)).toBeNull();
    // same answers after a restart (closed segments answer from their time index)
    const again = await reopen(log);
    expect(await again.offsetForTimestamp(T0 + 12_345)).toEqual({
      offset: bases[124],
      timestamp: T0 + 12_400,
    });
  });

  it('uses the header maxTimestamp even when it is not the largest record timestamp (kafkajs)', async () => {
    const log = await openLog();
    log.append(
      makeBatch(
        [
          { value: 'x', timestamp: T0 + 500 },
          { value: 'y', timestamp: T0 + 100 },
        ],
        { timestamp: T0, maxTimestamp: T0 + 100 },
      ),
    );
    log.append(makeBatch(1, { timestamp: T0 + 1000 }));
    expect(await log.offsetForTimestamp(T0 + 400)).toEqual({ offset: 2, timestamp: T0 + 1000 });
  });

  it('books timestamps too far in the future at the append time when maxTimestampSkewMs is set', async () => {
    const log = await openLog(cfg({ maxTimestampSkewMs: 60_000, retentionMs: 1000, segmentBytes: 100 }));
    log.append(makeBatch(1, { timestamp: T0 + 10 * 365 * 86_400_000 }), { now: T0 });
    log.append(makeBatch(1, { timestamp: T0 }), { now: T0 });
    expect(log.segments()[0]!.maxTimestamp).toBe(T0);
    expect((await log.applyRetention(T0 + 5000)).deletedSegments).toBe(2);
  });
});
