// email as a consumer group on our broker, in-process, sending to a real SMTP server (the demo's mail
// catcher): one confirmation per order, also when an order is on the stream twice.
import { buildOrderEvent, ORDERS_TOPIC } from '@orders/contracts';
import { startMailCatcher, type MailCatcher } from '@orders/demo';
import type { RunningConsumer } from '@orders/messaging';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { EmailModule } from './app.module.js';
import { APP } from './store.js';

let fx: ConsumerFixture;
let catcher: MailCatcher;
let app: RunningConsumer;
let producer: Producer;

beforeAll(async () => {
  catcher = await startMailCatcher({ smtpPort: 0, httpPort: 0 });
  fx = await startConsumerFixture({
    name: APP,
    module: EmailModule,
    env: () => ({ SMTP_URL: catcher.smtpUrl }),
  });
  ({ app, producer } = fx);
});
afterAll(async () => {
  await fx?.close();
  await catcher?.close();
});

describe('email consuming `orders`', () => {
  it('sends one confirmation per order, duplicates included, and shows what it sent', async () => {
    const order = (orderId: string, email: string) =>
      buildOrderEvent(
        {
          customer: {
            email,
            name: 'Lin',
            address: { line1: '9 Quay', city: 'Dublin', postalCode: 'D02', country: 'IE' },
          },
          lines: [{ sku: 'TEE-002', qty: 3 }],
        },
        { orderId, placedAt: new Date(), currency: 'EUR' },
      );
    const orders = [order('e-1', 'lin@example.org'), order('e-2', 'kim@example.org')];
    const send = (o: (typeof orders)[number]) => ({ key: o.customer.id, value: JSON.stringify(o) });
    await producer.send({ topic: ORDERS_TOPIC, messages: [...orders.map(send), send(orders[0])] });

    await until('every order handled (lag 0)', async () => {
      const h = (await (await fetch(`${app.url}/health`)).json()) as { lag: { total: number } | null };
      return h.lag?.total === 0;
    });
    const caught = await catcher.messages();
    expect(caught.map((m) => m.MessageID).sort()).toEqual([
      'order-e-1@orders-stream.local',
      'order-e-2@orders-stream.local',
    ]);
    const mail = caught.find((m) => m.MessageID === 'order-e-1@orders-stream.local');
    expect(mail?.To).toEqual([{ Name: 'Lin', Address: 'lin@example.org' }]);
    expect(mail?.Text).toContain('Total: €74.70');

    const res = await fetch(`${app.url}/emails/e-1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      orderId: 'e-1',
      to: 'lin@example.org',
      subject: 'Your order e-1 is confirmed',
      messageId: '<order-e-1@orders-stream.local>',
    });
    const list = (await (await fetch(`${app.url}/emails?limit=10`)).json()) as { orderId: string }[];
    expect(list.map((m) => m.orderId).sort()).toEqual(['e-1', 'e-2']);
    expect((await fetch(`${app.url}/emails/e-nope`)).status).toBe(404);
  });
});
