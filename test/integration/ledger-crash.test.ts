/**
 * Exactly once in effect across a crash: order-db SIGKILLed in the middle of a batch's transaction
 * leaves none of the batch, and the redelivered batch is saved once; killed right after the commit
 * (before a consumer would commit its offsets), the redelivery changes nothing. On SQLite, or on the
 * PostgreSQL server DATABASE_URL names.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrderDb, OrderStore } from '../../apps/order-db/src/store.js';
import { orderEvents } from '../bench/scenarios/pipeline.js';
import { tempDir } from '../helpers/broker.js';
import { exited, spawnTs, waitForLine } from '../helpers/process.js';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('ledger-crash-');
  const url = process.env.DATABASE_URL ?? '';
  env = {
    DATABASE_URL: /^postgres(ql)?:\/\//.test(url)
      ? `${url}${url.includes('?') ? '&' : '?'}schema=ledger_crash_${process.pid}`
      : `file:${path.join(dir, 'order-db.db')}`,
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function killedAfterWriting(runId: string, count: number, mode: string) {
  const child = spawnTs('test/fixtures/order-db-batch.ts', [runId, String(count), mode], env);
  await waitForLine(child, /written/, 60_000);
  child.kill('SIGKILL');
  await exited(child);
}

const batch = (runId: string, count: number) =>
  orderEvents(count, runId).map((order, i) => ({
    order,
    source: { topic: 'orders', partition: 0, offset: String(i), key: order.customer.id },
  }));

async function stored(runId: string) {
  const db = await openOrderDb(env);
  try {
    const where = { orderId: { startsWith: `bench-${runId}-` } };
    return {
      orders: await db.prisma.order.count({ where }),
      lines: await db.prisma.orderLine.count({ where }),
      ledger: await db.prisma.processedOrder.count({ where }),
    };
  } finally {
    await db.close();
  }
}

async function redeliver(runId: string, count: number) {
  const db = await openOrderDb(env);
  try {
    const results = await new OrderStore(db).saveAll(batch(runId, count));
    return [...results.values()];
  } finally {
    await db.close();
  }
}

describe('the batch ledger across a crash', () => {
  it('a consumer killed before its batch commits leaves none of it; the redelivered batch is saved once', async () => {
    await killedAfterWriting('before', 300, 'hold-before-commit');
    expect(await stored('before')).toEqual({ orders: 0, lines: 0, ledger: 0 });

    expect(new Set(await redeliver('before', 300))).toEqual(new Set(['applied']));
    const once = await stored('before');
    expect(once).toMatchObject({ orders: 300, ledger: 300 });
    expect(await redeliver('before', 300)).toEqual(Array(300).fill('duplicate'));
    expect(await stored('before')).toEqual(once);
  });

  it('a consumer killed after its batch commits keeps all of it; the redelivered batch changes nothing', async () => {
    await killedAfterWriting('after', 300, 'hold-after-commit');
    const committed = await stored('after');
    expect(committed).toMatchObject({ orders: 300, ledger: 300 });
    expect(await redeliver('after', 300)).toEqual(Array(300).fill('duplicate'));
    expect(await stored('after')).toEqual(committed);
  });
});
