/**
 * A really full disk: the broker's data directory on a 2 MiB tmpfs. Every request is answered
 * with a Kafka error code (never a closed connection), and deleting a topic frees the space.
 * Needs permission to mount (root); skipped otherwise. `topics.test.ts` covers the same rules by
 * fault injection without root.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiKey, encodeRecordBatch, ErrorCode } from '@orders/kafka-protocol';
import { startBroker, silentLogger } from '@orders/sps-broker';
import { RawConnection } from '../helpers/raw-client.js';

const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'sps-full-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not permitted here: the test is skipped
}
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  rmSync(mountPoint, { recursive: true, force: true });
});

async function produce(conn: RawConnection, topic: string, bytes: number) {
  const res = await conn.request(ApiKey.Produce, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [
      {
        name: topic,
        partitionData: [
          { index: 0, records: encodeRecordBatch({ records: [{ value: 'x'.repeat(bytes) }] }) },
        ],
      },
    ],
  });
  return res.responses[0].partitionResponses[0].errorCode as number;
}

async function createTopic(conn: RawConnection, name: string) {
  const res = await conn.request(ApiKey.CreateTopics, 4, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  return res.topics[0].errorCode as number;
}

describe.skipIf(!mounted)('on a full disk (2 MiB tmpfs)', () => {
  it('answers error codes, never closes the connection, and a delete frees the space', async () => {
    const dataDir = path.join(mountPoint, 'data');
    let broker = await startBroker({ port: 0, httpPort: null, dataDir, logger: silentLogger });
    const conn = await RawConnection.connect(broker.port);
    try {
      expect(await createTopic(conn, 'filler')).toBe(ErrorCode.NONE);
      // fill the disk: big batches, then ever smaller ones until not even 100 bytes fit
      for (const size of [64 * 1024, 4096, 100])
        for (let i = 0; i < 1000; i++) {
          const code = await produce(conn, 'filler', size);
          if (code !== ErrorCode.NONE) {
            expect(code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
            break;
          }
        }

      const alter = await conn.request(ApiKey.IncrementalAlterConfigs, 0, {
        resources: [
          {
            resourceType: 2,
            resourceName: 'filler',
            configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }],
          },
        ],
        validateOnly: false,
      });
      expect(alter.responses[0].errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      const alterOld = await conn.request(ApiKey.AlterConfigs, 1, {
        resources: [
          { resourceType: 2, resourceName: 'filler', configs: [{ name: 'retention.ms', value: '1000' }] },
        ],
        validateOnly: false,
      });
      expect(alterOld.responses[0].errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      const init = await conn.request(ApiKey.InitProducerId, 1, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
      });
      expect(init.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      expect(await createTopic(conn, 'another')).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      expect(conn.closed).toBe(false);

      const del = await conn.request(ApiKey.DeleteTopics, 3, { topicNames: ['filler'], timeoutMs: 5000 });
      expect(del.responses[0].errorCode).toBe(ErrorCode.NONE);
      // the space is back: everything works again
      expect(await createTopic(conn, 'after')).toBe(ErrorCode.NONE);
      expect(await produce(conn, 'after', 1000)).toBe(ErrorCode.NONE);
      const init2 = await conn.request(ApiKey.InitProducerId, 1, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
      });
      expect(init2.errorCode).toBe(ErrorCode.NONE);
    } finally {
      conn.close();
      await broker.close();
    }
    broker = await startBroker({ port: 0, httpPort: null, dataDir, logger: silentLogger });
    try {
      expect(broker.state.topics.names()).toEqual(['after']);
    } finally {
      await broker.close();
    }
  });
});
