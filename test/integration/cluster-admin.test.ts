/**
 * DescribeLogDirs (35) and DescribeCluster (60): what kafka-log-dirs, the Java AdminClient,
 * franz-go, sarama and kafka-python ask a broker about its disks and its cluster.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@orders/kafka-protocol';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
let conn: RawConnection;
beforeAll(async () => {
  broker = await startTestBroker();
  await broker.state.topics.create('dirs-a', 2);
  await broker.state.topics.create('dirs-b', 1);
  conn = await RawConnection.connect(broker.port);
  const res = await conn.request(ApiKey.Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [
      {
        name: 'dirs-a',
        partitionData: [
          {
            index: 1,
            records: encodeRecordBatch({
              records: [{ value: 'x'.repeat(500) }],
            }),
          },
        ],
      },
    ],
  });
  expect(res.responses[0].partitionResponses[0].errorCode).toBe(0);
});
afterAll(async () => {
  conn?.close();
  await broker?.destroy();
});

describe('DescribeLogDirs', () => {
  it('lists every partition in the one log dir with its size on disk, at v0–v4', async () => {
    for (const version of [0, 1, 2, 3, 4]) {
      const res = await conn.request(ApiKey.DescribeLogDirs, version, { topics: null });
      expect(res.results).toHaveLength(1);
      const dir = res.results[0];
      expect(dir.errorCode).toBe(0);
      expect(dir.logDir).toBe(path.resolve(broker.state.topics.dataDir, 'logs'));
      const sizes = Object.fromEntries(
        dir.topics.flatMap(
          (t: { name: string; partitions: Array<{ partitionIndex: number; partitionSize: number }> }) =>
            t.partitions.map((p) => [`${t.name}-${p.partitionIndex}`, p.partitionSize]),
        ),
      );
      expect(Object.keys(sizes).sort()).toEqual(['dirs-a-0', 'dirs-a-1', 'dirs-b-0']);
      expect(sizes['dirs-a-0']).toBe(0);
      expect(sizes['dirs-a-1']).toBeGreaterThan(500);
      if (version >= 4) {
        expect(dir.totalBytes).toBeGreaterThan(0);
        expect(dir.usableBytes).toBeGreaterThan(0);
      }
    }
  });

  it('answers only the partitions asked for, leaving out unknown ones', async () => {
    const res = await conn.request(ApiKey.DescribeLogDirs, 2, {
      topics: [
        { topic: 'dirs-a', partitions: [1, 7] },
        { topic: 'nope', partitions: [0] },
      ],
    });
    expect(res.results[0].topics).toEqual([
      {
        name: 'dirs-a',
        partitions: [expect.objectContaining({ partitionIndex: 1, offsetLag: 0, isFutureKey: false })],
      },
    ]);
  });
});

describe('DescribeCluster', () => {
  it('names the cluster, this broker as the only broker and as the controller', async () => {
    for (const version of [0, 1]) {
      const res = await conn.request(ApiKey.DescribeCluster, version, {
        includeClusterAuthorizedOperations: false,
        endpointType: 1,
      });
      expect(res.errorCode).toBe(0);
      expect(res.clusterId).toBe(broker.state.settings.clusterId);
      expect(res.controllerId).toBe(broker.state.settings.nodeId);
      expect(res.brokers).toEqual([
        { brokerId: broker.state.settings.nodeId, host: '127.0.0.1', port: broker.port, rack: null },
      ]);
    }
  });

  it('asking a broker for controllers is MISMATCHED_ENDPOINT_TYPE', async () => {
    const res = await conn.request(ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 2,
    });
    expect(res.errorCode).toBe(ErrorCode.MISMATCHED_ENDPOINT_TYPE);
  });
});

describe('ApiVersions v3 features', () => {
  it('supports only level 0 of group.version and transaction.version, and finalizes nothing above it', async () => {
    const res = await conn.request(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1',
    });
    expect(res.supportedFeatures).toEqual([
      { name: 'group.version', minVersion: 0, maxVersion: 0 },
      { name: 'transaction.version', minVersion: 0, maxVersion: 0 },
    ]);
    expect(res.finalizedFeatures).toEqual([]);
    expect(res.finalizedFeaturesEpoch).toBe(0);
  });
});
