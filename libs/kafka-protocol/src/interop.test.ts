/**
 * Cross-checks against kafkajs 2.2.4, a real client used here only as an independent producer and
 * consumer of bytes: its request encoders feed our decoders, our response encoders feed its
 * decoders, and its record batches feed our validator/decoder (CRC included).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ApiKey } from './api.js';
import { decodeRequest, decodeRequestHeader, encodeResponse } from './frame.js';
import { decodeRecordBatches, encodeRecordBatch, validateBatches } from './record-batch.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const kjs = (path: string): Any => require(`kafkajs/src/protocol/${path}`);
const createRequest = kjs('request.js');
const Compression = kjs('message/compression/index.js').Types;

/** Encodes a kafkajs request module's request, then decodes it with our codec. */
async function viaKafkajs(request: Any): Promise<{ header: Any; body: Any }> {
  const enc = await createRequest({ correlationId: 77, clientId: 'kafkajs', request });
  const frame: Buffer = enc.buffer;
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  const payload = frame.subarray(4);
  const header = decodeRequestHeader(payload);
  expect(header).toMatchObject({
    apiKey: request.apiKey,
    apiVersion: request.apiVersion,
    correlationId: 77,
    clientId: 'kafkajs',
  });
  return { header, body: decodeRequest(request.apiKey, request.apiVersion, payload, header.bodyOffset) };
}

/** Encodes our response and hands kafkajs the payload after the correlation id, as its connection does. */
async function kafkajsDecodes(apiKey: number, version: number, path: string, body: object): Promise<Any> {
  const frame = Buffer.concat(encodeResponse(apiKey, version, 77, body));
  expect(frame.readInt32BE(4)).toBe(77);
  return kjs(path).decode(frame.subarray(8));
}

const messages = [
  {
    key: 'cust-1',
    value: JSON.stringify({ orderId: 'o1' }),
    headers: { traceparent: '00-aa-bb-01', 'schema-version': '1' },
    timestamp: 1_700_000_000_000,
  },
  { key: null, value: 'second', timestamp: 1_700_000_000_010 },
  { key: 'k3', value: null, timestamp: 1_700_000_000_020 },
];

describe('kafkajs requests decode with our codec', () => {
  it('ApiVersions v2', async () => {
    const { body } = await viaKafkajs(kjs('requests/apiVersions/v2/request.js')());
    expect(body).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' });
  });

  it('Metadata v6', async () => {
    const { body } = await viaKafkajs(
      kjs('requests/metadata/v6/request.js')({ topics: ['orders', 'dlq'], allowAutoTopicCreation: false }),
    );
    expect(body).toEqual({ topics: [{ name: 'orders' }, { name: 'dlq' }], allowAutoTopicCreation: false });
  });

  for (const [name, compression] of [
    ['uncompressed', Compression.None],
    ['gzip', Compression.GZIP],
  ] as const) {
    it(`Produce v7 with a ${name} batch: validates (CRC) and decodes`, async () => {
      const request = kjs('requests/produce/v7/request.js')({
        acks: -1,
        timeout: 30000,
        compression,
        topicData: [{ topic: 'orders', partitions: [{ partition: 3, messages }] }],
      });
      const { body } = await viaKafkajs(request);
      expect(body).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
      const records: Buffer = body.topicData[0].partitionData[0].records;
      expect(body.topicData[0].partitionData[0].index).toBe(3);
      const v = validateBatches(records);
      expect(v).toMatchObject({ ok: true, recordCount: 3 });
      const decoded = decodeRecordBatches(records);
      expect(
        decoded.map((r) => ({
          offset: r.offset,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          timestamp: r.timestamp,
          headers: Object.fromEntries(r.headers.map((x) => [x.key, x.value?.toString()])),
        })),
      ).toEqual(
        messages.map((m, i) => ({
          offset: i,
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          headers: m.headers ?? {},
        })),
      );
    });
  }

  it('Fetch v11', async () => {
    const { body } = await viaKafkajs(
      kjs('requests/fetch/v11/request.js')({
        replicaId: -1,
        maxWaitTime: 5000,
        minBytes: 1,
        maxBytes: 10485760,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 1048576 }] }],
        rackId: '',
      }),
    );
    expect(body).toMatchObject({
      replicaId: -1,
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      forgottenTopicsData: [],
      rackId: '',
    });
    expect(body.topics[0].topic).toBe('orders');
    expect(body.topics[0].partitions[0]).toMatchObject({
      partition: 0,
      fetchOffset: 42,
      partitionMaxBytes: 1048576,
    });
  });

  it('JoinGroup v5, OffsetCommit v5, OffsetFetch v4, ListOffsets v3, FindCoordinator v2', async () => {
    const join = await viaKafkajs(
      kjs('requests/joinGroup/v5/request.js')({
        groupId: 'order-db',
        sessionTimeout: 30000,
        rebalanceTimeout: 60000,
        memberId: '',
        protocolType: 'consumer',
        groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
      }),
    );
    expect(join.body).toMatchObject({
      groupId: 'order-db',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
    });
    expect(join.body.protocols[0].name).toBe('RoundRobinAssigner');
    expect([...join.body.protocols[0].metadata]).toEqual([0, 1, 2]);

    const commit = await viaKafkajs(
      kjs('requests/offsetCommit/v5/request.js')({
        groupId: 'g',
        groupGenerationId: 3,
        memberId: 'm',
        topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '99' }] }],
      }),
    );
    expect(commit.body).toEqual({
      groupId: 'g',
      generationIdOrMemberEpoch: 3,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 1, committedOffset: 99, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });

    const fetchOffsets = await viaKafkajs(
      kjs('requests/offsetFetch/v4/request.js')({
        groupId: 'g',
        topics: [{ topic: 'orders', partitions: [{ partition: 0 }] }],
      }),
    );
    expect(fetchOffsets.body).toEqual({
      groupId: 'g',
      requireStable: false,
      topics: [{ name: 'orders', partitionIndexes: [0] }],
    });

    const lo = await viaKafkajs(
      kjs('requests/listOffsets/v3/request.js')({
        replicaId: -1,
        isolationLevel: 1,
        topics: [{ topic: 'orders', partitions: [{ partition: 2, timestamp: -2 }] }],
      }),
    );
    expect(lo.body).toEqual({
      replicaId: -1,
      isolationLevel: 1,
      topics: [
        {
          name: 'orders',
          // fields of later versions decode to their spec defaults
          partitions: [{ partitionIndex: 2, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 }],
        },
      ],
      timeoutMs: 0,
    });

    const fc = await viaKafkajs(
      kjs('requests/findCoordinator/v2/request.js')({ coordinatorKey: 'g', coordinatorType: 0 }),
    );
    expect(fc.body).toEqual({ key: 'g', keyType: 0 });
  });
});

describe('our responses decode with kafkajs', () => {
  it('ApiVersions v2', async () => {
    const res = await kafkajsDecodes(ApiKey.ApiVersions, 2, 'requests/apiVersions/v2/response.js', {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3, maxVersion: 7 },
        { apiKey: 1, minVersion: 4, maxVersion: 11 },
      ],
      throttleTimeMs: 0,
    });
    expect(res.errorCode).toBe(0);
    expect(res.apiVersions).toEqual([
      { apiKey: 0, minVersion: 3, maxVersion: 7 },
      { apiKey: 1, minVersion: 4, maxVersion: 11 },
    ]);
  });

  it('Metadata v6', async () => {
    const res = await kafkajsDecodes(ApiKey.Metadata, 6, 'requests/metadata/v6/response.js', {
      brokers: [{ nodeId: 0, host: '127.0.0.1', port: 9092, rack: null }],
      clusterId: 'sps',
      controllerId: 0,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 0,
              replicaNodes: [0],
              isrNodes: [0],
              offlineReplicas: [],
            },
          ],
        },
      ],
    });
    expect(res.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: 9092, rack: null }]);
    expect(res.clusterId).toBe('sps');
    expect(res.controllerId).toBe(0);
    expect(res.topicMetadata[0]).toMatchObject({ topicErrorCode: 0, topic: 'orders', isInternal: false });
    expect(res.topicMetadata[0].partitionMetadata[0]).toMatchObject({
      partitionErrorCode: 0,
      partitionId: 0,
      leader: 0,
      replicas: [0],
      isr: [0],
    });
  });

  it('Produce v7', async () => {
    const res = await kafkajsDecodes(ApiKey.Produce, 7, 'requests/produce/v7/response.js', {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            { index: 3, errorCode: 0, baseOffset: 1234, logAppendTimeMs: -1, logStartOffset: 0 },
          ],
        },
      ],
      throttleTimeMs: 0,
    });
    expect(res.topics[0].topicName).toBe('orders');
    expect(res.topics[0].partitions[0]).toMatchObject({
      partition: 3,
      errorCode: 0,
      baseOffset: '1234',
      logAppendTime: '-1',
      logStartOffset: '0',
    });
  });

  it('Fetch v11 carrying our record batches (kafkajs parses our batch encoder’s output)', async () => {
    const b1 = encodeRecordBatch({ baseOffset: 10, records: messages });
    const b2 = encodeRecordBatch({
      baseOffset: 13,
      compression: 'gzip',
      records: [{ key: 'z', value: 'gz' }],
    });
    const res = await kafkajsDecodes(ApiKey.Fetch, 11, 'requests/fetch/v11/response.js', {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 14,
              lastStableOffset: 14,
              logStartOffset: 0,
              abortedTransactions: [],
              preferredReadReplica: -1,
              records: [b1, b2],
            },
          ],
        },
      ],
    });
    const p = res.responses[0].partitions[0];
    expect(p).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '14', preferredReadReplica: -1 });
    expect(
      p.messages.map((m: Any) => ({
        offset: m.offset,
        key: m.key?.toString() ?? null,
        value: m.value?.toString() ?? null,
        timestamp: m.timestamp,
        headers: Object.fromEntries(
          Object.entries(m.headers).map(([k, v]: [string, Any]) => [k, v.toString()]),
        ),
      })),
    ).toEqual([
      ...messages.map((m, i) => ({
        offset: String(10 + i),
        key: m.key,
        value: m.value,
        timestamp: String(m.timestamp),
        headers: m.headers ?? {},
      })),
      { offset: '13', key: 'z', value: 'gz', timestamp: expect.any(String), headers: {} },
    ]);
  });

  it('JoinGroup v5, OffsetFetch v4, ListOffsets v3, FindCoordinator v2, DescribeGroups v2', async () => {
    const join = await kafkajsDecodes(ApiKey.JoinGroup, 5, 'requests/joinGroup/v5/response.js', {
      errorCode: 0,
      generationId: 4,
      protocolName: 'RoundRobinAssigner',
      leader: 'm-1',
      memberId: 'm-1',
      members: [{ memberId: 'm-1', groupInstanceId: null, metadata: Buffer.from([1, 2]) }],
    });
    expect(join).toMatchObject({
      errorCode: 0,
      generationId: 4,
      groupProtocol: 'RoundRobinAssigner',
      leaderId: 'm-1',
      memberId: 'm-1',
    });
    expect(join.members[0].memberId).toBe('m-1');
    expect([...join.members[0].memberMetadata]).toEqual([1, 2]);

    const of = await kafkajsDecodes(ApiKey.OffsetFetch, 4, 'requests/offsetFetch/v4/response.js', {
      throttleTimeMs: 0,
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 0, committedOffset: -1, metadata: '', errorCode: 0 }],
        },
      ],
      errorCode: 0,
    });
    expect(of.responses[0].partitions[0]).toMatchObject({
      partition: 0,
      offset: '-1',
      metadata: '',
      errorCode: 0,
    });

    const lo = await kafkajsDecodes(ApiKey.ListOffsets, 3, 'requests/listOffsets/v3/response.js', {
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 2, errorCode: 0, timestamp: -1, offset: 57 }] },
      ],
    });
    expect(lo.responses[0].partitions[0]).toMatchObject({ partition: 2, errorCode: 0, offset: '57' });

    const fc = await kafkajsDecodes(ApiKey.FindCoordinator, 2, 'requests/findCoordinator/v2/response.js', {
      errorCode: 0,
      errorMessage: null,
      nodeId: 0,
      host: 'localhost',
      port: 9092,
    });
    expect(fc).toMatchObject({ errorCode: 0, coordinator: { nodeId: 0, host: 'localhost', port: 9092 } });

    const dg = await kafkajsDecodes(ApiKey.DescribeGroups, 2, 'requests/describeGroups/v2/response.js', {
      groups: [
        { errorCode: 0, groupId: 'g', groupState: 'Dead', protocolType: '', protocolData: '', members: [] },
      ],
    });
    expect(dg.groups[0]).toMatchObject({ errorCode: 0, groupId: 'g', state: 'Dead', members: [] });
  });
});
