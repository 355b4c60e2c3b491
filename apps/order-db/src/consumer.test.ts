// order-db as a consumer group on our broker, in-process: orders are saved, an invalid message is
// dead-lettered with the reason and the partition keeps moving.
import { buildOrderEvent, DLQ_TOPIC, HEADERS, ORDERS_TOPIC } from '@orders/contracts';
import type { RunningConsumer } from '@orders/messaging';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBroker } from '../../../test/helpers/broker.js';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { readPartition } from '../../../test/helpers/read.js';
import { OrderDbModule } from './app.module.js';
import { APP, OrderStore } from './store.js';

let fx: ConsumerFixture;
let broker: TestBroker;
let app: RunningConsumer;
let producer: Producer;

beforeAll(async () => {
  fx = await startConsumerFixture({ name: APP, module: OrderDbModule });
  ({ broker, app, producer } = fx);
});
afterAll(async () => {
  await fx?.close();
});

describe('order-db consuming `orders`', () => {
  it('saves each order once, dead-letters an invalid message with the reason, and keeps going', async () => {
    const order = (orderId: string) =>
      buildOrderEvent(
        {
          customer: {
            email: 'z@example.org',
            name: 'Z',
            address: { line1: 'a', city: 'b', postalCode: 'c', country: 'FR' },
          },
          lines: [{ sku: 'CAP-004', qty: 1 }],
        },
        { orderId, placedAt: new Date(), currency: 'EUR' },
      );
    const key = order('x').customer.id; // one key ⇒ one partition: the invalid message sits between the two orders
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await producer.send({
      topic: ORDERS_TOPIC,
      messages: [
        { key, value: JSON.stringify(order('o-1')), headers: { [HEADERS.traceparent]: traceparent } },
        {
          key,
          value: '{"orderId":"o-broken","lines":"none"}',
          headers: { [HEADERS.traceparent]: traceparent },
        },
        { key, value: JSON.stringify(order('o-2')) },
        { key, value: JSON.stringify(order('o-1')) }, // a duplicate
      ],
    });

    const store = app.app.get(OrderStore);
    await until('both orders in order-db', async () => (await store.count()) === 2);
    const dlq = await until('the invalid message in orders.dlq', async () => {
      const records = await readPartition(broker.port, DLQ_TOPIC, 0);
      return records.length > 0 && records;
    });
    expect(dlq).toHaveLength(1);
    expect(dlq[0].key).toBe(key);
    expect(dlq[0].value).toBe('{"orderId":"o-broken","lines":"none"}');
    expect(dlq[0].headers).toMatchObject({
      'dlq-reason': expect.stringMatching(/^invalid order: .*lines/),
      'dlq-source-topic': 'orders',
      'dlq-offset': '1',
      'dlq-app': 'order-db',
      traceparent,
    });

    const res = await fetch(`${app.url}/orders/o-1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ orderId: 'o-1', lines: [{ sku: 'CAP-004' }] });
    expect((await fetch(`${app.url}/orders/o-nope`)).status).toBe(404);

    const health = await until('lag 0 in /health', async () => {
      const h = (await (await fetch(`${app.url}/health`)).json()) as {
        connected: boolean;
        lag: { total: number } | null;
        orders: number;
        assigned: Record<string, number[]>;
      };
      return h.lag?.total === 0 && h;
    });
    expect(health).toMatchObject({ connected: true, assigned: { orders: [0, 1, 2, 3, 4] } });
  });
});
