// erp-stock as a consumer group on our broker, in-process: each order decrements stock once per line,
// a duplicate delivery changes nothing, and GET /stock shows it.
import { buildOrderEvent, findProduct, ORDERS_TOPIC } from '@orders/contracts';
import type { RunningConsumer } from '@orders/messaging';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { ErpStockModule } from './app.module.js';
import { APP } from './store.js';

let fx: ConsumerFixture;
let app: RunningConsumer;
let producer: Producer;

beforeAll(async () => {
  fx = await startConsumerFixture({ name: APP, module: ErpStockModule });
  ({ app, producer } = fx);
});
afterAll(async () => {
  await fx?.close();
});

describe('erp-stock consuming `orders`', () => {
  it('decrements stock once per order line, also when an order is delivered twice', async () => {
    const order = (orderId: string, email: string) =>
      buildOrderEvent(
        {
          customer: {
            email,
            name: 'Z',
            address: { line1: 'a', city: 'b', postalCode: 'c', country: 'FR' },
          },
          lines: [
            { sku: 'HOOD-003', qty: 2 },
            { sku: 'CAP-004', qty: 1 },
          ],
        },
        { orderId, placedAt: new Date(), currency: 'EUR' },
      );
    const a = order('s-1', 'a@example.org');
    const b = order('s-2', 'b@example.org'); // another customer: most likely another partition
    await producer.send({
      topic: ORDERS_TOPIC,
      messages: [a, b, a].map((o) => ({ key: o.customer.id, value: JSON.stringify(o) })),
    });

    const hoodie = findProduct('HOOD-003')!.initialStock;
    const get = async (sku: string) =>
      (await (await fetch(`${app.url}/stock/${sku}`)).json()) as {
        stock: number;
        movements: { orderId: string; delta: number }[];
      };
    await until('lag 0 in /health', async () => {
      const h = (await (await fetch(`${app.url}/health`)).json()) as { lag: { total: number } | null };
      return h.lag?.total === 0;
    });
    const hood = await get('HOOD-003');
    expect(hood.stock).toBe(hoodie - 4);
    expect(hood.movements.map((m) => [m.orderId, m.delta]).sort()).toEqual([
      ['s-1', -2],
      ['s-2', -2],
    ]);
    expect((await get('CAP-004')).stock).toBe(findProduct('CAP-004')!.initialStock - 2);

    const all = (await (await fetch(`${app.url}/stock`)).json()) as { sku: string; stock: number }[];
    expect(all).toHaveLength(12);
    expect(all.find((p) => p.sku === 'MUG-001')?.stock).toBe(findProduct('MUG-001')!.initialStock);
    expect((await fetch(`${app.url}/stock/NOPE-1`)).status).toBe(404);
  });
});
