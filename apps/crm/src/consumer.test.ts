// crm as a consumer group on our broker, in-process: each customer's orders are counted once, also when an
// order is on the stream twice, and GET /customers shows what a user would check.
import { buildOrderEvent, ORDERS_TOPIC, type PlaceOrderRequest } from '@orders/contracts';
import type { RunningConsumer } from '@orders/messaging';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { CrmModule } from './app.module.js';
import { APP } from './store.js';

let fx: ConsumerFixture;
let app: RunningConsumer;
let producer: Producer;

beforeAll(async () => {
  fx = await startConsumerFixture({ name: APP, module: CrmModule });
  ({ app, producer } = fx);
});
afterAll(async () => {
  await fx?.close();
});

const customer = (email: string, name: string): PlaceOrderRequest['customer'] => ({
  email,
  name,
  address: { line1: '1 Main St', city: 'Utrecht', postalCode: '3511', country: 'NL' },
});
const order = (orderId: string, who: PlaceOrderRequest['customer'], lines: PlaceOrderRequest['lines']) =>
  buildOrderEvent({ customer: who, lines }, { orderId, placedAt: new Date(), currency: 'EUR' });

describe('crm consuming `orders`', () => {
  it('adds each customer once and counts each of their orders once, duplicates included', async () => {
    const ann = customer('ann@example.org', 'Ann');
    const bob = customer('bob@example.org', 'Bob');
    const orders = [
      order('c-1', ann, [{ sku: 'MUG-001', qty: 1 }]), // 1290
      order('c-2', bob, [{ sku: 'HOOD-003', qty: 1 }]), // 5490
      order('c-3', ann, [{ sku: 'CAP-004', qty: 2 }]), // 3980
    ];
    const send = (o: (typeof orders)[number]) => ({ key: o.customer.id, value: JSON.stringify(o) });
    await producer.send({ topic: ORDERS_TOPIC, messages: [...orders.map(send), send(orders[0])] });

    await until('every order counted (lag 0)', async () => {
      const h = (await (await fetch(`${app.url}/health`)).json()) as { lag: { total: number } | null };
      return h.lag?.total === 0;
    });
    const annId = orders[0].customer.id;
    const res = await fetch(`${app.url}/customers/${annId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: annId,
      email: 'ann@example.org',
      orderCount: 2,
      lifetimeValueCents: 1290 + 3980,
      address: { city: 'Utrecht' },
    });

    const top = (await (await fetch(`${app.url}/customers?limit=5`)).json()) as { name: string }[];
    expect(top.map((c) => c.name)).toEqual(['Bob', 'Ann']);
    expect((await fetch(`${app.url}/customers/c-nobody`)).status).toBe(404);
    const health = await (await fetch(`${app.url}/health`)).json();
    expect(health).toMatchObject({ app: 'crm', connected: true });
  });
});
