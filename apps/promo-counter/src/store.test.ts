// promo-counter's rule against a real SQLite file: each order counted once under its promo code, and
// the counts survive a restart (they live in the database, beside the idempotency ledger).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOrderEvent, type OrderEvent } from '@orders/contracts';
import type { Database } from '@orders/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from './generated/sqlite/client.js';
import { PromoStore, openPromoDb, promoCodeOf, type PromoChange } from './store.js';

let dir: string;
let db: Database<PrismaClient>;
let store: PromoStore;
const env = () => ({ DATABASE_URL: `file:${path.join(dir, 'promo-counter.db')}` });

function order(orderId: string, promoCode: string | null, placedAt = '2025-05-01T10:00:00Z'): OrderEvent {
  return buildOrderEvent(
    {
      customer: {
        email: 'p@example.org',
        name: 'P',
        address: { line1: 'a 1', city: 'B', postalCode: '1', country: 'NL' },
      },
      lines: [{ sku: 'MUG-001', qty: 1 }],
      promoCode,
    },
    { orderId, placedAt: new Date(placedAt), currency: 'EUR' },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'promo-counter-'));
  db = await openPromoDb(env());
  store = new PromoStore(db);
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('promo-counter', () => {
  it('starts with nothing counted', async () => {
    expect(await store.counts()).toEqual({ codes: {}, withoutCode: 0, total: 0 });
  });

  it('counts each order under its promo code, and orders without one apart', async () => {
    const seen: PromoChange[] = [];
    const sub = store.changes.subscribe((c) => seen.push(c));
    expect(await store.count(order('o-1', 'SPRING'))).toBe('applied');
    expect(await store.count(order('o-2', 'SPRING'))).toBe('applied');
    expect(await store.count(order('o-3', 'WELCOME10'))).toBe('applied');
    expect(await store.count(order('o-4', null))).toBe('applied');
    sub.unsubscribe();
    expect(await store.counts()).toEqual({ codes: { SPRING: 2, WELCOME10: 1 }, withoutCode: 1, total: 4 });
    expect(seen).toEqual([
      { code: 'SPRING', orders: 1, orderId: 'o-1' },
      { code: 'SPRING', orders: 2, orderId: 'o-2' },
      { code: 'WELCOME10', orders: 1, orderId: 'o-3' },
      { code: null, orders: 1, orderId: 'o-4' },
    ]);
  });

  it('changes nothing when the same order is delivered again', async () => {
    const seen: PromoChange[] = [];
    const sub = store.changes.subscribe((c) => seen.push(c));
    expect(await store.count(order('o-1', 'SPRING'))).toBe('duplicate');
    expect(await store.count(order('o-4', null))).toBe('duplicate');
    sub.unsubscribe();
    expect(seen).toEqual([]);
    expect((await store.counts()).total).toBe(4);
  });

  it('treats concurrent deliveries of one order as one', async () => {
    const twin = order('o-5', 'SPRING');
    const results = await Promise.all([store.count(twin), store.count(twin), store.count(twin)]);
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect((await store.counts()).codes.SPRING).toBe(3);
  });

  it('has the same counts after a restart, and still knows which orders it counted', async () => {
    const reopened = await openPromoDb(env());
    const again = new PromoStore(reopened);
    expect(await again.counts()).toEqual({ codes: { SPRING: 3, WELCOME10: 1 }, withoutCode: 1, total: 5 });
    expect(await again.count(order('o-3', 'WELCOME10'))).toBe('duplicate');
    await reopened.close();
  });

  it('treats a blank promo code as none', () => {
    expect(promoCodeOf({ promoCode: '  ' })).toBeNull();
    expect(promoCodeOf({ promoCode: ' SPRING ' })).toBe('SPRING');
    expect(promoCodeOf({ promoCode: null })).toBeNull();
  });

  it('counts orders in one-minute windows of the time they were placed, a late order in its own window', async () => {
    await store.count(order('w-1', 'WINDOW', '2025-05-01T11:00:10Z'));
    await store.count(order('w-2', 'WINDOW', '2025-05-01T11:00:50Z'));
    await store.count(order('w-3', 'WINDOW', '2025-05-01T11:01:05Z'));
    await store.count(order('w-4', 'WINDOW', '2025-05-01T11:00:30Z')); // arrives late: back to 11:00
    await store.count(order('w-2', 'WINDOW', '2025-05-01T11:00:50Z')); // redelivered: nothing changes
    expect(await store.windows({ code: 'WINDOW' })).toEqual([
      { code: 'WINDOW', windowStart: '2025-05-01T11:00:00.000Z', orders: 3, revenueCents: 3 * 1290 },
      { code: 'WINDOW', windowStart: '2025-05-01T11:01:00.000Z', orders: 1, revenueCents: 1290 },
    ]);
    expect(await store.windows({ code: 'WINDOW', since: new Date('2025-05-01T11:01:00Z') })).toHaveLength(1);
  });

  it('keeps orders and revenue per variant of a promotion (A/B)', async () => {
    await store.count(order('ab-1', 'SUMMER-A'));
    await store.count(order('ab-2', 'SUMMER-B'));
    await store.count(order('ab-3', 'SUMMER-B'));
    await store.count(order('ab-3', 'SUMMER-B')); // a duplicate
    expect((await store.ab()).SUMMER).toEqual([
      { variant: 'B', orders: 2, revenueCents: 2580, averageCents: 1290 },
      { variant: 'A', orders: 1, revenueCents: 1290, averageCents: 1290 },
    ]);
  });
});
