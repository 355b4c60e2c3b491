/**
 * boto3 (the AWS SDK for Python, from PyPI; HTTP/1.1 + JSON 1.1 like the AWS CLI) against our
 * broker's Kinesis API: create and describe a stream, put and get records, read what kafkajs
 * produced as shard records, and the error codes boto3 raises. Only for COMPAT_TARGET=sps: Apache
 * Kafka has no Kinesis API, so there is nothing to compare against.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajsPkg from 'kafkajs';
import { startBroker, silentLogger, type BrokerHandle } from '@orders/sps-broker';
import { decodeSequenceNumber } from '@orders/kinesis-api';
import { boto3Venv, pythonMissing, requirePython, runBoto3 } from './helpers/python.js';
import { targetName } from './helpers/target.js';

const { Kafka, logLevel } = kafkajsPkg;

if (targetName === 'kafka')
  console.warn('[compat] skipping boto3/Kinesis: Apache Kafka has no Kinesis API (COMPAT_TARGET=kafka)');

interface Observed {
  boto3: string;
  describe: { status: string; shards: string[]; retentionHours: number };
  put: { shard: string; sequenceNumber: string };
  putRecords: { failed: number; shards: string[] };
  get: Array<{ data: string; partitionKey: string; sequenceNumber: string; arrival: number }>;
  fromKafka: Array<{ shard: string; partitionKey: string; data: string; sequenceNumber: string }>;
  errors: Record<string, string | null>;
  typedException: string;
}

describe.skipIf(targetName === 'kafka' || pythonMissing())('boto3 against the Kinesis API', () => {
  let broker: BrokerHandle;
  let dataDir: string;
  let observed: Observed;

  beforeAll(async () => {
    requirePython();
    await boto3Venv(); // the first run creates the venv (pip install boto3 from PyPI)
    dataDir = mkdtempSync(join(tmpdir(), 'sps-compat-kinesis-'));
    broker = await startBroker({ port: 0, httpPort: null, kinesisPort: 0, dataDir, logger: silentLogger });
    const kafka = new Kafka({
      clientId: 'compat-kinesis',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kafka-orders', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'kafka-orders',
      messages: [
        { key: 'cust-9', value: '{"orderId":"o-1"}', partition: 1 },
        { key: 'cust-9', value: '{"orderId":"o-2"}', partition: 1 },
      ],
    });
    await producer.disconnect();
    const r = await runBoto3('kinesis_boto3.py', [
      '--endpoint',
      broker.kinesisEndpoint!,
      '--stream',
      'boto-stream',
      '--kafka-topic',
      'kafka-orders',
    ]);
    expect(r.code, `kinesis_boto3.py failed:\n${r.stderr}`).toBe(0);
    observed = JSON.parse(r.stdout) as Observed;
  });

  afterAll(async () => {
    await broker?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates and describes a stream: one shard per partition of the topic', () => {
    expect(observed.describe).toEqual({
      status: 'ACTIVE',
      shards: ['shardId-000000000000', 'shardId-000000000001'],
      retentionHours: 168,
    });
    expect(broker.state.topics.get('boto-stream')?.partitions.length).toBe(2);
  });

  it('puts records and gets them back in order with growing 56-digit sequence numbers', () => {
    expect(observed.putRecords).toEqual({
      failed: 0,
      shards: [observed.put.shard, observed.put.shard, observed.put.shard],
    });
    expect(observed.get.map((r) => [r.data, r.partitionKey])).toEqual([
      ['hello from boto3', 'cust-1'],
      ['r0', 'cust-1'],
      ['r1', 'cust-1'],
      ['r2', 'cust-1'],
    ]);
    expect(observed.get[0]!.sequenceNumber).toBe(observed.put.sequenceNumber);
    const offsets = observed.get.map((r) => decodeSequenceNumber(r.sequenceNumber)!.offset);
    expect(offsets).toEqual([0, 1, 2, 3]);
    for (const r of observed.get) expect(r.sequenceNumber).toMatch(/^\d{56}$/);
    expect(Math.abs(observed.get[0]!.arrival * 1000 - Date.now())).toBeLessThan(120_000);
  });

  it('reads what kafkajs produced: the key as partition key, partition 1 as shardId-000000000001', () => {
    expect(observed.fromKafka.map((r) => [r.shard, r.partitionKey, r.data])).toEqual([
      ['shardId-000000000001', 'cust-9', '{"orderId":"o-1"}'],
      ['shardId-000000000001', 'cust-9', '{"orderId":"o-2"}'],
    ]);
    expect(decodeSequenceNumber(observed.fromKafka[1]!.sequenceNumber)).toEqual({ partition: 1, offset: 1 });
  });

  it('raises the error codes Kinesis uses, as boto3 exceptions', () => {
    expect(observed.errors).toEqual({
      missingStream: 'ResourceNotFoundException',
      duplicateStream: 'ResourceInUseException',
      badIterator: 'InvalidArgumentException',
      badName: 'ValidationException',
      scaleDown: 'InvalidArgumentException',
    });
    expect(observed.typedException).toBe('ResourceNotFoundException');
  });
});
