// shipping as a consumer group on our broker, with the real carrier app: while the carrier is down the
// orders wait (shipping lags, nothing is dead-lettered); once it is back each order is booked once and its
// label is served as a PDF.
import path from 'node:path';
import { buildOrderEvent, DLQ_TOPIC, ORDERS_TOPIC } from '@orders/contracts';
import type { RunningConsumer } from '@orders/messaging';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBroker } from '../../../test/helpers/broker.js';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { readPartition } from '../../../test/helpers/read.js';
import { startCarrier, type TestCarrier } from '../test/carrier.js';
import { readPdf } from '../test/read-pdf.js';
import { ShippingModule, shippingHealth } from './app.module.js';
import { APP } from './store.js';

let fx: ConsumerFixture;
let broker: TestBroker;
let carrier: TestCarrier;
let app: RunningConsumer;
let producer: Producer;

interface Health {
  connected: boolean;
  lag: { total: number } | null;
  shipments: number;
  carrier: { reachable: boolean | null; lastError?: string };
}
const health = async () => (await (await fetch(`${app.url}/health`)).json()) as Health;

beforeAll(async () => {
  carrier = await startCarrier();
  fx = await startConsumerFixture({
    name: APP,
    module: ShippingModule,
    env: (dir) => ({ CARRIER_URL: carrier.url, LABELS_DIR: path.join(dir, 'labels') }),
    health: (running) => shippingHealth(running.app),
  });
  ({ broker, app, producer } = fx);
});
afterAll(async () => {
  await fx?.close();
  await carrier?.close();
});

describe('shipping consuming `orders`', () => {
  it('lets orders wait while the carrier is down, books each once when it is back, and serves the label', async () => {
    const order = (orderId: string, email: string) =>
      buildOrderEvent(
        {
          customer: {
            email,
            name: 'Margaret Hamilton',
            address: { line1: '1 Apollo Road', city: 'Boston', postalCode: '02139', country: 'US' },
          },
          lines: [{ sku: 'MUG-001', qty: 1 }],
        },
        { orderId, placedAt: new Date(), currency: 'EUR' },
      );
    await carrier.setDown(true);
    const a = order('sh-1', 'm@example.org');
    const b = order('sh-2', 'n@example.org');
    await producer.send({
      topic: ORDERS_TOPIC,
      messages: [a, b, a].map((o) => ({ key: o.customer.id, value: JSON.stringify(o) })),
    });

    // The carrier is down: shipping says why it lags, books nothing, and dead-letters nothing.
    const waiting = await until('shipping waiting for the carrier', async () => {
      const h = await health();
      return h.connected && h.carrier.reachable === false && h;
    });
    expect(waiting.carrier.lastError).toMatch(/503: carrier is down/);
    await new Promise((r) => setTimeout(r, 500));
    expect((await health()).lag?.total).toBeGreaterThan(0);
    expect((await fetch(`${app.url}/shipments/sh-1`)).status).toBe(404);
    expect(await readPartition(broker.port, DLQ_TOPIC, 0)).toEqual([]);

    // The carrier is back: shipping catches up.
    await carrier.setDown(false);
    await until('lag 0', async () => {
      const h = await health();
      return h.lag?.total === 0 && h.shipments === 2;
    });
    const res = await fetch(`${app.url}/shipments/sh-1`);
    expect(res.status).toBe(200);
    const shipment = (await res.json()) as { trackingNumber: string; labelUrl: string; carrier: string };
    expect(shipment).toMatchObject({
      orderId: 'sh-1',
      carrier: 'Parcel Stream Express',
      trackingNumber: expect.stringMatching(/^PSX/),
      labelUrl: '/labels/sh-1.pdf',
      shipTo: { name: 'Margaret Hamilton', city: 'Boston', country: 'US' },
    });
    expect((await carrier.state()).shipments).toBe(2); // sh-1 twice on the stream, one shipment

    const label = await fetch(`${app.url}${shipment.labelUrl}`);
    expect(label.status).toBe(200);
    expect(label.headers.get('content-type')).toBe('application/pdf');
    const pdf = new Uint8Array(await label.arrayBuffer());
    const read = await readPdf(pdf);
    expect(read).toMatchObject({ pages: 1, images: 1 });
    expect(read.text).toContain(shipment.trackingNumber);

    const list = (await (await fetch(`${app.url}/shipments?limit=10`)).json()) as { orderId: string }[];
    expect(list.map((s) => s.orderId).sort()).toEqual(['sh-1', 'sh-2']);
    expect((await fetch(`${app.url}/labels/nope.pdf`)).status).toBe(404);
    expect(await readPartition(broker.port, DLQ_TOPIC, 0)).toEqual([]);
  });
});
