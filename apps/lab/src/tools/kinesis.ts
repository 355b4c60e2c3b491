/**
 * Lab 14's tools: the `orders` topic read and written as a Kinesis stream, with the AWS SDK for
 * JavaScript v3 (@aws-sdk/client-kinesis, HTTP/2 to the broker's Kinesis port) — the calls a Kinesis
 * application makes, nothing of Kafka in sight. The broker accepts any credentials (SigV4 is not
 * verified), so the lab signs with a dummy key.
 */
import { randomUUID } from 'node:crypto';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import {
  buildOrderEvent,
  CATALOGUE,
  CURRENCY,
  ORDERS_TOPIC,
  parseOrderEvent,
  validateOrderEvent,
  describeErrors,
  type OrderEvent,
} from '@orders/contracts';
import { decodeSequenceNumber, partitionOf } from '@orders/kinesis-api';
import { LeaseTable } from '@orders/kinesis-consumer';
import type { LabContext } from '../context.js';

export interface KinesisRead {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  orderId: string | null;
  arrivedAt: Date | undefined;
}

export interface KinesisPut {
  orderId: string;
  customerId: string;
  shardId: string;
  sequenceNumber: string;
}

export async function kinesisClient(ctx: LabContext): Promise<KinesisClient> {
  const endpoint = await ctx.kinesisEndpoint();
  if (!endpoint)
    throw new Error(
      'the broker does not serve the Kinesis API: start the demo without --kinesis-port off (it serves it on 4567 + the port offset)',
    );
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'lab', secretAccessKey: 'not-verified' },
    maxAttempts: 3,
  });
}

/** The newest `perShard` records of every shard of the `orders` stream, as a Kinesis reader sees them. */
export async function kinesisRead(ctx: LabContext, perShard = 3): Promise<KinesisRead[]> {
  const kinesis = await kinesisClient(ctx);
  try {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: ORDERS_TOPIC }));
    const out: KinesisRead[] = [];
    for (const shard of Shards) {
      const shardId = shard.ShardId!;
      // Where to begin: a Kinesis reader can only name a position by a sequence number it has seen,
      // or by TRIM_HORIZON / LATEST / a time. Start from the oldest record still retained and read
      // to the end, keeping the newest few (small: the demo's stream is short).
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: ORDERS_TOPIC,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      let iterator = ShardIterator;
      const kept: KinesisRead[] = [];
      for (let pages = 0; iterator && pages < 1000; pages++) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const r of page.Records ?? []) {
          const order = parseOrderEvent(Buffer.from(r.Data ?? []));
          kept.push({
            shardId,
            sequenceNumber: r.SequenceNumber!,
            partitionKey: r.PartitionKey ?? '',
            orderId: order.ok ? order.value.orderId : null,
            arrivedAt: r.ApproximateArrivalTimestamp,
          });
          if (kept.length > perShard) kept.shift();
        }
        iterator = page.NextShardIterator;
        // Caught up: Kinesis iterators never end on an open shard, so stop at "0 ms behind".
        if (!page.Records?.length && (page.MillisBehindLatest ?? 0) === 0) break;
      }
      out.push(...kept);
    }
    return out;
  } finally {
    kinesis.destroy();
  }
}

/** Puts one valid order event on the `orders` stream with PutRecord (partition key = customer id, as the storefront keys it). */
export async function kinesisPut(ctx: LabContext): Promise<KinesisPut> {
  const product = CATALOGUE[Math.floor(Math.random() * CATALOGUE.length)]!;
  const who = `kinesis-${Math.floor(Math.random() * 1e6)}`;
  const order: OrderEvent = buildOrderEvent(
    {
      customer: {
        email: `${who}@example.org`,
        name: who,
        address: { line1: '1 Shard Street', city: 'Seattle', postalCode: '98109', country: 'US' },
      },
      lines: [{ sku: product.sku, qty: 1 }],
    },
    { orderId: randomUUID(), placedAt: new Date(), currency: CURRENCY },
  );
  const checked = validateOrderEvent(order);
  if (!checked.ok) throw new Error(`built an invalid order: ${describeErrors(checked.errors)}`);
  const kinesis = await kinesisClient(ctx);
  try {
    const res = await kinesis.send(
      new PutRecordCommand({
        StreamName: ORDERS_TOPIC,
        PartitionKey: order.customer.id,
        Data: Buffer.from(JSON.stringify(checked.value)),
      }),
    );
    return {
      orderId: order.orderId,
      customerId: order.customer.id,
      shardId: res.ShardId!,
      sequenceNumber: res.SequenceNumber!,
    };
  } finally {
    kinesis.destroy();
  }
}

export interface LeaseView {
  shardId: string;
  owner: string | null;
  checkpoint: string;
  /** The Kafka offset the checkpoint names (the next record to read is after it). */
  checkpointOffset: number | null;
  /** The Kafka group of the same name without "-kinesis": its committed offset on that partition. */
  kafkaCommitted: number | null;
}

/**
 * A KCL application's leases (the teaching KCL keeps them in the broker, as the real one keeps them
 * in DynamoDB) beside the Kafka group's committed offsets: two coordinators, one stream.
 */
export async function kinesisLeases(
  ctx: LabContext,
  application: string,
  kafkaGroup: string,
): Promise<LeaseView[]> {
  const endpoint = await ctx.kinesisEndpoint();
  if (!endpoint) throw new Error('the broker does not serve the Kinesis API');
  const leases = await new LeaseTable(endpoint, application).list();
  const group = await ctx.group(kafkaGroup);
  return leases
    .map((l) => {
      const partition = partitionOf(l.LeaseKey);
      const committed = group?.partitions.find((p) => p.topic === ORDERS_TOPIC && p.partition === partition);
      return {
        shardId: l.LeaseKey,
        owner: l.Owner,
        checkpoint: l.Checkpoint,
        checkpointOffset: decodeSequenceNumber(l.Checkpoint)?.offset ?? null,
        kafkaCommitted: committed?.committedOffset ?? null,
      };
    })
    .sort((a, b) => a.shardId.localeCompare(b.shardId));
}
