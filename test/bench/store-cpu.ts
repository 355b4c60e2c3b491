/**
 * CPU time per order of each DB-bound group's batch write alone (no Kafka): the store method its
 * `@OnOrders()` handler calls, on batches of 500 of the pipeline's spike orders, in this process.
 *
 *   npx tsx --conditions=@orders/source test/bench/store-cpu.ts [--orders 10000] [--database-url …]
 *
 * Quick to run while changing a store; group-cpu.ts measures the whole app.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CATALOGUE } from '@orders/contracts';
import { CustomerStore, openCrmDb } from '../../apps/crm/src/store.js';
import { openStockDb, StockStore } from '../../apps/erp-stock/src/store.js';
import { openOrderDb, OrderStore } from '../../apps/order-db/src/store.js';
import { openPromoDb, PromoStore } from '../../apps/promo-counter/src/store.js';
import { tempDir } from '../helpers/broker.js';
import { orderEvents } from './scenarios/pipeline.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '500' },
    groups: { type: 'string', default: 'order-db,erp-stock,crm,promo-counter' },
    'database-url': { type: 'string' },
  },
});
const count = Number(values.orders);
const batch = Number(values.batch);
const dir = await tempDir('store-cpu-');
const env = (app: string) => ({
  ...process.env,
  DATABASE_URL: values['database-url'] ?? `file:${path.join(dir, `${app}.db`)}`,
});

type Batch = ReturnType<typeof orderEvents>;
const stores: Record<string, () => Promise<{ write(b: Batch): Promise<unknown>; close(): Promise<void> }>> = {
  'order-db': async () => {
    const db = await openOrderDb(env('order-db'));
    const s = new OrderStore(db);
    return {
      write: (b) =>
        s.saveAll(
          b.map((order, i) => ({
            order,
            source: { topic: 'orders', partition: 0, offset: String(i), key: null },
          })),
        ),
      close: () => db.close(),
    };
  },
  'erp-stock': async () => {
    const db = await openStockDb(env('erp-stock'));
    const s = new StockStore(db);
    await s.seed(CATALOGUE);
    return { write: (b) => s.decrementAll(b), close: () => db.close() };
  },
  crm: async () => {
    const db = await openCrmDb(env('crm'));
    const s = new CustomerStore(db);
    return { write: (b) => s.recordAll(b), close: () => db.close() };
  },
  'promo-counter': async () => {
    const db = await openPromoDb(env('promo-counter'));
    const s = new PromoStore(db);
    return { write: (b) => s.countAll(b), close: () => db.close() };
  },
};

console.log(
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${count} orders in batches of ${batch}`,
);
for (const group of values.groups!.split(',')) {
  const store = await stores[group]!();
  // Warm-up: the first batches compile queries and JIT the code.
  const warm = orderEvents(batch * 2, `warm-${Date.now()}`);
  for (let i = 0; i < warm.length; i += batch) await store.write(warm.slice(i, i + batch));
  const events = orderEvents(count, `run-${Date.now()}`);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < events.length; i += batch) await store.write(events.slice(i, i + batch));
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  // A redelivery of the same batches: all duplicates.
  const c1 = process.cpuUsage();
  for (let i = 0; i < events.length; i += batch) await store.write(events.slice(i, i + batch));
  const d = process.cpuUsage(c1);
  console.log(
    `${group.padEnd(14)} ${((c.user + c.system) / 1000 / count).toFixed(3)} CPU ms/order (${((c.system / (c.user + c.system)) * 100).toFixed(0)}% system), ${Math.round((count / wall) * 1000)} orders/s; redelivered: ${((d.user + d.system) / 1000 / count).toFixed(3)} ms/order`,
  );
  await store.close();
}
await rm(dir, { recursive: true, force: true });
