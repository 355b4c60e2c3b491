/**
 * Transactions are not implemented yet, so they are refused at the first step with the one error
 * every client family treats as fatal there (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and a message
 * saying why — never COORDINATOR_NOT_AVAILABLE, which clients retry for seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => broker?.destroy());

describe('transaction coordinator lookup', () => {
  it('FindCoordinator key_type=1 answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED with the reason', async () => {
    const conn = await RawConnection.connect(broker.port);
    try {
      for (const version of [1, 2]) {
        const res = await conn.request(ApiKey.FindCoordinator, version, { key: 'tx-1', keyType: 1 });
        expect(res.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        expect(res.errorMessage).toMatch(/does not support Kafka transactions; unset transactional\.id/);
        expect(res.nodeId).toBe(-1);
      }
    } finally {
      conn.close();
    }
  });

  it('an unknown key_type is INVALID_REQUEST; groups still find this broker', async () => {
    const conn = await RawConnection.connect(broker.port);
    try {
      const bad = await conn.request(ApiKey.FindCoordinator, 2, { key: 'x', keyType: 7 });
      expect(bad.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      const group = await conn.request(ApiKey.FindCoordinator, 2, { key: 'g', keyType: 0 });
      expect(group.errorCode).toBe(ErrorCode.NONE);
      expect(group.port).toBe(broker.port);
    } finally {
      conn.close();
    }
  });

  it('InitProducerId with a transactional id is refused as fatal, without a producer id', async () => {
    const conn = await RawConnection.connect(broker.port);
    try {
      const res = await conn.request(ApiKey.InitProducerId, 1, {
        transactionalId: 'tx-1',
        transactionTimeoutMs: 60_000,
      });
      expect(res.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      expect(res.producerId).toBe(-1);
    } finally {
      conn.close();
    }
  });
});

describe('kafkajs transactional producer', () => {
  it('fails at transaction() with a non-retriable error instead of retrying', async () => {
    const kafka = new Kafka({
      clientId: 'tx-refused',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      // a retriable answer would be retried for longer than the test's timeout
      retry: { retries: 30, initialRetryTime: 2000, maxRetryTime: 10_000 },
    });
    const producer = kafka.producer({
      transactionalId: 'orders-tx',
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const failure = await producer.transaction().then(
      () => null,
      (e: unknown) => e as { type?: string; retriable?: boolean; name?: string },
    );
    await producer.disconnect().catch(() => undefined);
    expect(failure).not.toBeNull();
    // kafkajs stops at the first non-retriable FindCoordinator answer and reports it this way
    expect(failure!.name).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(failure!.retriable).toBe(false);
  });
});
