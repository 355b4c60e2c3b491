// order-db's rule against a real SQLite file: the same order twice ⇒ one order, its lines once.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOrderEvent } from '@orders/contracts';
import type { Database } from '@orders/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from './generated/sqlite/client.js';
import { OrderStore, openOrderDb } from './store.js';

let dir: string;
let db: Database<PrismaClient>;
let store: OrderStore;
const env = () => ({ DATABASE_URL: `file:${path.join(dir, 'order-db.db')}` });

const order = buildOrderEvent(
  {
    customer: {
      email: 'k@example.org',
      name: 'K',
      address: { line1: 'a 1', city: 'B', postalCode: '1', country: 'NL' },
    },
    lines: [
      { sku: 'TEE-002', qty: 2 },
      { sku: 'SOCK-010', qty: 3 },
    ],
    promoCode: 'SPRING',
  },
  { orderId: 'order-42', placedAt: new Date('2025-05-01T10:00:00Z'), currency: 'EUR' },
);
const source = { topic: 'orders', partition: 2, offset: '7', key: order.customer.id };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'order-db-'));
  db = await openOrderDb(env());
  store = new OrderStore(db);
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('order-db', () => {
  it('migrated its own database file on first open, and only then', async () => {
    expect(db.config).toMatchObject({ provider: 'sqlite', url: path.join(dir, 'order-db.db') });
    expect(db.migrationsApplied).toHaveLength(1);
    const again = await openOrderDb(env());
    expect(again.migrationsApplied).toEqual([]);
    await again.close();
  });

  it('has a batch on disk when its transaction commits (WAL, synchronous FULL on the connection it writes with)', async () => {
    // Per connection: this is the one the Prisma client and the batch transactions share.
    expect(await db.prisma.$queryRawUnsafe('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await db.prisma.$queryRawUnsafe('PRAGMA synchronous')).toEqual([{ synchronous: 2n }]);
  });

  it('saves an order with its lines', async () => {
    expect(await store.save(order, source)).toBe('applied');
    const saved = await store.get('order-42');
    expect(saved).toMatchObject({
      orderId: 'order-42',
      customerEmail: 'k@example.org',
      country: 'NL',
      totalCents: 2 * 2490 + 3 * 990,
      promoCode: 'SPRING',
      sourcePartition: 2,
      sourceOffset: '7',
    });
    expect(saved?.lines.map((l) => [l.lineNo, l.sku, l.qty])).toEqual([
      [0, 'TEE-002', 2],
      [1, 'SOCK-010', 3],
    ]);
  });

  it('changes nothing when the same order is delivered again', async () => {
    expect(await store.save(order, { ...source, offset: '8' })).toBe('duplicate');
    expect(await store.count()).toBe(1);
    expect(await db.prisma.orderLine.count()).toBe(2);
    expect((await store.get('order-42'))?.sourceOffset).toBe('7');
  });

  it('treats concurrent deliveries of one order as one', async () => {
    const twin = { ...order, orderId: 'order-43' };
    const results = await Promise.all([
      store.save(twin, source),
      store.save(twin, source),
      store.save(twin, source),
    ]);
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(await db.prisma.orderLine.count({ where: { orderId: 'order-43' } })).toBe(2);
  });

  it('lists the newest first', async () => {
    const list = await store.list(10);
    expect(list.map((o) => o.orderId)).toEqual(['order-43', 'order-42']);
  });
});
