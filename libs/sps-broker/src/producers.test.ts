/**
 * Producer state across restarts, on a temp data directory: the partition logs and registries are
 * reopened without close() to stand for a crash, or after close() for a clean stop.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch, ErrorCode, readBatchHeader } from '@orders/kafka-protocol';
import { DEFAULT_BROKER_LOG } from './configs.js';
import { silentLogger } from './logger.js';
import { ProducerRegistry, SNAPSHOT_FILE } from './producers.js';
import { TopicRegistry } from './topics.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

type Opts = { now?: () => number; expirationMs?: number; snapshotEveryOffsets?: number };

async function open(dataDir: string, opts: Opts = {}) {
  const topics = await TopicRegistry.open(dataDir, DEFAULT_BROKER_LOG, silentLogger);
  const producers = await ProducerRegistry.open(dataDir, topics, { logger: silentLogger, ...opts });
  return { topics, producers };
}

type Broker = Awaited<ReturnType<typeof open>>;

/** What the Produce handler does for one partition: check, append, book. */
function produce(b: Broker, pid: number, seq: number, count = 2, epoch = 0, partition = 0) {
  const batch = encodeRecordBatch({
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    records: Array.from({ length: count }, (_, i) => ({ key: `k${pid}`, value: `p${pid}-s${seq + i}` })),
  });
  const check = b.producers.check('t', partition, pid, epoch, seq, count);
  if (check.kind === 'duplicate') return { kind: 'duplicate' as const, offset: check.baseOffset };
  if (check.kind === 'error') return { kind: 'error' as const, errorCode: check.errorCode };
  const log = b.topics.partition('t', partition)!;
  const appended = log.append(batch);
  b.producers.appended('t', partition, log, readBatchHeader(batch), appended.baseOffset, appended.position);
  return { kind: 'appended' as const, offset: appended.baseOffset };
}

async function freshBroker(opts: Opts = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sps-producers-'));
  dirs.push(dataDir);
  const b = await open(dataDir, opts);
  await b.topics.create('t', 1);
  return { dataDir, b };
}

describe('producer state across restarts', () => {
  it('answers a batch retried after a crash with its original offset, from the log alone', async () => {
    const { dataDir, b } = await freshBroker();
    expect(produce(b, 7, 0)).toEqual({ kind: 'appended', offset: 0 });
    expect(produce(b, 7, 2)).toEqual({ kind: 'appended', offset: 2 });
    expect(produce(b, 7, 4)).toEqual({ kind: 'appended', offset: 4 });
    await b.topics.partition('t', 0)!.flush();
    // crash: no close, no snapshot
    expect(existsSync(path.join(b.topics.partitionDir('t', 0), SNAPSHOT_FILE))).toBe(false);

    const after = await open(dataDir);
    expect(produce(after, 7, 4)).toEqual({ kind: 'duplicate', offset: 4 });
    expect(produce(after, 7, 2)).toEqual({ kind: 'duplicate', offset: 2 });
    expect(produce(after, 7, 9)).toEqual({
      kind: 'error',
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    });
    expect(produce(after, 7, 6)).toEqual({ kind: 'appended', offset: 6 });
    expect(after.topics.partition('t', 0)!.highWatermark).toBe(8);
  });

  it('writes a snapshot when a segment rolls, and restores producers whose batches are gone', async () => {
    const { dataDir, b } = await freshBroker();
    const log = b.topics.partition('t', 0)!;
    produce(b, 1, 0);
    produce(b, 1, 2);
    log.config = { ...log.config, segmentBytes: 1 }; // every next append rolls
    expect(produce(b, 2, 0)).toEqual({ kind: 'appended', offset: 4 });
    await b.producers.settled();
    const snapshot = JSON.parse(readFileSync(path.join(log.dir, SNAPSHOT_FILE), 'utf8'));
    expect(snapshot.offset).toBe(4);
    expect(snapshot.producers.map((p: { id: number }) => p.id)).toEqual([1]);

    // producer 1's batches leave the log; only the snapshot still knows them
    await log.deleteRecordsBefore(4);
    expect(log.logStartOffset).toBe(4);
    await log.flush();
    const after = await open(dataDir);
    expect(produce(after, 1, 2)).toEqual({ kind: 'duplicate', offset: 2 });
    expect(produce(after, 2, 0)).toEqual({ kind: 'duplicate', offset: 4 });
    expect(produce(after, 1, 4)).toEqual({ kind: 'appended', offset: 6 });
  });

  it('also snapshots every N offsets, so a crash replays only the log after it', async () => {
    const { b } = await freshBroker({ snapshotEveryOffsets: 10 });
    for (let seq = 0; seq < 14; seq += 2) produce(b, 9, seq); // offsets 0..13
    await b.producers.settled();
    const dir = b.topics.partitionDir('t', 0);
    const snapshot = JSON.parse(readFileSync(path.join(dir, SNAPSHOT_FILE), 'utf8'));
    expect(snapshot.offset).toBe(10);
  });

  it('writes a snapshot at the log end on a clean close', async () => {
    const { dataDir, b } = await freshBroker();
    produce(b, 3, 0, 5);
    await b.topics.close();
    await b.producers.snapshotAll();
    const snapshot = JSON.parse(
      readFileSync(path.join(b.topics.partitionDir('t', 0), SNAPSHOT_FILE), 'utf8'),
    );
    expect(snapshot).toMatchObject({ offset: 5, producers: [{ id: 3, epoch: 0 }] });
    const after = await open(dataDir);
    expect(produce(after, 3, 0, 5)).toEqual({ kind: 'duplicate', offset: 0 });
  });

  it('ignores a snapshot that is past the log end (the tail was lost) and rebuilds from the log', async () => {
    const { dataDir, b } = await freshBroker();
    produce(b, 4, 0);
    await b.topics.partition('t', 0)!.flush();
    writeFileSync(
      path.join(b.topics.partitionDir('t', 0), SNAPSHOT_FILE),
      JSON.stringify({
        version: 1,
        offset: 1000,
        producers: [{ id: 4, epoch: 0, lastTimestamp: Date.now(), batches: [] }],
      }),
    );
    const after = await open(dataDir);
    expect(produce(after, 4, 0)).toEqual({ kind: 'duplicate', offset: 0 });
    expect(produce(after, 4, 2)).toEqual({ kind: 'appended', offset: 2 });
  });

  it('keeps only the last 5 batches of a producer', async () => {
    const { dataDir, b } = await freshBroker();
    for (let i = 0; i < 7; i++) produce(b, 5, i * 2);
    await b.topics.partition('t', 0)!.flush();
    const after = await open(dataDir);
    expect(produce(after, 5, 4)).toEqual({ kind: 'duplicate', offset: 4 });
    expect(produce(after, 5, 2)).toMatchObject({ kind: 'error' }); // older than the cached five
  });

  it('refuses an older epoch and accepts a new epoch only from sequence 0, after a restart too', async () => {
    const { dataDir, b } = await freshBroker();
    produce(b, 6, 0, 2, 3);
    await b.topics.partition('t', 0)!.flush();
    const after = await open(dataDir);
    expect(produce(after, 6, 2, 2, 2)).toEqual({
      kind: 'error',
      errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
    });
    expect(produce(after, 6, 5, 2, 4)).toEqual({
      kind: 'error',
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    });
    expect(produce(after, 6, 0, 2, 4)).toEqual({ kind: 'appended', offset: 2 });
  });

  it('forgets a producer after producer.id.expiration.ms and then accepts any sequence', async () => {
    let now = 1_000_000;
    const { b } = await freshBroker({ now: () => now, expirationMs: 60_000 });
    produce(b, 8, 0);
    now += 30_000;
    expect(b.producers.expire()).toBe(0);
    expect(b.producers.producerCount('t', 0)).toBe(1);
    now += 31_000;
    expect(b.producers.expire()).toBe(1);
    expect(b.producers.producerCount('t', 0)).toBe(0);
    expect(produce(b, 8, 40)).toEqual({ kind: 'appended', offset: 2 });
  });
});

describe('producer ids', () => {
  it('never repeat across restarts, crashed or clean', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sps-producer-ids-'));
    dirs.push(dataDir);
    const seen = new Set<number>();
    for (let run = 0; run < 3; run++) {
      const registry = await ProducerRegistry.open(dataDir);
      for (let i = 0; i < 3; i++) {
        const id = await registry.allocateId();
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(9);
  });

  it('fails allocation (for a storage error answer) when the id block cannot be persisted', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sps-producer-ids-'));
    dirs.push(dataDir);
    const registry = await ProducerRegistry.open(dataDir);
    mkdirSync(path.join(dataDir, 'producer-ids.json.tmp')); // the temp file cannot be created
    await expect(registry.allocateId()).rejects.toThrow();
    await rm(path.join(dataDir, 'producer-ids.json.tmp'), { recursive: true });
    expect(await registry.allocateId()).toBe(0);
  });
});
