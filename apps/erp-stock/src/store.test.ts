// erp-stock's rule against a real SQLite file: each order line decrements stock once, the same order
// twice changes nothing, and stock may go below zero (back-ordered) without refusing the order.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOrderEvent, findProduct, type PlaceOrderRequest } from '@orders/contracts';
import type { Database } from '@orders/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from './generated/sqlite/client.js';
import { StockStore, openStockDb } from './store.js';

let dir: string;
let db: Database<PrismaClient>;
let store: StockStore;

const customer = {
  email: 's@example.org',
  name: 'S',
  address: { line1: 'a 1', city: 'B', postalCode: '1', country: 'DE' },
};
const order = (orderId: string, lines: PlaceOrderRequest['lines']) =>
  buildOrderEvent({ customer, lines }, { orderId, placedAt: new Date(), currency: 'EUR' });
const stockOf = async (sku: string) => (await store.get(sku))?.stock;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'erp-stock-'));
  db = await openStockDb({ DATABASE_URL: `file:${path.join(dir, 'erp-stock.db')}` });
  store = new StockStore(db);
  await store.seed();
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('erp-stock', () => {
  it('starts with the catalogue at its initial stock, and a second seeding keeps the stock', async () => {
    const all = await store.list();
    expect(all).toHaveLength(12);
    expect(all.find((p) => p.sku === 'LAMP-012')).toMatchObject({
      stock: 80,
      initialStock: 80,
      backOrdered: 0,
    });
    await store.decrement(order('seed-check', [{ sku: 'LAMP-012', qty: 1 }]));
    await store.seed();
    expect(await stockOf('LAMP-012')).toBe(79);
  });

  it('decrements stock for each line, with one movement per line', async () => {
    const before = { tee: await stockOf('TEE-002'), sock: await stockOf('SOCK-010') };
    const o = order('o-1', [
      { sku: 'TEE-002', qty: 2 },
      { sku: 'SOCK-010', qty: 3 },
      { sku: 'TEE-002', qty: 1 }, // the same SKU on two lines: both count
    ]);
    expect(await store.decrement(o)).toBe('applied');
    expect(await stockOf('TEE-002')).toBe(before.tee! - 3);
    expect(await stockOf('SOCK-010')).toBe(before.sock! - 3);
    const tee = await store.get('TEE-002');
    expect(tee?.movements.map((m) => [m.orderId, m.lineNo, m.delta])).toEqual([
      ['o-1', 2, -1],
      ['o-1', 0, -2],
    ]);
  });

  it('changes nothing when the same order is delivered again, also concurrently', async () => {
    const tee = await stockOf('TEE-002');
    const movements = await store.movementCount();
    expect(await store.decrement(order('o-1', [{ sku: 'TEE-002', qty: 2 }]))).toBe('duplicate');
    const twin = order('o-2', [{ sku: 'TEE-002', qty: 5 }]);
    const results = await Promise.all([store.decrement(twin), store.decrement(twin), store.decrement(twin)]);
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(await stockOf('TEE-002')).toBe(tee! - 5);
    expect(await store.movementCount()).toBe(movements + 1);
  });

  it('lets stock go below zero and shows the back-order instead of refusing the order', async () => {
    const lamp = findProduct('LAMP-012')!;
    expect(await store.decrement(order('big', [{ sku: 'LAMP-012', qty: 100 }]))).toBe('applied');
    expect(await store.get('LAMP-012')).toMatchObject({
      stock: lamp.initialStock - 1 - 100,
      backOrdered: 21,
    });
  });

  it('books a SKU it has never heard of as a new product, back-ordered', async () => {
    const unknown = { ...order('odd', [{ sku: 'MUG-001', qty: 1 }]) };
    unknown.lines = [{ sku: 'NEW-999', name: 'Something new', qty: 2, unitPriceCents: 100 }];
    unknown.totalCents = 200;
    expect(await store.decrement(unknown)).toBe('applied');
    expect(await store.get('NEW-999')).toMatchObject({ name: 'Something new', stock: -2, backOrdered: 2 });
  });
});
