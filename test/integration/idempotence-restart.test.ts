/**
 * Idempotence across broker restarts: the broker process is SIGKILLed (or stopped) and restarted on
 * the same data directory; a batch the producer re-sends because it never saw the answer is
 * answered with its original offset and is stored once.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, encodeRecordBatch, ErrorCode } from '@orders/kafka-protocol';
import { tempDir } from '../helpers/broker.js';
import { exited, spawnTs, waitForLine } from '../helpers/process.js';
import { RawConnection } from '../helpers/raw-client.js';
import { readProducedRecords } from '../helpers/read.js';

const dirs: string[] = [];
const children: Array<ReturnType<typeof spawnTs>> = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function serve(dataDir: string, port = 0) {
  const child = spawnTs('test/fixtures/serve.ts', [dataDir, String(port)]);
  children.push(child);
  const [, actualPort] = await waitForLine(child, /ready (\d+)/);
  return { child, port: Number(actualPort) };
}

async function kill(child: ReturnType<typeof spawnTs>, signal: NodeJS.Signals = 'SIGKILL') {
  child.kill(signal);
  await exited(child);
}

async function createTopic(port: number, topic: string) {
  const conn = await RawConnection.connect(port);
  try {
    const res = await conn.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(res.topics[0].errorCode).toBe(ErrorCode.NONE);
  } finally {
    conn.close();
  }
}

async function initProducerId(conn: RawConnection): Promise<number> {
  const res = await conn.request(ApiKey.InitProducerId, 1, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
  });
  expect(res.errorCode).toBe(ErrorCode.NONE);
  return Number(res.producerId);
}

async function produce(conn: RawConnection, topic: string, records: Buffer) {
  const res = await conn.request(ApiKey.Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const p = res.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode as number, baseOffset: Number(p.baseOffset) };
}

function batch(producerId: number, baseSequence: number, values: string[]): Buffer {
  return encodeRecordBatch({
    producerId,
    producerEpoch: 0,
    baseSequence,
    records: values.map((value) => ({ key: 'k', value })),
  });
}

describe('idempotent producers across broker restarts', () => {
  for (const how of ['SIGKILL', 'SIGTERM'] as const) {
    it(`answers the exact same batch re-sent after a ${how} restart with its original offset, stored once`, async () => {
      const dataDir = await tempDir('sps-idem-');
      dirs.push(dataDir);
      const first = await serve(dataDir);
      await createTopic(first.port, 'idem');
      let conn = await RawConnection.connect(first.port);
      const pid = await initProducerId(conn);
      const batches = [batch(pid, 0, ['a', 'b']), batch(pid, 2, ['c', 'd', 'e']), batch(pid, 5, ['f'])];
      const offsets = [];
      for (const b of batches) {
        const r = await produce(conn, 'idem', Buffer.from(b));
        expect(r.errorCode).toBe(ErrorCode.NONE);
        offsets.push(r.baseOffset);
      }
      expect(offsets).toEqual([0, 2, 5]);
      conn.close();
      await kill(first.child, how);

      const second = await serve(dataDir);
      conn = await RawConnection.connect(second.port);
      try {
        // the producer never saw the last two answers: it re-sends them, byte for byte
        expect(await produce(conn, 'idem', Buffer.from(batches[1]!))).toEqual({
          errorCode: ErrorCode.NONE,
          baseOffset: 2,
        });
        expect(await produce(conn, 'idem', Buffer.from(batches[2]!))).toEqual({
          errorCode: ErrorCode.NONE,
          baseOffset: 5,
        });
        // a gap is still refused, and the next batch continues the log
        expect((await produce(conn, 'idem', batch(pid, 9, ['x']))).errorCode).toBe(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        );
        expect(await produce(conn, 'idem', batch(pid, 6, ['g']))).toEqual({
          errorCode: ErrorCode.NONE,
          baseOffset: 6,
        });
        // producer ids never repeat across restarts
        expect(await initProducerId(conn)).toBeGreaterThan(pid);
        const stored = await readProducedRecords(second.port, 'idem', 0);
        expect(stored.map((r) => r.value)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
        expect(stored.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      } finally {
        conn.close();
        await kill(second.child);
      }
    });
  }

  it('a kafkajs idempotent producer (acks=all) keeps every acked record exactly once over a SIGKILL', async () => {
    const dataDir = await tempDir('sps-idem-kafkajs-');
    dirs.push(dataDir);
    let broker = await serve(dataDir);
    const port = broker.port;
    await createTopic(port, 'orders');
    const kafka = new Kafka({
      clientId: 'idem-test',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    // kafkajs allows idempotence only with one request in flight
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const acked: string[] = [];
    let stop = false;
    const loop = (async () => {
      for (let n = 0; !stop; n++) {
        const value = `v${n}`;
        await producer.send({ topic: 'orders', acks: -1, messages: [{ key: 'one-key', value }] });
        acked.push(value);
      }
    })();
    const waitFor = async (count: number) => {
      for (let i = 0; i < 600 && acked.length < count; i++) await new Promise((r) => setTimeout(r, 50));
      expect(acked.length).toBeGreaterThanOrEqual(count);
    };
    await waitFor(50);
    await kill(broker.child);
    const before = acked.length;
    broker = await serve(dataDir, port);
    await waitFor(before + 50);
    stop = true;
    await loop;
    await producer.disconnect();

    const stored = await readProducedRecords(broker.port, 'orders', 0);
    await kill(broker.child);
    const values = stored.map((r) => r.value);
    expect(new Set(values).size).toBe(values.length); // no duplicates
    const ids = stored.map((r) => `${r.producerId}/${r.producerEpoch}/${r.sequence}`);
    expect(new Set(ids).size).toBe(ids.length);
    const storedSet = new Set(values);
    expect(acked.filter((v) => !storedSet.has(v))).toEqual([]); // nothing acked is lost
    // one key, one producer: the log keeps the send order
    const order = values.map((v) => Number(v!.slice(1)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
