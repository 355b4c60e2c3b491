/**
 * The Kinesis dialect, driven by @aws-sdk/client-kinesis v3 (a real client we did not write; it
 * speaks HTTP/2 — cleartext with prior knowledge against an http:// endpoint): each action, its
 * error paths as the SDK's typed exceptions, and records crossing between the Kinesis API and
 * kafkajs in both directions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SubscribeToShardCommand,
  type SubscribeToShardEvent,
  UpdateShardCountCommand,
  ValidationException,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import { Kafka, logLevel } from 'kafkajs';
import { decodeSequenceNumber, hashKeyOf, partitionForHashKey } from '@orders/kinesis-api';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker;
let kinesis: KinesisClient;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker({ kinesisPort: 0, defaultPartitions: 1 });
  kinesis = new KinesisClient({
    endpoint: broker.kinesisEndpoint!,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
    maxAttempts: 1,
  });
  kafka = new Kafka({ clientId: 'kinesis-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  kinesis?.destroy();
  await broker?.destroy();
});

const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString('utf8');

async function readAll(stream: string, shardId: string, type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON') {
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type }),
  );
  const out = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return out;
}

describe('streams through the AWS SDK', () => {
  it('creates a stream as a topic with one partition per shard, with equal hash-key ranges', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 2 }));
    expect(broker.state.topics.get('clicks')?.partitions.length).toBe(2);
    const { StreamDescription: d } = await kinesis.send(new DescribeStreamCommand({ StreamName: 'clicks' }));
    expect(d).toMatchObject({
      StreamName: 'clicks',
      StreamARN: 'arn:aws:kinesis:eu-west-1:000000000000:stream/clicks',
      StreamStatus: 'ACTIVE',
      RetentionPeriodHours: 168,
      HasMoreShards: false,
    });
    expect(d!.Shards!.map((s) => [s.ShardId, s.HashKeyRange])).toEqual([
      ['shardId-000000000000', { StartingHashKey: '0', EndingHashKey: String((1n << 127n) - 1n) }],
      [
        'shardId-000000000001',
        { StartingHashKey: String(1n << 127n), EndingHashKey: String((1n << 128n) - 1n) },
      ],
    ]);
    expect(d!.StreamCreationTimestamp).toBeInstanceOf(Date);
  });

  it('refuses a second stream of the same name with ResourceInUseException', async () => {
    await expect(
      kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 })),
    ).rejects.toBeInstanceOf(ResourceInUseException);
  });

  it('names a missing stream with ResourceNotFoundException', async () => {
    const err = await kinesis
      .send(new DescribeStreamCommand({ StreamName: 'nope' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe('Stream nope under account 000000000000 not found.');
  });

  it('answers ValidationException for a name Kinesis does not allow', async () => {
    const err = await kinesis
      .send(new CreateStreamCommand({ StreamName: 'bad name!', ShardCount: 1 }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toMatch(
      /at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
  });

  it('creates an on-demand stream with 4 shards', async () => {
    await kinesis.send(
      new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
    );
    const { StreamDescriptionSummary: s } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: 'od' }),
    );
    expect(s).toMatchObject({
      OpenShardCount: 4,
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ConsumerCount: 0,
    });
  });

  it('lists streams (Kafka topics included) with paging', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'from-kafka', numPartitions: 1 }] });
    await admin.disconnect();
    const first = await kinesis.send(new ListStreamsCommand({ Limit: 2 }));
    expect(first.StreamNames).toEqual(['clicks', 'from-kafka']);
    expect(first.HasMoreStreams).toBe(true);
    const rest = await kinesis.send(new ListStreamsCommand({ NextToken: first.NextToken }));
    expect(rest.StreamNames).toEqual(['od']);
    expect(rest.HasMoreStreams).toBe(false);
    expect(rest.StreamSummaries?.[0]).toMatchObject({ StreamName: 'od', StreamStatus: 'ACTIVE' });
  });

  it('lists shards with MaxResults, NextToken and ShardFilter', async () => {
    const page1 = await kinesis.send(new ListShardsCommand({ StreamName: 'od', MaxResults: 3 }));
    expect(page1.Shards?.map((s) => s.ShardId)).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
      'shardId-000000000002',
    ]);
    const page2 = await kinesis.send(new ListShardsCommand({ NextToken: page1.NextToken }));
    expect(page2.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000003']);
    expect(page2.NextToken).toBeUndefined();
    const after = await kinesis.send(
      new ListShardsCommand({
        StreamName: 'od',
        ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: 'shardId-000000000001' },
      }),
    );
    expect(after.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000002', 'shardId-000000000003']);
    await expect(
      kinesis.send(new ListShardsCommand({ StreamName: 'od', NextToken: page1.NextToken })),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
  });
});

describe('records through the AWS SDK', () => {
  it('puts a record into the shard its MD5 hash key falls in, and reads it back with its sequence number', async () => {
    const key = 'customer-42';
    const put = await kinesis.send(
      new PutRecordCommand({ StreamName: 'clicks', PartitionKey: key, Data: Buffer.from('{"click":1}') }),
    );
    const expected = partitionForHashKey(hashKeyOf(key), 2);
    expect(put.ShardId).toBe(`shardId-00000000000${expected}`);
    expect(put.SequenceNumber).toMatch(/^\d{56}$/);
    expect(decodeSequenceNumber(put.SequenceNumber!)).toEqual({ partition: expected, offset: 0 });
    const got = await readAll('clicks', put.ShardId!);
    expect(got.Records).toHaveLength(1);
    expect(got.Records![0]).toMatchObject({ SequenceNumber: put.SequenceNumber, PartitionKey: key });
    expect(text(got.Records![0]!.Data)).toBe('{"click":1}');
    expect(got.Records![0]!.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
    expect(Math.abs(got.Records![0]!.ApproximateArrivalTimestamp!.getTime() - Date.now())).toBeLessThan(
      60_000,
    );
    expect(got.MillisBehindLatest).toBe(0);
    expect(got.NextShardIterator).toBeTruthy();
  });

  it('routes by ExplicitHashKey when given', async () => {
    const put = await kinesis.send(
      new PutRecordCommand({
        StreamName: 'clicks',
        PartitionKey: 'whatever',
        ExplicitHashKey: String((1n << 128n) - 1n),
        Data: Buffer.from('last'),
      }),
    );
    expect(put.ShardId).toBe('shardId-000000000001');
  });

  it('puts a batch with PutRecords and keeps each shard in request order; sequence numbers grow', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'batch', ShardCount: 3 }));
    const records = Array.from({ length: 30 }, (_, i) => ({
      PartitionKey: `k${i % 7}`,
      Data: Buffer.from(`r${i}`),
    }));
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: 'batch', Records: records }));
    expect(out.FailedRecordCount).toBe(0);
    expect(out.Records).toHaveLength(30);
    const byShard = new Map<string, string[]>();
    out.Records!.forEach((r, i) => byShard.set(r.ShardId!, [...(byShard.get(r.ShardId!) ?? []), `r${i}`]));
    for (const [shardId, expected] of byShard) {
      const got = await readAll('batch', shardId);
      expect(got.Records!.map((r) => text(r.Data))).toEqual(expected);
      const seqs = got.Records!.map((r) => BigInt(r.SequenceNumber!));
      expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    }
  });

  it('reports a record that cannot be stored per record, while the others succeed', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'small', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
      ],
    });
    await admin.disconnect();
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'small',
        Records: [
          { PartitionKey: 'a', Data: Buffer.from('ok-1') },
          { PartitionKey: 'b', Data: Buffer.alloc(5000, 1) },
          { PartitionKey: 'c', Data: Buffer.from('ok-2') },
        ],
      }),
    );
    expect(out.FailedRecordCount).toBe(1);
    expect(out.Records![0]!.SequenceNumber).toBeTruthy();
    expect(out.Records![1]).toMatchObject({ ErrorCode: 'InternalFailure' });
    expect(out.Records![1]!.ErrorMessage).toMatch(/max\.message\.bytes/);
    expect(out.Records![2]!.SequenceNumber).toBeTruthy();
    const got = await readAll('small', 'shardId-000000000000');
    expect(got.Records!.map((r) => text(r.Data))).toEqual(['ok-1', 'ok-2']);
  });

  it('refuses more than 500 records, an empty partition key and more than 1 MiB of data', async () => {
    const many = Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: Buffer.from('x') }));
    await expect(
      kinesis.send(new PutRecordsCommand({ StreamName: 'batch', Records: many })),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      kinesis.send(new PutRecordCommand({ StreamName: 'batch', PartitionKey: '', Data: Buffer.from('x') })),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      kinesis.send(
        new PutRecordCommand({ StreamName: 'batch', PartitionKey: 'k', Data: Buffer.alloc(1024 * 1024 + 1) }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('pages GetRecords with Limit and NextShardIterator, and reports MillisBehindLatest', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'paged', ShardCount: 1 }));
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'paged',
        Records: Array.from({ length: 5 }, (_, i) => ({ PartitionKey: 'p', Data: Buffer.from(String(i)) })),
      }),
    );
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'paged',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const a = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 2 }));
    expect(a.Records!.map((r) => text(r.Data))).toEqual(['0', '1']);
    expect(a.MillisBehindLatest).toBeGreaterThanOrEqual(0);
    const b = await kinesis.send(new GetRecordsCommand({ ShardIterator: a.NextShardIterator, Limit: 10 }));
    expect(b.Records!.map((r) => text(r.Data))).toEqual(['2', '3', '4']);
    expect(b.MillisBehindLatest).toBe(0);
    const c = await kinesis.send(new GetRecordsCommand({ ShardIterator: b.NextShardIterator }));
    expect(c.Records).toEqual([]);
  });

  it('positions iterators AT_ and AFTER_SEQUENCE_NUMBER, LATEST and AT_TIMESTAMP', async () => {
    const all = (await readAll('paged', 'shardId-000000000000')).Records!;
    const third = all[2]!.SequenceNumber!;
    const at = async (
      req: Omit<ConstructorParameters<typeof GetShardIteratorCommand>[0], 'StreamName' | 'ShardId'>,
    ) => {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: 'paged', ShardId: 'shardId-000000000000', ...req }),
      );
      return (await kinesis.send(new GetRecordsCommand({ ShardIterator }))).Records!.map((r) => text(r.Data));
    };
    expect(await at({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: third })).toEqual([
      '2',
      '3',
      '4',
    ]);
    expect(await at({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: third })).toEqual([
      '3',
      '4',
    ]);
    expect(await at({ ShardIteratorType: 'LATEST' })).toEqual([]);
    expect(await at({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(Date.now() + 60_000) })).toEqual(
      [],
    );
    expect(await at({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(Date.now() - 60_000) })).toEqual(
      ['0', '1', '2', '3', '4'],
    );
    // a sequence number of another shard, and one that is not ours
    const other = (await readAll('clicks', 'shardId-000000000001')).Records![0]!.SequenceNumber!;
    await expect(
      at({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: other }),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
    await expect(
      at({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '12345' }),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
    await expect(
      kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'paged',
          ShardId: 'shardId-000000000009',
          ShardIteratorType: 'LATEST',
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('expires an iterator after 5 minutes with ExpiredIteratorException, and refuses a forged one', async () => {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'paged',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const realNow = Date.now;
    Date.now = () => realNow() + 5 * 60 * 1000 + 1000;
    try {
      await expect(kinesis.send(new GetRecordsCommand({ ShardIterator }))).rejects.toBeInstanceOf(
        ExpiredIteratorException,
      );
    } finally {
      Date.now = realNow;
    }
    const forged = Buffer.from(ShardIterator!, 'base64');
    forged[forged.length - 3] ^= 1;
    await expect(
      kinesis.send(new GetRecordsCommand({ ShardIterator: forged.toString('base64') })),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
  });
});

describe('one stream, two dialects', () => {
  it('reads through Kinesis what kafkajs produced: key as partition key, offset in the sequence number', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders-k2k', numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const sent = await producer.send({
      topic: 'orders-k2k',
      messages: [
        { key: 'cust-1', value: '{"orderId":"o-1"}', partition: 2 },
        { key: 'cust-1', value: '{"orderId":"o-2"}', partition: 2 },
      ],
    });
    await producer.disconnect();
    expect(sent[0]!.baseOffset).toBe('0');
    const got = await readAll('orders-k2k', 'shardId-000000000002');
    expect(
      got.Records!.map((r) => [r.PartitionKey, text(r.Data), decodeSequenceNumber(r.SequenceNumber!)]),
    ).toEqual([
      ['cust-1', '{"orderId":"o-1"}', { partition: 2, offset: 0 }],
      ['cust-1', '{"orderId":"o-2"}', { partition: 2, offset: 1 }],
    ]);
  });

  it('delivers to a kafkajs consumer group what the AWS SDK put', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'k2kafka', ShardCount: 2 }));
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'k2kafka',
        Records: Array.from({ length: 6 }, (_, i) => ({ PartitionKey: `c${i}`, Data: Buffer.from(`v${i}`) })),
      }),
    );
    const consumer = kafka.consumer({ groupId: 'k2kafka-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'k2kafka', fromBeginning: true });
    const seen: Array<{ key: string; value: string; partition: number; offset: string }> = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          seen.push({
            key: message.key!.toString(),
            value: message.value!.toString(),
            partition,
            offset: message.offset,
          });
          if (seen.length === 6) resolve();
        },
      });
    });
    await consumer.disconnect();
    for (const [i, r] of put.Records!.entries()) {
      const pos = decodeSequenceNumber(r.SequenceNumber!)!;
      expect(seen).toContainEqual({
        key: `c${i}`,
        value: `v${i}`,
        partition: pos.partition,
        offset: String(pos.offset),
      });
    }
  });
});

describe('stream administration', () => {
  it('adds shards with UpdateShardCount and refuses to scale down, saying why', async () => {
    const up = await kinesis.send(
      new UpdateShardCountCommand({
        StreamName: 'paged',
        TargetShardCount: 3,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    expect(up).toMatchObject({ CurrentShardCount: 1, TargetShardCount: 3 });
    expect(broker.state.topics.get('paged')?.partitions.length).toBe(3);
    const err = await kinesis
      .send(
        new UpdateShardCountCommand({
          StreamName: 'paged',
          TargetShardCount: 2,
          ScalingType: 'UNIFORM_SCALING',
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentException);
    expect((err as Error).message).toMatch(/Kafka cannot remove partitions/);
  });

  it('maps retention hours onto the topic retention.ms, within 24 … 8760 hours', async () => {
    await kinesis.send(
      new IncreaseStreamRetentionPeriodCommand({ StreamName: 'paged', RetentionPeriodHours: 200 }),
    );
    expect(broker.state.topics.get('paged')?.overrides['retention.ms']).toBe(String(200 * 3600 * 1000));
    await kinesis.send(
      new DecreaseStreamRetentionPeriodCommand({ StreamName: 'paged', RetentionPeriodHours: 24 }),
    );
    const { StreamDescriptionSummary: s } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: 'paged' }),
    );
    expect(s?.RetentionPeriodHours).toBe(24);
    await expect(
      kinesis.send(
        new DecreaseStreamRetentionPeriodCommand({ StreamName: 'paged', RetentionPeriodHours: 23 }),
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
    await expect(
      kinesis.send(
        new IncreaseStreamRetentionPeriodCommand({ StreamName: 'paged', RetentionPeriodHours: 8761 }),
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
    await expect(
      kinesis.send(
        new IncreaseStreamRetentionPeriodCommand({ StreamName: 'paged', RetentionPeriodHours: 12 }),
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
  });

  it('adds, lists and removes tags', async () => {
    await kinesis.send(
      new AddTagsToStreamCommand({ StreamName: 'clicks', Tags: { team: 'web', env: 'dev' } }),
    );
    const listed = await kinesis.send(new ListTagsForStreamCommand({ StreamName: 'clicks' }));
    expect(listed.Tags).toEqual([
      { Key: 'env', Value: 'dev' },
      { Key: 'team', Value: 'web' },
    ]);
    await kinesis.send(new RemoveTagsFromStreamCommand({ StreamName: 'clicks', TagKeys: ['env'] }));
    expect((await kinesis.send(new ListTagsForStreamCommand({ StreamName: 'clicks' }))).Tags).toEqual([
      { Key: 'team', Value: 'web' },
    ]);
  });

  it('deletes a stream: the topic is gone for Kafka too', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'doomed', ShardCount: 1 }));
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'doomed' }));
    expect(broker.state.topics.get('doomed')).toBeUndefined();
    await expect(kinesis.send(new DeleteStreamCommand({ StreamName: 'doomed' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('enhanced fan-out', () => {
  it('registers, lists, describes and deregisters stream consumers', async () => {
    const streamArn = 'arn:aws:kinesis:eu-west-1:000000000000:stream/clicks';
    const { Consumer } = await kinesis.send(
      new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app-a' }),
    );
    expect(Consumer).toMatchObject({ ConsumerName: 'app-a', ConsumerStatus: 'ACTIVE' });
    expect(Consumer!.ConsumerARN).toMatch(
      /^arn:aws:kinesis:eu-west-1:000000000000:stream\/clicks\/consumer\/app-a:\d+$/,
    );
    await expect(
      kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app-a' })),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    const listed = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    expect(listed.Consumers?.map((c) => c.ConsumerName)).toEqual(['app-a']);
    const described = await kinesis.send(
      new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }),
    );
    expect(described.ConsumerDescription).toMatchObject({ ConsumerName: 'app-a', StreamARN: streamArn });
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
    await expect(
      kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app-a' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('SubscribeToShard pushes what is there, then records as they are put (from Kinesis and from Kafka)', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'fanout', ShardCount: 1 }));
    const streamArn = 'arn:aws:kinesis:eu-west-1:000000000000:stream/fanout';
    await kinesis.send(
      new PutRecordCommand({ StreamName: 'fanout', PartitionKey: 'k', Data: Buffer.from('before') }),
    );
    const { Consumer } = await kinesis.send(
      new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'efo' }),
    );
    const sub = await kinesis.send(
      new SubscribeToShardCommand({
        ConsumerARN: Consumer!.ConsumerARN,
        ShardId: 'shardId-000000000000',
        StartingPosition: { Type: 'TRIM_HORIZON' },
      }),
    );
    // a second subscription for the same consumer and shard is refused while this one lives
    await expect(
      kinesis.send(
        new SubscribeToShardCommand({
          ConsumerARN: Consumer!.ConsumerARN,
          ShardId: 'shardId-000000000000',
          StartingPosition: { Type: 'LATEST' },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceInUseException);

    const received: string[] = [];
    let continuation: string | undefined;
    const iterator = (sub.EventStream as AsyncIterable<SubscribeToShardEventStream>)[Symbol.asyncIterator]();
    const next = async () => {
      const { value } = await iterator.next();
      const event: SubscribeToShardEvent = value!.SubscribeToShardEvent!;
      received.push(...event.Records!.map((r) => text(r.Data)));
      continuation = event.ContinuationSequenceNumber;
    };
    await next();
    expect(received).toEqual(['before']);
    await kinesis.send(
      new PutRecordCommand({ StreamName: 'fanout', PartitionKey: 'k', Data: Buffer.from('pushed') }),
    );
    while (received.length < 2) await next();
    expect(received).toEqual(['before', 'pushed']);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'fanout', messages: [{ key: 'k', value: 'from-kafka' }] });
    await producer.disconnect();
    while (received.length < 3) await next();
    expect(received).toEqual(['before', 'pushed', 'from-kafka']);
    expect(decodeSequenceNumber(continuation!)).toEqual({ partition: 0, offset: 2 });
    await iterator.return?.();
  });
});

describe('what the endpoint answers on its own', () => {
  it('answers an unknown operation with UnknownOperationException over HTTP/1.1', async () => {
    const res = await fetch(broker.kinesisEndpoint!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.MergeShards',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Unknown operation Kinesis_20131202.MergeShards.',
    });
  });

  it('serves the same actions over HTTP/1.1 (as the AWS CLI and boto3 use it)', async () => {
    const res = await fetch(broker.kinesisEndpoint!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
      },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { StreamNames: string[] }).StreamNames).toContain('clicks');
  });
});

describe("the broker's HTTP port names the Kinesis endpoint", () => {
  it('GET /api/health says where the Kinesis API is, and null when the broker does not serve it', async () => {
    const on = await startTestBroker({ kinesisPort: 0, httpPort: 0 });
    const off = await startTestBroker({ httpPort: 0 });
    try {
      const health = async (b: TestBroker) =>
        ((await (await fetch(`http://127.0.0.1:${b.httpPort}/api/health`)).json()) as { kinesis: unknown })
          .kinesis;
      expect(await health(on)).toBe(on.kinesisEndpoint);
      expect(on.kinesisEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await health(off)).toBeNull();
    } finally {
      await on.destroy();
      await off.destroy();
    }
  });
});
