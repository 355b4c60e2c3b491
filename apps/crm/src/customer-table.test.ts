// crm's `customers` table topic on a real broker, with crm's real database: each customer's current
// state is published after their orders are counted, a redelivery changes nothing a reader of the table
// sees, and forgetting a customer writes a tombstone that the cleaner removes after delete.retention.ms.
import {
  buildOrderEvent,
  CUSTOMERS_TOPIC,
  customerIdFromEmail,
  ORDERS_TOPIC,
  type CustomerState,
  type PlaceOrderRequest,
} from '@orders/contracts';
import { kafkaConfigFromEnv, type RunningConsumer } from '@orders/messaging';
import { ConfigResourceTypes, Kafka, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { readPartition, type ReadRecord } from '../../../test/helpers/read.js';
import { CrmModule } from './app.module.js';
import { CustomerTable } from './customer-table.js';
import { APP, CustomerStore } from './store.js';

let fx: ConsumerFixture;
let app: RunningConsumer;
let producer: Producer;
let admin: Admin;

beforeAll(async () => {
  // The cleaner runs on the retention tick: a short one, so compaction is seen within the test.
  fx = await startConsumerFixture({
    name: APP,
    module: CrmModule,
    broker: { retentionCheckIntervalMs: 100 },
  });
  ({ app, producer } = fx);
  admin = new Kafka(kafkaConfigFromEnv('crm-table-test')).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await fx?.close();
});

const customer = (email: string, name: string): PlaceOrderRequest['customer'] => ({
  email,
  name,
  address: { line1: '1 Main St', city: 'Utrecht', postalCode: '3511', country: 'NL' },
});
const ann = customer('ann@example.org', 'Ann');
const bob = customer('bob@example.org', 'Bob');
const annId = customerIdFromEmail(ann.email);
const bobId = customerIdFromEmail(bob.email);
const order = (orderId: string, who: PlaceOrderRequest['customer'], at: string) =>
  buildOrderEvent(
    { customer: who, lines: [{ sku: 'MUG-001', qty: 1 }] },
    { orderId, placedAt: new Date(at), currency: 'EUR' },
  );
const send = (...orders: ReturnType<typeof order>[]) =>
  producer.send({
    topic: ORDERS_TOPIC,
    messages: orders.map((o) => ({ key: o.customer.id, value: JSON.stringify(o) })),
  });

async function caughtUp() {
  await until('crm at lag 0', async () => (await app.health()).lag?.total === 0, 30_000);
}
const log = () => readPartition(fx.broker.port, CUSTOMERS_TOPIC, 0);
/** The table a reader rebuilds by replaying the log: the latest record per key, tombstones delete. */
function table(records: ReadRecord[]): Map<string, CustomerState> {
  const rows = new Map<string, CustomerState>();
  for (const r of records) {
    if (r.value === null) rows.delete(r.key!);
    else rows.set(r.key!, JSON.parse(r.value) as CustomerState);
  }
  return rows;
}
async function configs(): Promise<Record<string, string>> {
  const d = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: CUSTOMERS_TOPIC }],
  });
  return Object.fromEntries(d.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
}

describe('crm publishes its customers as a table on the compacted topic `customers`', () => {
  it('created the topic at start, compacted, one partition', async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [CUSTOMERS_TOPIC] });
    expect(topics[0]!.partitions).toHaveLength(1);
    expect(await configs()).toMatchObject({
      'cleanup.policy': 'compact',
      'segment.ms': '10000',
      'min.cleanable.dirty.ratio': '0.1',
      'delete.retention.ms': '60000',
    });
  });

  it('publishes each customer’s current state after their orders are counted: replaying gives what GET /customers shows', async () => {
    await send(order('t-1', ann, '2025-05-01T10:00:00Z'), order('t-2', bob, '2025-05-01T11:00:00Z'));
    await caughtUp();
    await send(order('t-3', { ...ann, name: 'Ann Smith' }, '2025-05-02T10:00:00Z'));
    await caughtUp();

    const records = await log();
    // One per batch that touched Ann (more if a batch was redelivered: the same state again).
    expect(records.filter((r) => r.key === annId).length).toBeGreaterThanOrEqual(2);
    const rows = table(records);
    for (const id of [annId, bobId]) {
      const shown = await (await fetch(`${app.url}/customers/${id}`)).json();
      expect(rows.get(id)).toEqual(shown);
    }
    expect(rows.get(annId)).toMatchObject({
      name: 'Ann Smith',
      orderCount: 2,
      lifetimeValueCents: 2 * 1290,
      lastOrderAt: '2025-05-02T10:00:00.000Z',
    });
  });

  it('a redelivered order changes nothing in the table: the same state again, the latest per key unchanged', async () => {
    const before = table(await log());
    await send(order('t-1', ann, '2025-05-01T10:00:00Z')); // on the stream a second time
    await caughtUp();
    const records = await log();
    expect(records.at(-1)).toMatchObject({ key: annId });
    expect(table(records)).toEqual(before);
  });

  it('refuses a forget from another site (the /admin/* guard), and keeps the customer', async () => {
    const res = await fetch(`${app.url}/admin/customers/${bobId}`, {
      method: 'DELETE',
      headers: { origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    expect((await fetch(`${app.url}/customers/${bobId}`)).status).toBe(200);
  });

  it(
    'forgetting a customer deletes the row and writes a tombstone; the cleaner drops the tombstone after delete.retention.ms, offsets keep their gaps',
    { timeout: 60_000 },
    async () => {
      const res = await fetch(`${app.url}/admin/customers/${encodeURIComponent(ann.email)}`, {
        method: 'DELETE',
      });
      expect(res.status).toBe(200);
      const forgotten = (await res.json()) as { id: string; existed: boolean; offset: number };
      expect(forgotten).toMatchObject({ id: annId, existed: true, partition: 0 });
      expect((await fetch(`${app.url}/customers/${annId}`)).status).toBe(404);

      const records = await log();
      // (A redelivery of Ann's last batch, when a slow machine costs crm its group membership, may add
      // another tombstone after it: crm has no row for her any more.)
      expect(records.find((r) => r.offset === forgotten.offset)).toMatchObject({ key: annId, value: null });
      expect(records.filter((r) => r.key === annId).at(-1)).toMatchObject({ value: null });
      expect(table(records).has(annId)).toBe(false);
      const highWatermark = records.at(-1)!.offset + 1;

      // Short enough to see the whole life of a tombstone here: segments close at once, tombstones live 0.5 s.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: CUSTOMERS_TOPIC,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'segment.ms', value: '100' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
              { name: 'delete.retention.ms', value: '500' },
            ],
          },
        ],
      });
      // Segments roll at a write (as on Kafka): the trickle of orders closes the segment that holds the
      // tombstone, and the next pass after its 0.5 s removes it.
      let n = 0;
      const compacted = await until(
        'the cleaner to remove Ann’s records and her tombstone',
        async () => {
          await send(order(`t-bob-${++n}`, bob, '2025-05-03T10:00:00Z'));
          await caughtUp();
          await new Promise((r) => setTimeout(r, 200));
          const now = await log();
          return now.some((r) => r.key === annId) ? false : now;
        },
        30_000,
      );
      const rows = table(compacted);
      expect([...rows.keys()]).toEqual([bobId]);
      expect(rows.get(bobId)).toEqual(await (await fetch(`${app.url}/customers/${bobId}`)).json());
      // Offsets never change: the records left keep theirs, with gaps where others were removed.
      expect(compacted.at(-1)!.offset).toBeGreaterThanOrEqual(highWatermark);
      expect(compacted.length).toBeLessThan(compacted.at(-1)!.offset + 1);
    },
  );

  it('a replayed order of a forgotten customer publishes the tombstone again, never the old state', async () => {
    await send(order('t-3', ann, '2025-05-02T10:00:00Z')); // counted before the forget: a duplicate now
    await caughtUp();
    const last = (await log()).filter((r) => r.key === annId).at(-1);
    expect(last).toMatchObject({ value: null });
    expect((await fetch(`${app.url}/customers/${annId}`)).status).toBe(404);
  });

  it('makes an existing, not compacted `customers` topic a table at start', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: CUSTOMERS_TOPIC,
          configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
        },
      ],
    });
    expect((await configs())['cleanup.policy']).toBe('delete');
    await app.app.get(CustomerTable).ensureTopic();
    expect(await configs()).toMatchObject({ 'cleanup.policy': 'compact', 'delete.retention.ms': '60000' });
  });

  it('a `customers` topic created anew starts complete: every customer crm knows is published once', async () => {
    await admin.deleteTopics({ topics: [CUSTOMERS_TOPIC] });
    await until('the topic to be gone', async () => !(await admin.listTopics()).includes(CUSTOMERS_TOPIC));
    const store = app.app.get(CustomerStore);
    const fresh = new CustomerTable(store);
    try {
      await fresh.onModuleInit();
      const rows = table(await log());
      expect([...rows.keys()].sort()).toEqual((await store.page(null, 100)).map((c) => c.id).sort());
      expect(rows.get(bobId)).toEqual(await (await fetch(`${app.url}/customers/${bobId}`)).json());
    } finally {
      await fresh.onApplicationShutdown();
    }
  });
});
