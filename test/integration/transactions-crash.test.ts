/**
 * SIGKILL the broker in the middle of a transaction. After the restart the open transaction is
 * aborted by its timeout (transaction.timeout.ms), and a read_committed consumer never sees any of
 * its records (read_uncommitted still does: they were acknowledged with acks=all).
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ApiKey } from '@orders/kafka-protocol';
import { tempDir } from '../helpers/broker.js';
import { exited, spawnTs, waitForLine } from '../helpers/process.js';
import { RawConnection } from '../helpers/raw-client.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function serve(dataDir: string) {
  const child = spawnTs('test/fixtures/serve.ts', [dataDir, '0']);
  const [, port] = await waitForLine(child, /ready (\d+)/);
  return { child, port: Number(port) };
}

const client = (port: number) =>
  new Kafka({ clientId: 'txn-crash', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });

async function latest(port: number, topic: string, isolationLevel: number): Promise<number> {
  const conn = await RawConnection.connect(port);
  try {
    const res = await conn.request(ApiKey.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    return Number(res.topics[0].partitions[0].offset);
  } finally {
    conn.close();
  }
}

async function readUntil(k: Kafka, topic: string, readUncommitted: boolean, last: string): Promise<string[]> {
  const consumer: Consumer = k.consumer({
    groupId: `r-${Math.random()}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw only ${JSON.stringify(values)}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value!.toString());
        if (values.includes(last)) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return values;
}

describe('transactions and a broker crash', () => {
  it('a transaction open at SIGKILL is aborted by its timeout after restart; read_committed never sees it', async () => {
    const dataDir = await tempDir('sps-txn-crash-');
    dirs.push(dataDir);
    const topic = 'txn-crash';
    const first = await serve(dataDir);
    const kafka = client(first.port);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({
      transactionalId: 'crash-tx',
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 3000,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic, acks: -1, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await committed.commit();
    const open = await producer.transaction();
    await open.send({ topic, acks: -1, messages: [{ value: 'partial-1' }, { value: 'partial-2' }] });
    first.child.kill('SIGKILL');
    await exited(first.child);
    await producer.disconnect().catch(() => undefined);

    const second = await serve(dataDir);
    try {
      // the open transaction holds the last stable offset at its first record until it is aborted
      const deadline = Date.now() + 30_000;
      let lso = await latest(second.port, topic, 1);
      const hwm = await latest(second.port, topic, 0);
      expect(hwm).toBe(5); // 2 records, a commit marker, 2 records of the open transaction
      while (lso < hwm + 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        lso = await latest(second.port, topic, 1);
      }
      expect(lso).toBe(6); // aborted: its abort marker is at offset 5
      const k = client(second.port);
      const plain = k.producer();
      await plain.connect();
      await plain.send({ topic, acks: -1, messages: [{ value: 'after' }] });
      await plain.disconnect();
      expect(await readUntil(k, topic, false, 'after')).toEqual(['committed-1', 'committed-2', 'after']);
      expect(await readUntil(k, topic, true, 'after')).toEqual([
        'committed-1',
        'committed-2',
        'partial-1',
        'partial-2',
        'after',
      ]);
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  });
});
