/**
 * A fetch with nothing to return waits (long poll) and is woken by the append, not by its timer:
 * the consumer gets the record long before max_wait_ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode, decodeRecordBatches, encodeRecordBatch } from '@orders/kafka-protocol';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  await broker.state.topics.create('poll', 2);
});
afterAll(async () => broker?.destroy());

const fetchRequest = (fetchOffset: number, maxWaitMs: number, minBytes = 1, partition = 0) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes,
  maxBytes: 1024 * 1024,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic: 'poll',
      partitions: [
        {
          partition,
          currentLeaderEpoch: -1,
          fetchOffset,
          logStartOffset: -1,
          partitionMaxBytes: 1024 * 1024,
        },
      ],
    },
  ],
  forgottenTopicsData: [],
  rackId: '',
});

describe('long-polling fetch', () => {
  it('is woken by an append instead of waiting out max_wait_ms', async () => {
    const consumer = await RawConnection.connect(broker.port);
    const producer = await RawConnection.connect(broker.port);
    const started = Date.now();
    const pending = consumer.request(ApiKey.Fetch, 11, fetchRequest(0, 20_000));
    await new Promise((r) => setTimeout(r, 200));
    await producer.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 'poll',
          partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: 'wake up' }] }) }],
        },
      ],
    });
    const res = await pending;
    const waited = Date.now() - started;
    const p = res.responses[0].partitions[0];
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(decodeRecordBatches(p.records).map((r) => r.value?.toString())).toEqual(['wake up']);
    expect(waited).toBeLessThan(10_000); // far below max_wait_ms: the append woke it
    consumer.close();
    producer.close();
  });

  it('returns empty after max_wait_ms when nothing arrives', async () => {
    const consumer = await RawConnection.connect(broker.port);
    const res = await consumer.request(ApiKey.Fetch, 11, fetchRequest(0, 100, 1, 1));
    expect(res.responses[0].partitions[0]).toMatchObject({
      errorCode: 0,
      highWatermark: 0,
      preferredReadReplica: -1,
    });
    consumer.close();
  });

  it('a fetch below the log start or past the end gets OFFSET_OUT_OF_RANGE at once', async () => {
    const consumer = await RawConnection.connect(broker.port);
    const res = await consumer.request(ApiKey.Fetch, 11, fetchRequest(99, 20_000));
    expect(res.responses[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    consumer.close();
  });
});
