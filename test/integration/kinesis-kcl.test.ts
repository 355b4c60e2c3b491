/**
 * The teaching KCL (libs/kinesis-consumer) over the broker's Kinesis API: workers of one
 * application share a lease table, split the shards between them by lease taking and stealing,
 * checkpoint by sequence number, and take over a stopped worker's shards from its checkpoints.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KinesisWorker } from '@orders/kinesis-consumer';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker;
let kinesis: KinesisClient;

beforeAll(async () => {
  broker = await startTestBroker({ kinesisPort: 0 });
  kinesis = new KinesisClient({
    endpoint: broker.kinesisEndpoint!,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
});
afterAll(async () => {
  kinesis?.destroy();
  await broker?.destroy();
});

async function put(from: number, count: number) {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: 'kcl-orders',
      Records: Array.from({ length: count }, (_, i) => ({
        PartitionKey: `customer-${from + i}`,
        Data: Buffer.from(`order-${from + i}`),
      })),
    }),
  );
  expect(out.FailedRecordCount).toBe(0);
}

it('two workers split four shards, and the survivor takes over from the checkpoints', async () => {
  await kinesis.send(new CreateStreamCommand({ StreamName: 'kcl-orders', ShardCount: 4 }));
  await put(0, 40);
  const processed = new Map<string, string[]>(); // order → workers that processed it
  const worker = (id: string) =>
    new KinesisWorker({
      endpoint: broker.kinesisEndpoint!,
      stream: 'kcl-orders',
      application: 'kcl-test',
      workerId: id,
      leaseDurationMs: 3000,
      idlePollMs: 100,
      async processRecords(records) {
        for (const r of records) {
          const order = Buffer.from(r.Data!).toString();
          processed.set(order, [...(processed.get(order) ?? []), id]);
        }
      },
    });
  const a = worker('worker-a');
  const b = worker('worker-b');
  try {
    a.start();
    await expect.poll(() => a.ownedShards().length, { timeout: 60_000 }).toBe(4);
    await expect.poll(() => processed.size, { timeout: 60_000 }).toBe(40);

    b.start();
    await expect
      .poll(() => [a.ownedShards().length, b.ownedShards().length], { timeout: 60_000, interval: 200 })
      .toEqual([2, 2]);
    await put(40, 40);
    await expect.poll(() => processed.size, { timeout: 60_000 }).toBe(80);
    const leases = await a.leases();
    expect(leases.map((l) => l.Owner).sort()).toEqual(['worker-a', 'worker-a', 'worker-b', 'worker-b']);

    await a.stop();
    await expect.poll(() => b.ownedShards().length, { timeout: 60_000, interval: 200 }).toBe(4);
    await put(80, 20);
    await expect.poll(() => processed.size, { timeout: 60_000 }).toBe(100);
    // at-least-once: an order may be processed twice around a lease move, but every order was
    expect([...processed.values()].every((by) => by.length >= 1)).toBe(true);
    for (const l of await b.leases()) {
      expect(l.Owner).toBe('worker-b');
      expect(l.Checkpoint).toMatch(/^\d{56}$/);
    }
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}, 180_000);
