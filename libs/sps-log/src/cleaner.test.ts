import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  decodeRecordBatches,
  encodeControlBatch,
  encodeRecordBatch,
  readBatchHeader,
  type EncodeBatchOptions,
} from '@orders/kafka-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanLog, DEFAULT_LOG_CONFIG, type LogConfig, PartitionLog } from './index.js';

const T0 = 1_700_000_000_000;
const DAY = 24 * 3600 * 1000;
let dir: string;
const opened: PartitionLog[] = [];

beforeEach(async () => {
  dir = path.join(await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sps-cleaner-')), 'kv-0');
});
afterEach(async () => {
  for (const l of opened.splice(0)) await l.close().catch(() => undefined);
  await fs.promises.rm(path.dirname(dir), { recursive: true, force: true });
});

const compacted = (over: Partial<NonNullable<LogConfig['compaction']>> = {}): LogConfig => ({
  ...DEFAULT_LOG_CONFIG,
  retentionMs: -1,
  segmentBytes: 1024 * 1024,
  compaction: {
    deleteRetentionMs: DAY,
    minCleanableDirtyRatio: 0.5,
    minCompactionLagMs: 0,
    maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
    ...over,
  },
});

async function openLog(config: LogConfig): Promise<PartitionLog> {
  const log = await PartitionLog.open(dir, config, { now: () => T0 });
  opened.push(log);
  return log;
}

type KV = [key: string, value: string | null];

function append(log: PartitionLog, records: KV[], opts: Partial<EncodeBatchOptions> & { ts?: number } = {}) {
  const ts = opts.ts ?? T0;
  return log.append(
    encodeRecordBatch({
      ...opts,
      records: records.map(([key, value]) => ({ key, value, timestamp: ts })),
    }),
  );
}

/** Every record from `from` on, read the way a consumer does (fetch, next offset = last + 1). */
async function consume(log: PartitionLog, from = log.logStartOffset) {
  const out: Array<{ offset: number; key: string; value: string | null }> = [];
  let next = from;
  while (next < log.highWatermark) {
    const r = await log.read(next, 64 * 1024);
    const records = decodeRecordBatches(Buffer.concat(r.records));
    if (records.length === 0) break;
    for (const rec of records) {
      if (rec.offset < next) continue;
      out.push({ offset: rec.offset, key: rec.key!.toString(), value: rec.value?.toString() ?? null });
    }
    const last = records[records.length - 1]!.batch;
    next = last.lastOffset + 1;
  }
  return out;
}

describe('log cleaner', () => {
  it('keeps transactional batches and transaction markers byte for byte, out of the key map', async () => {
    const log = await openLog(compacted());
    append(log, [['a', 'a1']]);
    append(log, [['a', 'aborted']], {
      producerId: 5,
      producerEpoch: 0,
      baseSequence: 0,
      transactional: true,
    });
    log.append(encodeControlBatch({ producerId: 5, producerEpoch: 0, commit: false, timestamp: T0 }));
    append(log, [['b', 'b1']]);
    append(log, [['b', 'b2']]);
    log.maybeRoll(T0 + 8 * DAY);
    append(log, [['c', 'c1']]);
    const r = await cleanLog(log, { now: T0 + 1000 });
    // only b1 goes: an aborted record must never make the committed a1 disappear
    expect(r).toMatchObject({ cleaned: true, recordsRemoved: 1 });
    expect((await consume(log)).map((x) => x.value)).toEqual(['a1', 'aborted', 'b2', 'c1']);
    const raw = Buffer.concat((await log.read(0, 1 << 20)).records);
    const headers = [];
    for (let at = 0; at < raw.length;) {
      const h = readBatchHeader(raw, at);
      headers.push(h);
      at += h.totalSize;
    }
    expect(headers.filter((h) => h.isControl).map((h) => [h.baseOffset, h.producerId])).toEqual([[2, 5]]);
  });

  it('keeps only the latest record per key in closed segments and leaves the active one alone', async () => {
    const log = await openLog(compacted());
    append(log, [
      ['a', 'a1'],
      ['b', 'b1'],
    ]);
    append(log, [['a', 'a2']]);
    log.maybeRoll(T0 + 8 * DAY); // close the first segment
    append(log, [
      ['b', 'b2'],
      ['a', 'a3'],
    ]);
    log.maybeRoll(T0 + 16 * DAY);
    append(log, [['a', 'active']]); // in the active segment: never cleaned
    const r = await cleanLog(log, { now: T0 + 1000 });
    expect(r).toMatchObject({ cleaned: true, recordsRemoved: 3 });
    expect(await consume(log)).toEqual([
      { offset: 3, key: 'b', value: 'b2' },
      { offset: 4, key: 'a', value: 'a3' },
      { offset: 5, key: 'a', value: 'active' },
    ]);
    // an offset compacted away reads from the next batch that is still there
    expect((await consume(log, 1))[0]).toMatchObject({ offset: 3 });
    expect(log.logStartOffset).toBe(0);
    expect(log.highWatermark).toBe(6);
    // and the result survives a restart (indexes rebuilt for the rewritten segments)
    await log.close();
    const again = await openLog(compacted());
    expect((await consume(again)).map((x) => x.value)).toEqual(['b2', 'a3', 'active']);
    append(again, [['c', 'c1']]);
    expect(again.highWatermark).toBe(7);
  });

  it('keeps the next offset of a batch whose last record was dropped, and re-encodes compressed batches', async () => {
    const log = await openLog(compacted());
    append(
      log,
      [
        ['a', 'a1'],
        ['b', 'b1'],
        ['c', 'c1'],
      ],
      { compression: 'gzip' },
    );
    append(
      log,
      [
        ['x', 'x1'],
        ['c', 'c2'],
      ],
      { compression: 'lz4' },
    );
    log.maybeRoll(T0 + 8 * DAY);
    append(log, [['b', 'b2']], { compression: 'snappy' });
    log.maybeRoll(T0 + 16 * DAY);
    append(log, [['z', 'z1']]);
    await cleanLog(log, { now: T0 + 1000 });
    const read = await log.read(0, 1 << 20);
    const records = decodeRecordBatches(Buffer.concat(read.records));
    expect(records.map((r) => [r.offset, r.value?.toString()])).toEqual([
      [0, 'a1'],
      [3, 'x1'],
      [4, 'c2'],
      [5, 'b2'],
      [6, 'z1'],
    ]);
    const first = records[0]!.batch;
    expect(first).toMatchObject({ baseOffset: 0, lastOffsetDelta: 2, recordCount: 1, compression: 1 });
    // the second batch lost nothing: stored verbatim (lz4)
    expect(records[1]!.batch).toMatchObject({ compression: 3, recordCount: 2 });
  });

  it('drops tombstones only once they are older than delete.retention.ms', async () => {
    const log = await openLog(compacted({ deleteRetentionMs: DAY }));
    append(log, [
      ['a', 'a1'],
      ['b', 'b1'],
    ]);
    append(log, [['a', null]]);
    log.maybeRoll(T0 + 8 * DAY);
    append(log, [['c', 'c1']]);
    await cleanLog(log, { now: T0 + 1000 });
    expect(await consume(log)).toEqual([
      { offset: 1, key: 'b', value: 'b1' },
      { offset: 2, key: 'a', value: null },
      { offset: 3, key: 'c', value: 'c1' },
    ]);
    // a day later the clean segment is dirty again only by ratio: force with ratio 0
    log.config = compacted({ deleteRetentionMs: DAY, minCleanableDirtyRatio: 0 });
    append(log, [['b', 'b2']], { ts: T0 + 2 * DAY });
    log.maybeRoll(T0 + 20 * DAY);
    append(log, [['d', 'd1']], { ts: T0 + 2 * DAY });
    await cleanLog(log, { now: T0 + 2 * DAY });
    expect((await consume(log)).map((x) => [x.key, x.value])).toEqual([
      ['c', 'c1'],
      ['b', 'b2'],
      ['d', 'd1'],
    ]);
  });

  it('does not touch segments younger than min.compaction.lag.ms, nor a log below the dirty ratio', async () => {
    const log = await openLog(compacted({ minCompactionLagMs: 60_000 }));
    append(log, [['a', 'a1']]);
    append(log, [['a', 'a2']]);
    log.maybeRoll(T0 + 8 * DAY);
    append(log, [['a', 'a3']]);
    expect(await cleanLog(log, { now: T0 + 1000 })).toMatchObject({ cleaned: false });
    expect((await consume(log)).length).toBe(3);
    expect(await cleanLog(log, { now: T0 + 61_000 })).toMatchObject({ cleaned: true, recordsRemoved: 1 });
    // everything closed is clean now: dirty ratio 0 < 0.5, nothing to do
    expect(await cleanLog(log, { now: T0 + 62_000 })).toMatchObject({ cleaned: false });
  });

  it('with a key map smaller than the dirty keys, cleans the prefix that fits and the rest next pass', async () => {
    const log = await openLog(compacted());
    append(log, [
      ['a', 'a1'],
      ['b', 'b1'],
      ['c', 'c1'],
      ['a', 'a2'],
      ['c', 'c2'],
    ]);
    log.maybeRoll(T0 + 8 * DAY);
    append(log, [['z', 'z1']]);
    const first = await cleanLog(log, { now: T0 + 1000, maxKeys: 2 });
    // a and b fill the map: only offsets 0-1 are covered, and nothing there is superseded yet
    expect(first).toMatchObject({ cleaned: true, firstDirtyOffset: 2, recordsRemoved: 0 });
    expect((await consume(log)).map((x) => x.value)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'z1']);
    log.config = compacted({ minCleanableDirtyRatio: 0 });
    await cleanLog(log, { now: T0 + 2000, maxKeys: 2 });
    expect((await consume(log)).map((x) => x.value)).toEqual(['b1', 'a2', 'c2', 'z1']);
  });

  it('after a crash mid-clean (a .cleaned or a .swap file left behind) loses nothing on restart', async () => {
    const log = await openLog(compacted());
    append(log, [
      ['a', 'a1'],
      ['b', 'b1'],
    ]);
    append(log, [['a', 'a2']]);
    log.maybeRoll(T0 + 8 * DAY);
    append(log, [['c', 'c1']]);
    const seg0 = path.join(dir, '00000000000000000000.log');
    const original = await fs.promises.readFile(seg0);
    await cleanLog(log, { now: T0 + 1000 });
    const cleaned = await fs.promises.readFile(seg0);
    await log.close();

    // crash before the swap: the old segment is intact and the partial copy is discarded
    await fs.promises.writeFile(seg0, original);
    await fs.promises.writeFile(`${seg0}.cleaned`, cleaned.subarray(0, 10));
    let again = await openLog(compacted());
    expect((await consume(again)).map((x) => x.value)).toEqual(['a1', 'b1', 'a2', 'c1']);
    expect(fs.existsSync(`${seg0}.cleaned`)).toBe(false);
    await again.close();

    // crash after the fsynced copy became `.swap`: it replaces the segment, indexes are rebuilt
    await fs.promises.writeFile(`${seg0}.swap`, cleaned);
    again = await openLog(compacted());
    expect((await consume(again)).map((x) => x.value)).toEqual(['b1', 'a2', 'c1']);
    expect(fs.existsSync(`${seg0}.swap`)).toBe(false);
    await again.close();

    // crash after the old .log was replaced but with the old index files deleted
    await fs.promises.rm(path.join(dir, '00000000000000000000.index'));
    await fs.promises.rm(path.join(dir, '00000000000000000000.timeindex'));
    again = await openLog(compacted());
    expect((await consume(again)).map((x) => x.value)).toEqual(['b1', 'a2', 'c1']);
  });

  it('does nothing on a log whose topic does not compact', async () => {
    const log = await openLog({ ...DEFAULT_LOG_CONFIG, retentionMs: -1 });
    append(log, [['a', 'a1']]);
    append(log, [['a', 'a2']]);
    log.maybeRoll(T0 + 8 * DAY);
    append(log, [['a', 'a3']]);
    expect(await cleanLog(log, { now: T0 })).toMatchObject({ cleaned: false });
    expect((await consume(log)).length).toBe(3);
  });
});
