/**
 * Kafka transactions on sps with kafkajs (a client we did not write): commit and abort, what
 * read_committed and read_uncommitted consumers see, offsets committed inside a transaction,
 * fencing of an older producer instance, and a transaction left open across a broker restart.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
let kafka: Kafka;
beforeAll(async () => {
  broker = await startTestBroker({ transactionTimeoutCheckIntervalMs: 100 });
  kafka = client(broker.bootstrap);
});
afterAll(async () => broker?.destroy());

function client(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'txn-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

async function createTopic(k: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
}

function txProducer(k: Kafka, transactionalId: string, timeoutMs = 30_000): Producer {
  return k.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: timeoutMs,
  });
}

/** Reads `topic` from the beginning until `until` holds (or 20 s), returning the values seen. */
async function readValues(
  k: Kafka,
  topic: string,
  readUncommitted: boolean,
  until: (values: string[]) => boolean,
): Promise<string[]> {
  const consumer: Consumer = k.consumer({
    groupId: `reader-${Math.random().toString(36).slice(2)}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value!.toString());
      if (until(values)) done();
    },
  });
  await Promise.race([finished, new Promise((r) => setTimeout(r, 20_000))]);
  await consumer.disconnect();
  return values;
}

describe('transaction coordinator', () => {
  it('FindCoordinator key_type=1 finds this broker', async () => {
    const conn = await RawConnection.connect(broker.port);
    try {
      const res = await conn.request(ApiKey.FindCoordinator, 2, { key: 'tx-1', keyType: 1 });
      expect(res.errorCode).toBe(ErrorCode.NONE);
      expect(res.port).toBe(broker.port);
      const bad = await conn.request(ApiKey.FindCoordinator, 2, { key: 'x', keyType: 7 });
      expect(bad.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    } finally {
      conn.close();
    }
  });

  it('InitProducerId keeps the producer id of a transactional id and bumps its epoch', async () => {
    const conn = await RawConnection.connect(broker.port);
    try {
      const first = await conn.request(ApiKey.InitProducerId, 1, {
        transactionalId: 'epochs',
        transactionTimeoutMs: 60_000,
      });
      const second = await conn.request(ApiKey.InitProducerId, 4, {
        transactionalId: 'epochs',
        transactionTimeoutMs: 60_000,
      });
      expect(first.errorCode).toBe(ErrorCode.NONE);
      expect(second.producerId).toBe(first.producerId);
      expect(second.producerEpoch).toBe(first.producerEpoch + 1);
      const tooLong = await conn.request(ApiKey.InitProducerId, 4, {
        transactionalId: 'epochs',
        transactionTimeoutMs: 3_600_000,
      });
      expect(tooLong.errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      // the old epoch is fenced: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before
      const v1 = await conn.request(ApiKey.EndTxn, 1, {
        transactionalId: 'epochs',
        producerId: first.producerId,
        producerEpoch: first.producerEpoch,
        committed: true,
      });
      const v3 = await conn.request(ApiKey.EndTxn, 3, {
        transactionalId: 'epochs',
        producerId: first.producerId,
        producerEpoch: first.producerEpoch,
        committed: true,
      });
      expect(v1.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect(v3.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    } finally {
      conn.close();
    }
  });
});

describe('kafkajs transactions', () => {
  it('a committed transaction is read by read_committed; an aborted one only by read_uncommitted', async () => {
    const topic = 'tx-commit-abort';
    await createTopic(kafka, topic, 2);
    const producer = txProducer(kafka, 'tx-commit-abort');
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({
      topic,
      messages: [
        { key: 'a', value: 'c1' },
        { key: 'b', value: 'c2' },
      ],
    });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({
      topic,
      messages: [
        { key: 'a', value: 'x1' },
        { key: 'b', value: 'x2' },
      ],
    });
    await aborted.abort();
    const last = await producer.transaction();
    await last.send({ topic, messages: [{ key: 'a', value: 'c3' }] });
    await last.commit();
    await producer.disconnect();

    const committedView = await readValues(kafka, topic, false, (v) => v.includes('c3'));
    expect(committedView.sort()).toEqual(['c1', 'c2', 'c3']);
    const everything = await readValues(kafka, topic, true, (v) => v.length >= 5);
    expect(everything.sort()).toEqual(['c1', 'c2', 'c3', 'x1', 'x2']);
  });

  it('offsets sent in a transaction reach the group only when it commits', async () => {
    const topic = 'tx-offsets';
    await createTopic(kafka, topic);
    const admin = kafka.admin();
    await admin.connect();
    const producer = txProducer(kafka, 'tx-offsets');
    await producer.connect();
    const txAbort = await producer.transaction();
    await txAbort.send({ topic, messages: [{ value: 'v' }] });
    await txAbort.sendOffsets({
      consumerGroupId: 'ctp',
      topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }],
    });
    await txAbort.abort();
    const afterAbort = await admin.fetchOffsets({ groupId: 'ctp', topics: [topic] });
    expect(afterAbort[0]!.partitions[0]!.offset).toBe('-1');

    const tx = await producer.transaction();
    await tx.send({ topic, messages: [{ value: 'w' }] });
    await tx.sendOffsets({
      consumerGroupId: 'ctp',
      topics: [{ topic, partitions: [{ partition: 0, offset: '42' }] }],
    });
    const during = await admin.fetchOffsets({ groupId: 'ctp', topics: [topic] });
    expect(during[0]!.partitions[0]!.offset).toBe('-1');
    await tx.commit();
    const after = await admin.fetchOffsets({ groupId: 'ctp', topics: [topic] });
    expect(after[0]!.partitions[0]!.offset).toBe('42');
    await producer.disconnect();
    await admin.disconnect();
  });

  it('a second producer with the same transactional id fences the first and aborts its transaction', async () => {
    const topic = 'tx-fence';
    await createTopic(kafka, topic);
    const zombie = txProducer(kafka, 'tx-fence');
    await zombie.connect();
    const zombieTx = await zombie.transaction();
    await zombieTx.send({ topic, messages: [{ value: 'zombie' }] });

    const successor = txProducer(kafka, 'tx-fence');
    await successor.connect();
    // kafkajs sends InitProducerId at its first transaction(): a new epoch, the zombie's open
    // transaction is aborted
    const tx = await successor.transaction();
    const failure = await zombieTx.commit().then(
      () => null,
      (e: unknown) => e as { type?: string },
    );
    expect(failure?.type).toMatch(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/);
    await tx.send({ topic, messages: [{ value: 'successor' }] });
    await tx.commit();
    await successor.disconnect();
    await zombie.disconnect().catch(() => undefined);

    expect(await readValues(kafka, topic, false, (v) => v.includes('successor'))).toEqual(['successor']);
  });

  it('ListOffsets read_committed stops at the last stable offset while a transaction is open', async () => {
    const topic = 'tx-lso';
    await createTopic(kafka, topic);
    const producer = txProducer(kafka, 'tx-lso');
    await producer.connect();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'before' }] });
    const tx = await producer.transaction();
    await tx.send({ topic, messages: [{ value: 'open' }] });
    await plain.send({ topic, messages: [{ value: 'after' }] });
    const conn = await RawConnection.connect(broker.port);
    try {
      const latest = async (isolationLevel: number) => {
        const res = await conn.request(ApiKey.ListOffsets, 5, {
          replicaId: -1,
          isolationLevel,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
        });
        return Number(res.topics[0].partitions[0].offset);
      };
      expect(await latest(0)).toBe(3);
      expect(await latest(1)).toBe(1);
      await tx.commit();
      expect(await latest(1)).toBe(4); // the marker takes an offset too
    } finally {
      conn.close();
    }
    await plain.disconnect();
    await producer.disconnect();
  });
});

describe('transactions across a restart', () => {
  it('a transaction left open when the broker stops is aborted by its timeout after restart', async () => {
    const dataDir = await tempDir('sps-txn-restart-');
    const topic = 'tx-restart';
    let b = await startTestBroker({ dataDir, transactionTimeoutCheckIntervalMs: 100 });
    let k = client(b.bootstrap);
    await createTopic(k, topic);
    const producer = txProducer(k, 'tx-restart', 2000);
    await producer.connect();
    const done = await producer.transaction();
    await done.send({ topic, messages: [{ value: 'committed' }] });
    await done.commit();
    const open = await producer.transaction();
    await open.send({ topic, messages: [{ value: 'partial-1' }, { value: 'partial-2' }] });
    await producer.disconnect().catch(() => undefined);
    await b.close();

    b = await startTestBroker({ dataDir, port: 0, transactionTimeoutCheckIntervalMs: 100 });
    k = client(b.bootstrap);
    try {
      // the open transaction holds the LSO until its timeout aborts it
      const deadline = Date.now() + 20_000;
      let state = '';
      while (Date.now() < deadline) {
        state = b.state.transactions.get('tx-restart')!.state;
        if (state === 'CompleteAbort') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(state).toBe('CompleteAbort');
      const plain = k.producer();
      await plain.connect();
      await plain.send({ topic, messages: [{ value: 'end' }] });
      await plain.disconnect();
      expect(await readValues(k, topic, false, (v) => v.includes('end'))).toEqual(['committed', 'end']);
      const all = await readValues(k, topic, true, (v) => v.includes('end'));
      expect(all).toEqual(['committed', 'partial-1', 'partial-2', 'end']);
    } finally {
      await b.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
