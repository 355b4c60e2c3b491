// shipping's rule against a real SQLite file and the real carrier app: an order is booked once (the same
// order twice ⇒ one shipment, one tracking number), its label is rendered on first download, a batch is
// booked in one carrier request and recorded at once, and a carrier that is away is a TransientError (the order
// waits) while a refusal is not.
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildOrderEvent } from '@orders/contracts';
import type { Database } from '@orders/db';
import { TransientError } from '@orders/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPdf } from '../test/read-pdf.js';
import { startCarrier, type TestCarrier } from '../test/carrier.js';
import { CarrierClient } from './carrier.client.js';
import type { PrismaClient } from './generated/sqlite/client.js';
import { Shipping } from './shipping.js';
import { ShipmentStore, openShippingDb } from './store.js';

let dir: string;
let db: Database<PrismaClient>;
let carrier: TestCarrier;
let store: ShipmentStore;
let shipping: Shipping;

const order = (orderId: string) =>
  buildOrderEvent(
    {
      customer: {
        email: 'g@example.org',
        name: 'Grace Hopper',
        address: { line1: '1 Compiler Way', city: 'Arlington', postalCode: '22201', country: 'US' },
      },
      lines: [{ sku: 'BOOK-006', qty: 1 }],
    },
    { orderId, placedAt: new Date(), currency: 'EUR' },
  );

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shipping-'));
  carrier = await startCarrier();
  db = await openShippingDb({ DATABASE_URL: `file:${path.join(dir, 'shipping.db')}` });
  store = new ShipmentStore(db);
  shipping = new Shipping(
    store,
    new CarrierClient({ url: carrier.url, timeoutMs: 2_000 }),
    path.join(dir, 'labels'),
  );
});
afterAll(async () => {
  await db?.close();
  await carrier?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('shipping', () => {
  it('books the shipment with the carrier and records it; the label is rendered on its first download', async () => {
    expect(await shipping.ship(order('o-1'))).toBe('applied');
    const shipment = await store.get('o-1');
    expect(shipment).toMatchObject({
      orderId: 'o-1',
      trackingNumber: expect.stringMatching(/^PSX\d{11}$/),
      carrier: 'Parcel Stream Express',
      labelPath: path.join(dir, 'labels', 'o-1.pdf'),
      shipToName: 'Grace Hopper',
      country: 'US',
    });
    await expect(readFile(shipment!.labelPath)).rejects.toThrow(/ENOENT/); // not rendered while shipping
    const label = await readPdf(await shipping.label(shipment!));
    expect(label.text).toContain(shipment!.trackingNumber);
    expect(label.text).toContain('Grace Hopper');
    expect((await readFile(shipment!.labelPath)).subarray(0, 4).toString()).toBe('%PDF'); // kept for the next download
  });

  it('books a batch in one request to the carrier and records it at once, skipping orders already shipped', async () => {
    const before = (await carrier.state()).stats;
    const sent = carrier.requests().length;
    await shipping.shipAll([order('b-1'), order('b-2'), order('o-1'), order('b-3'), order('b-1')]);
    expect((await carrier.state()).stats).toMatchObject({ created: before.created + 3, repeated: 0 });
    expect(carrier.requests().slice(sent)).toEqual([{ path: '/shipments/batch' }]);
    for (const id of ['b-1', 'b-2', 'b-3'])
      expect(await store.get(id)).toMatchObject({
        orderId: id,
        trackingNumber: expect.stringMatching(/^PSX/),
      });
    await shipping.shipAll([order('b-1'), order('b-2')]);
    expect((await carrier.state()).stats.created).toBe(before.created + 3); // not booked again
  });

  it('changes nothing when the same order is delivered again, also concurrently', async () => {
    const first = await store.get('o-1');
    expect(await shipping.ship(order('o-1'))).toBe('duplicate');
    expect((await carrier.state()).stats).toMatchObject({ created: 4, repeated: 0 }); // not even asked again

    const results = await Promise.all([1, 2, 3].map(() => shipping.ship(order('o-2'))));
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect((await carrier.state()).shipments).toBe(5); // one shipment per order at the carrier
    expect(await store.count()).toBe(5);
    expect((await store.get('o-1'))?.trackingNumber).toBe(first?.trackingNumber);
  });

  it('renders a label again from the record when its file is gone', async () => {
    const shipment = (await store.get('o-1'))!;
    await unlink(shipment.labelPath);
    expect((await readPdf(await shipping.label(shipment))).text).toContain(shipment.trackingNumber);
    expect((await readFile(shipment.labelPath)).subarray(0, 4).toString()).toBe('%PDF');
  });

  it('treats a carrier that is down, unreachable or too slow as transient: the order waits, nothing is recorded', async () => {
    await carrier.setDown(true);
    const down = await shipping.ship(order('o-3')).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientError);
    expect((down as Error).message).toMatch(/503: carrier is down/);
    expect(shipping.carrier.status).toMatchObject({
      reachable: false,
      lastError: expect.stringMatching(/503/),
    });
    await carrier.setDown(false);

    const gone = new CarrierClient({ url: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 2_000 });
    const refused = await gone.book('o-3').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientError);
    expect((refused as Error).message).toMatch(/unreachable: .*ECONNREFUSED/);
    await carrier.setLatency(300);
    const slow = new CarrierClient({ url: carrier.url, timeoutMs: 100 });
    const late = await slow.book('o-3').catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TransientError);
    expect((late as Error).message).toMatch(/no answer within 100 ms/);
    await carrier.setLatency(0);
    expect(await store.get('o-3')).toBeNull();

    // once it is back, the same order is booked
    expect(await shipping.ship(order('o-3'))).toBe('applied');
  });

  it('records the bookings of a batch that succeeded, and throws the failure of the others as transient', async () => {
    await carrier.setErrorRate(1);
    const err = await shipping.shipAll([order('f-1'), order('f-2')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/carrier failed the booking \(500\): simulated failure/);
    expect(await store.get('f-1')).toBeNull();
    await carrier.setErrorRate(0);
    await shipping.shipAll([order('f-1'), order('f-2')]); // the redelivery
    expect(await store.get('f-2')).toMatchObject({ trackingNumber: expect.stringMatching(/^PSX/) });

    await carrier.setDown(true);
    const down = await shipping.shipAll([order('f-3')]).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientError);
    expect((down as Error).message).toMatch(/503: carrier is down/);
    await carrier.setDown(false);
    expect(await store.get('f-3')).toBeNull();
  });

  it('books order by order with a carrier that has no batch endpoint', async () => {
    const oneByOne = new Shipping(
      store,
      new CarrierClient({ url: carrier.url, timeoutMs: 2_000 }),
      path.join(dir, 'labels'),
    );
    const sent = carrier.requests().length;
    carrier.withoutBatches(true);
    try {
      await oneByOne.shipAll([order('s-1'), order('s-2'), order('s-3')]);
    } finally {
      carrier.withoutBatches(false);
    }
    expect(
      carrier
        .requests()
        .slice(sent)
        .map((r) => r.path),
    ).toEqual(['/shipments/batch', '/shipments', '/shipments', '/shipments']);
    for (const id of ['s-1', 's-2', 's-3']) expect(await store.get(id)).not.toBeNull();
  });

  it('treats a refusal of the request itself as an error that is not transient', async () => {
    const odd = new CarrierClient({ url: `${carrier.url}/nowhere`, timeoutMs: 2_000 });
    const err = await odd.book('o-4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/refused the booking \(404\)/);
  });
});
