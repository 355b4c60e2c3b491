// crm's rule against a real SQLite file: each order counts once for its customer, however often it arrives.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOrderEvent, type PlaceOrderRequest } from '@orders/contracts';
import { oncePerOrder, type Database } from '@orders/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from './generated/sqlite/client.js';
import { CustomerStore, openCrmDb } from './store.js';

let dir: string;
let db: Database<PrismaClient>;
let store: CustomerStore;
const env = () => ({ DATABASE_URL: `file:${path.join(dir, 'crm.db')}` });

const ada: PlaceOrderRequest['customer'] = {
  email: 'ada@example.org',
  name: 'Ada Lovelace',
  address: { line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
};
const order = (orderId: string, placedAt: string, lines: PlaceOrderRequest['lines'], customer = ada) =>
  buildOrderEvent({ customer, lines }, { orderId, placedAt: new Date(placedAt), currency: 'EUR' });

const first = order('o-1', '2025-05-01T10:00:00Z', [{ sku: 'MUG-001', qty: 2 }]); // 2 × 1290
const second = order('o-2', '2025-05-03T10:00:00Z', [{ sku: 'LAMP-012', qty: 1 }], {
  ...ada,
  name: 'Ada King',
  address: { ...ada.address, line1: '1 Ockham Park' },
}); // 4490
const adaId = first.customer.id;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crm-'));
  db = await openCrmDb(env());
  store = new CustomerStore(db);
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('crm', () => {
  it('migrated its own database file on first open', () => {
    expect(db.config).toMatchObject({ provider: 'sqlite', url: path.join(dir, 'crm.db') });
    expect(db.migrationsApplied).toHaveLength(1);
  });

  it('adds a customer on their first order', async () => {
    expect(await store.record(first)).toBe('applied');
    expect(await store.get(adaId)).toEqual({
      id: adaId,
      email: 'ada@example.org',
      name: 'Ada Lovelace',
      address: { line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
      firstSeenAt: new Date('2025-05-01T10:00:00Z'),
      lastOrderAt: new Date('2025-05-01T10:00:00Z'),
      orderCount: 1,
      lifetimeValueCents: 2580,
    });
  });

  it('counts a further order and takes the newest contact details', async () => {
    expect(await store.record(second)).toBe('applied');
    expect(await store.get(adaId)).toMatchObject({
      name: 'Ada King',
      address: { line1: '1 Ockham Park' },
      firstSeenAt: new Date('2025-05-01T10:00:00Z'),
      lastOrderAt: new Date('2025-05-03T10:00:00Z'),
      orderCount: 2,
      lifetimeValueCents: 2580 + 4490,
    });
  });

  it('changes nothing when the same order is delivered again', async () => {
    expect(await store.record(first)).toBe('duplicate');
    expect(await store.record(second)).toBe('duplicate');
    expect(await store.get(adaId)).toMatchObject({ orderCount: 2, lifetimeValueCents: 7070 });
  });

  it('counts a late older order without overwriting newer details, and moves firstSeenAt back', async () => {
    const older = order('o-0', '2025-04-20T08:00:00Z', [{ sku: 'STK-005', qty: 1 }], {
      ...ada,
      name: 'A. Byron',
    });
    expect(await store.record(older)).toBe('applied');
    expect(await store.get(adaId)).toMatchObject({
      name: 'Ada King',
      firstSeenAt: new Date('2025-04-20T08:00:00Z'),
      lastOrderAt: new Date('2025-05-03T10:00:00Z'),
      orderCount: 3,
      lifetimeValueCents: 7070 + 490,
    });
  });

  it('counts concurrent deliveries of one order once, and concurrent orders of a new customer each once', async () => {
    const grace = { ...ada, email: 'grace@example.org', name: 'Grace Hopper' };
    const a = order('g-1', '2025-06-01T10:00:00Z', [{ sku: 'BOOK-006', qty: 1 }], grace); // 3990
    const b = order('g-2', '2025-06-01T10:05:00Z', [{ sku: 'PEN-008', qty: 2 }], grace); // 700
    const results = await Promise.all([store.record(a), store.record(a), store.record(b), store.record(b)]);
    expect(results.filter((r) => r === 'applied')).toHaveLength(2);
    expect(await store.get(a.customer.id)).toMatchObject({ orderCount: 2, lifetimeValueCents: 4690 });
  });

  it('takes a clash on the customer row (two new-customer inserts racing) for a retry, not a duplicate', async () => {
    // On PostgreSQL two orders of a new customer can both try to insert it; the loser must be retried.
    const clash = oncePerOrder(db.prisma, 'o-clash', async (tx) => {
      const existing = await tx.customer.findUniqueOrThrow({ where: { id: adaId } });
      await tx.customer.create({ data: { ...existing, id: adaId } });
    });
    await expect(clash).rejects.toMatchObject({ code: 'P2002' });
    expect(await db.prisma.processedOrder.findUnique({ where: { orderId: 'o-clash' } })).toBeNull();
  });

  it('lists the customers by lifetime value, highest first', async () => {
    const top = await store.top(10);
    expect(top.map((c) => [c.name, c.lifetimeValueCents])).toEqual([
      ['Ada King', 7560],
      ['Grace Hopper', 4690],
    ]);
    expect(await store.top(1)).toHaveLength(1);
  });
});
