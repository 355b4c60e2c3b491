// The live feed with two instances of the group on one database: a client of one instance also sees
// what the other counted (re-read while clients are connected), and never a count going backwards.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MessageEvent } from '@nestjs/common';
import { buildOrderEvent } from '@orders/contracts';
import type { Database } from '@orders/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromoFeed } from './feed.js';
import type { PrismaClient } from './generated/sqlite/client.js';
import { PromoStore, openPromoDb } from './store.js';

let dir: string;
const dbs: Database<PrismaClient>[] = [];

const order = (orderId: string, promoCode: string | null) =>
  buildOrderEvent(
    {
      customer: {
        email: 'f@example.org',
        name: 'F',
        address: { line1: 'a', city: 'b', postalCode: 'c', country: 'DE' },
      },
      lines: [{ sku: 'PEN-008', qty: 1 }],
      promoCode,
    },
    { orderId, placedAt: new Date(), currency: 'EUR' },
  );

async function until(what: string, fn: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'promo-feed-'));
});
afterAll(async () => {
  for (const db of dbs) await db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the promo feed', () => {
  it("sends a client the other instance's counts too, each once and only upwards", async () => {
    const env = { DATABASE_URL: `file:${path.join(dir, 'promo-counter.db')}` };
    const [dbA, dbB] = [await openPromoDb(env), await openPromoDb(env)];
    dbs.push(dbA, dbB);
    const instanceA = new PromoStore(dbA);
    const instanceB = new PromoStore(dbB);
    const feedOfB = new PromoFeed(instanceB, { keepAliveMs: 60_000, syncMs: 50 });

    await instanceA.count(order('o-1', 'SPRING'));
    const events: MessageEvent[] = [];
    const sub = feedOfB.stream().subscribe((e) => events.push(e));
    await until('the snapshot', () => events.length === 1);
    expect(events[0]).toEqual({ type: 'snapshot', data: { codes: { SPRING: 1 }, withoutCode: 0, total: 1 } });

    await instanceA.count(order('o-2', 'SPRING')); // counted by the other instance
    await instanceB.count(order('o-3', null)); // counted by this one
    await until('both changes', () => events.length === 3);
    await new Promise((r) => setTimeout(r, 200)); // several re-reads: nothing is sent twice
    expect(events.slice(1)).toEqual(
      expect.arrayContaining([
        { type: 'promo', data: { code: 'SPRING', orders: 2 } },
        { type: 'promo', data: { code: null, orders: 1, orderId: 'o-3' } },
      ]),
    );
    expect(events).toHaveLength(3);
    expect(feedOfB.connectedClients).toBe(1);

    sub.unsubscribe();
    expect(feedOfB.connectedClients).toBe(0);
  });
});
