/**
 * The transaction coordinator and the partitions' transaction state on a temp data directory; the
 * registries are reopened without close() to stand for a crash.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch, ErrorCode, readBatchHeader } from '@orders/kafka-protocol';
import { AppendNotifier } from '../appends.js';
import { DEFAULT_BROKER_LOG } from '../configs.js';
import { DEFAULT_GROUP_CONFIG } from '../groups/config.js';
import { GroupCoordinator } from '../groups/coordinator.js';
import { silentLogger } from '../logger.js';
import { ProducerRegistry } from '../producers.js';
import { TopicRegistry } from '../topics.js';
import { TRANSACTIONS_FILE, TransactionCoordinator } from './coordinator.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function open(dataDir: string, now: () => number = Date.now) {
  const topics = await TopicRegistry.open(dataDir, DEFAULT_BROKER_LOG, silentLogger);
  const producers = await ProducerRegistry.open(dataDir, topics, { logger: silentLogger });
  const groups = await GroupCoordinator.open(dataDir, DEFAULT_GROUP_CONFIG, silentLogger);
  const txns = await TransactionCoordinator.open(
    dataDir,
    { topics, producers, groups, appends: new AppendNotifier(), logger: silentLogger },
    { now },
  );
  return { topics, producers, groups, txns };
}
type Broker = Awaited<ReturnType<typeof open>>;

async function fresh(now?: () => number) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sps-txn-'));
  dirs.push(dataDir);
  const b = await open(dataDir, now);
  await b.topics.create('t', 1);
  return { dataDir, b };
}

/** What the Produce handler does with a transactional batch: verify, append, book. */
function produce(b: Broker, txid: string, pid: number, epoch: number, seq: number, count = 2): number {
  const code = b.txns.verifyProduce(txid, pid, epoch, 't', 0);
  if (code !== ErrorCode.NONE) return -code;
  const batch = encodeRecordBatch({
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    transactional: true,
    records: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `${txid}-${seq + i}` })),
  });
  const log = b.topics.partition('t', 0)!;
  const appended = log.append(batch);
  b.producers.appended('t', 0, log, readBatchHeader(batch), appended.baseOffset, appended.position);
  return appended.baseOffset;
}

async function begin(b: Broker, txid: string) {
  const init = await b.txns.initProducerId(txid, 60_000, { producerId: -1, producerEpoch: -1 });
  expect(init.errorCode).toBe(ErrorCode.NONE);
  const added = await b.txns.addPartitions(txid, init.producerId, init.producerEpoch, [
    { topic: 't', partition: 0 },
  ]);
  expect(added.errorCode).toBe(ErrorCode.NONE);
  return init;
}

describe('transaction state in the partitions', () => {
  it('rebuilds the last stable offset and the aborted transactions from the log after a crash', async () => {
    const { dataDir, b } = await fresh();
    const a = await begin(b, 'a');
    expect(produce(b, 'a', a.producerId, a.producerEpoch, 0)).toBe(0); // offsets 0-1
    const c = await begin(b, 'c');
    expect(produce(b, 'c', c.producerId, c.producerEpoch, 0)).toBe(2); // offsets 2-3
    expect(await b.txns.endTxn('a', a.producerId, a.producerEpoch, false)).toBe(ErrorCode.NONE); // marker 4
    expect(b.producers.lastStableOffset('t', 0, 5)).toBe(2);
    expect(await b.txns.endTxn('c', c.producerId, c.producerEpoch, true)).toBe(ErrorCode.NONE); // marker 5
    const open2 = await begin(b, 'open');
    expect(produce(b, 'open', open2.producerId, open2.producerEpoch, 0)).toBe(6);

    const before = {
      lso: b.producers.lastStableOffset('t', 0, 8),
      aborted: b.producers.abortedTransactions('t', 0, 0, 8),
    };
    expect(before).toEqual({
      lso: 6,
      aborted: [{ producerId: a.producerId, firstOffset: 0, lastOffset: 4 }],
    });
    // no close(): no snapshot; everything comes back from the batch headers and markers
    const again = await open(dataDir);
    expect(again.producers.lastStableOffset('t', 0, 8)).toBe(6);
    expect(again.producers.abortedTransactions('t', 0, 0, 8)).toEqual(before.aborted);
    expect(again.producers.abortedTransactions('t', 0, 5, 8)).toEqual([]);
    expect(again.txns.get('open')?.state).toBe('Ongoing');
  });

  it('keeps transaction state in the snapshot written at a clean stop', async () => {
    const { dataDir, b } = await fresh();
    const a = await begin(b, 'a');
    produce(b, 'a', a.producerId, a.producerEpoch, 0);
    await b.txns.endTxn('a', a.producerId, a.producerEpoch, false);
    const o = await begin(b, 'o');
    produce(b, 'o', o.producerId, o.producerEpoch, 0);
    await b.topics.close();
    await b.producers.snapshotAll();
    const snapshot = JSON.parse(
      readFileSync(path.join(dataDir, 'logs', 't-0', 'producer-snapshot.json'), 'utf8'),
    );
    expect(snapshot.ongoing).toEqual([[o.producerId, 3]]);
    const again = await open(dataDir);
    expect(again.producers.lastStableOffset('t', 0, 5)).toBe(3);
    expect(again.producers.abortedTransactions('t', 0, 0, 5)).toHaveLength(1);
  });
});

describe('transaction coordinator', () => {
  it('finishes a commit interrupted between its two phases at start-up, offsets included', async () => {
    const { dataDir, b } = await fresh();
    const t = await begin(b, 'x');
    produce(b, 'x', t.producerId, t.producerEpoch, 0);
    expect(await b.txns.addOffsets('x', t.producerId, t.producerEpoch, 'g')).toBe(ErrorCode.NONE);
    const errors = await b.txns.txnOffsetCommit({
      transactionalId: 'x',
      groupId: 'g',
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      generationId: -1,
      memberId: '',
      offsets: [{ topic: 't', partition: 0, offset: 17, leaderEpoch: -1, metadata: null }],
    });
    expect([...errors.values()]).toEqual([ErrorCode.NONE]);
    expect(b.txns.hasPendingOffsets('g', 't', 0)).toBe(true);
    expect(b.groups.committed('g', 't', 0)).toBeUndefined();
    // a crash right after PrepareCommit was made durable, before any marker
    await b.txns.settled();
    const file = path.join(dataDir, TRANSACTIONS_FILE);
    const table = JSON.parse(readFileSync(file, 'utf8'));
    table.transactions[0].state = 'PrepareCommit';
    writeFileSync(file, JSON.stringify(table));

    const again = await open(dataDir);
    expect(again.txns.get('x')?.state).toBe('CompleteCommit');
    expect(again.producers.lastStableOffset('t', 0, again.topics.partition('t', 0)!.highWatermark)).toBe(3);
    expect(again.groups.committed('g', 't', 0)?.offset).toBe(17);
    expect(again.txns.hasPendingOffsets('g', 't', 0)).toBe(false);
  });

  it('aborts a transaction past its timeout with a new epoch, fencing the producer that let it lapse', async () => {
    let now = 1_000_000;
    const { b } = await fresh(() => now);
    const t = await begin(b, 'slow');
    produce(b, 'slow', t.producerId, t.producerEpoch, 0);
    now += 59_000;
    expect(await b.txns.abortTimedOut(now)).toEqual([]);
    now += 2_000;
    expect(await b.txns.abortTimedOut(now)).toEqual(['slow']);
    const meta = b.txns.get('slow')!;
    expect(meta).toMatchObject({ state: 'CompleteAbort', producerEpoch: t.producerEpoch + 1 });
    expect(b.producers.abortedTransactions('t', 0, 0, 3)).toEqual([
      { producerId: t.producerId, firstOffset: 0, lastOffset: 2 },
    ]);
    expect(await b.txns.endTxn('slow', t.producerId, t.producerEpoch, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(b.txns.verifyProduce('slow', t.producerId, t.producerEpoch, 't', 0)).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    // the partition's producer state knows the new epoch from the marker
    expect(b.producers.check('t', 0, t.producerId, t.producerEpoch, 2, 1)).toMatchObject({
      kind: 'error',
      errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
    });
  });

  it('answers CONCURRENT_TRANSACTIONS while the markers of an ending transaction are written', async () => {
    const { b } = await fresh();
    const t = await begin(b, 'busy');
    produce(b, 'busy', t.producerId, t.producerEpoch, 0);
    const ending = b.txns.endTxn('busy', t.producerId, t.producerEpoch, true);
    const again = [{ topic: 't', partition: 0 }];
    expect((await b.txns.addPartitions('busy', t.producerId, t.producerEpoch, again)).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect(
      (await b.txns.initProducerId('busy', 60_000, { producerId: -1, producerEpoch: -1 })).errorCode,
    ).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(await ending).toBe(ErrorCode.NONE);
    // retried after the markers: a new transaction starts
    expect((await b.txns.addPartitions('busy', t.producerId, t.producerEpoch, again)).errorCode).toBe(
      ErrorCode.NONE,
    );
    expect(b.txns.get('busy')?.state).toBe('Ongoing');
  });

  it('a partition outside the transaction or an unknown partition is refused', async () => {
    const { b } = await fresh();
    const init = await b.txns.initProducerId('p', 60_000, { producerId: -1, producerEpoch: -1 });
    expect(b.txns.verifyProduce('p', init.producerId, init.producerEpoch, 't', 0)).toBe(
      ErrorCode.INVALID_TXN_STATE,
    );
    const r = await b.txns.addPartitions('p', init.producerId, init.producerEpoch, [
      { topic: 't', partition: 0 },
      { topic: 'nope', partition: 0 },
    ]);
    expect(r.partitionErrors?.get('t\u00000')).toBe(ErrorCode.OPERATION_NOT_ATTEMPTED);
    expect(r.partitionErrors?.get('nope\u00000')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(b.txns.get('p')?.state).toBe('Empty');
  });
});
