// The storefront against our broker, in-process: orders go over HTTP, are read back from the log.
import {
  HEADERS,
  ORDERS_TOPIC,
  SCHEMA_VERSION,
  customerIdFromEmail,
  type OrderEvent,
} from '@orders/contracts';
import { bootstrapHttpApp, type RunningApp } from '@orders/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../test/helpers/broker.js';
import { readPartition } from '../../../test/helpers/read.js';
import { StorefrontModule } from './app.module.js';

let broker: TestBroker;
let storefront: RunningApp;

beforeAll(async () => {
  broker = await startTestBroker();
  process.env.KAFKA_BROKERS = broker.bootstrap;
  storefront = await bootstrapHttpApp({
    name: 'storefront',
    module: StorefrontModule,
    port: 0,
    handleSignals: false,
  });
});
afterAll(async () => {
  await storefront?.close();
  await broker?.destroy();
});

const post = (body: unknown) =>
  fetch(`${storefront.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const valid = {
  customer: {
    email: 'grace@example.org',
    name: 'Grace Hopper',
    address: { line1: '1 Navy Way', city: 'Arlington', postalCode: '22202', country: 'US' },
  },
  lines: [{ sku: 'BOOK-006', qty: 1 }],
  promoCode: 'welcome',
};

describe('storefront', () => {
  it('lists the catalogue', async () => {
    const products = (await (await fetch(`${storefront.url}/products`)).json()) as { sku: string }[];
    expect(products).toHaveLength(12);
    expect(products[0]).toMatchObject({ sku: 'MUG-001', priceCents: 1290, currency: 'EUR' });
  });

  it('puts a placed order on `orders`, keyed by customer, with traceparent and schema-version, priced from the catalogue', async () => {
    const res = await post({ ...valid, lines: [{ sku: 'BOOK-006', qty: 1, unitPriceCents: 1 }] });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { orderId: string; partition: number; offset: number };
    expect(answer.partition).toBeGreaterThanOrEqual(0);
    expect(answer.partition).toBeLessThan(5);

    const records = await readPartition(broker.port, ORDERS_TOPIC, answer.partition);
    const record = records.find((r) => r.offset === answer.offset)!;
    expect(record.key).toBe(customerIdFromEmail(valid.customer.email));
    expect(record.headers[HEADERS.schemaVersion]).toBe(SCHEMA_VERSION);
    expect(record.headers[HEADERS.traceparent]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const order = JSON.parse(record.value!) as OrderEvent;
    expect(order).toMatchObject({
      orderId: answer.orderId,
      customer: { id: record.key, email: valid.customer.email },
      lines: [{ sku: 'BOOK-006', name: 'Logs and streams (paperback)', qty: 1, unitPriceCents: 3990 }],
      totalCents: 3990,
      currency: 'EUR',
      promoCode: 'WELCOME',
    });
  });

  it("keeps one customer's orders on one partition", async () => {
    const a = (await (await post(valid)).json()) as { partition: number };
    const b = (await (await post(valid)).json()) as { partition: number };
    expect(a.partition).toBe(b.partition);
  });

  it('answers 400 naming each invalid field, and publishes nothing', async () => {
    const before = await Promise.all([0, 1, 2, 3, 4].map((p) => readPartition(broker.port, ORDERS_TOPIC, p)));
    const res = await post({
      customer: { ...valid.customer, email: 'nope' },
      lines: [{ sku: 'MUG-001', qty: 1.5 }],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toEqual(['customer.email', 'lines[0].qty']);
    const after = await Promise.all([0, 1, 2, 3, 4].map((p) => readPartition(broker.port, ORDERS_TOPIC, p)));
    expect(after.flat()).toHaveLength(before.flat().length);
  });

  it('created the dead-letter topic too', async () => {
    expect(await readPartition(broker.port, 'orders.dlq', 0)).toEqual([]);
  });
});
