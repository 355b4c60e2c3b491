// Multi-row statements and the batch ledger against a real database: a SQLite file, or the PostgreSQL
// server DATABASE_URL names (postgres://…, as the e2e suite's PostgreSQL mode sets it).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { oncePerOrders } from './once.js';

const TABLES = `
CREATE TABLE "processed_orders" ("orderId" TEXT NOT NULL PRIMARY KEY, "processedAt" TIMESTAMP(3) NOT NULL);
CREATE TABLE "items" ("id" TEXT NOT NULL PRIMARY KEY, "label" TEXT, "at" TIMESTAMP(3) NOT NULL);
CREATE TABLE "tallies" (
  "kind" TEXT NOT NULL, "day" INTEGER NOT NULL, "count" INTEGER NOT NULL, "contact" TEXT NOT NULL,
  "first" TIMESTAMP(3) NOT NULL, "last" TIMESTAMP(3) NOT NULL, PRIMARY KEY ("kind", "day"));
`;

/** openDatabase needs a Prisma client class; these tests use only its batch transactions. */
class NoOrm {
  constructor(_options: unknown) {}
  $disconnect() {
    return Promise.resolve();
  }
}

let dir: string;
let db: Database<NoOrm>;
const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'db-batch-'));
  const provider = postgres ? 'postgres' : 'sqlite';
  await mkdir(path.join(dir, 'migrations', provider, '0001_init'), { recursive: true });
  // Prisma's column types: DATETIME on SQLite, TIMESTAMP(3) on PostgreSQL.
  await writeFile(
    path.join(dir, 'migrations', provider, '0001_init', 'migration.sql'),
    postgres ? TABLES : TABLES.replaceAll('TIMESTAMP(3)', 'DATETIME'),
  );
  const schema = `db_batch_test_${process.pid}`;
  db = await openDatabase({
    app: 'db-batch-test',
    clients: { sqlite: NoOrm, postgres: NoOrm },
    migrationsDir: path.join(dir, 'migrations', provider),
    env: {
      DATABASE_URL: postgres
        ? `${process.env.DATABASE_URL}${process.env.DATABASE_URL!.includes('?') ? '&' : '?'}schema=${schema}`
        : `file:${path.join(dir, 'test.db')}`,
    },
  });
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

const at = (iso: string) => new Date(iso);
/** The stored tallies of day 1, read back by an upsert that adds nothing (the transaction API only writes). */
const tallies = () =>
  db.transaction((tx) =>
    tx.upsert(
      'tallies',
      ['a', 'b'].map((kind) => ({
        kind,
        day: 1,
        count: 0,
        contact: '',
        first: at('2000-01-01'),
        last: at('2000-01-01'),
      })),
      {
        key: ['kind', 'day'],
        update: { count: 'add' },
        returning: ['kind', 'day', 'count', 'contact', 'first', 'last'],
      },
    ),
  );

describe('batch statements', () => {
  it('inserts many rows at once and, told to ignore existing keys, names only the rows it inserted', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      id: `i-${i}`,
      label: i % 2 ? `label ${i}` : null,
      at: at('2025-05-01T10:00:00.123Z'),
    }));
    expect(await db.transaction((tx) => tx.insert('items', rows.slice(0, 700)))).toEqual([]);
    const inserted = await db.transaction((tx) =>
      tx.insert('items', rows, { onConflict: 'ignore', returning: ['id'] }),
    );
    expect(inserted.map((r) => r.id).sort()).toEqual(
      rows
        .slice(700)
        .map((r) => r.id)
        .sort(),
    );
  });

  it('upserts every key of a batch in one statement: counters added, newest contact kept, earliest and latest times', async () => {
    const day = (kind: string, count: number, contact: string, when: string) => ({
      kind,
      day: 1,
      count,
      contact,
      first: at(when),
      last: at(when),
    });
    const upsert = (rows: ReturnType<typeof day>[]) =>
      db.transaction((tx) =>
        tx.upsert('tallies', rows, {
          key: ['kind', 'day'],
          update: {
            count: 'add',
            contact: { latestBy: 'last' },
            first: 'min',
            last: 'max',
          },
          returning: ['kind', 'count'],
        }),
      );
    expect(
      await upsert([day('b', 2, 'b@1', '2025-05-02T00:00:00Z'), day('a', 1, 'a@1', '2025-05-02T00:00:00Z')]),
    ).toEqual(
      expect.arrayContaining([
        { kind: 'a', count: 1 },
        { kind: 'b', count: 2 },
      ]),
    );
    // a: a newer order (contact wins); b: an older, late one (contact stays, `first` moves back).
    await upsert([day('a', 5, 'a@2', '2025-05-03T00:00:00Z'), day('b', 3, 'b@0', '2025-04-30T00:00:00Z')]);
    expect(await tallies()).toEqual(
      expect.arrayContaining([
        {
          kind: 'a',
          day: 1,
          count: 6,
          contact: 'a@2',
          first: expect.anything(),
          last: expect.anything(),
        },
        {
          kind: 'b',
          day: 1,
          count: 5,
          contact: 'b@1',
          first: expect.anything(),
          last: expect.anything(),
        },
      ]),
    );
    expect((await tallies()).find((r) => r.kind === 'b')).toMatchObject({
      first: at('2025-04-30T00:00:00Z'),
      last: at('2025-05-02T00:00:00Z'),
    });
  });

  it('rolls back every statement of a transaction that throws, and passes its error on', async () => {
    const failing = db.transaction(async (tx) => {
      await tx.insert('items', [{ id: 'rolled-back', label: null, at: new Date() }]);
      await tx.insert('items', [{ id: 'i-1', label: null, at: new Date() }]); // exists: a unique violation
    });
    await expect(failing).rejects.toMatchObject({
      name: 'StatementError',
      kind: 'UniqueConstraintViolation',
    });
    const again = await db.transaction((tx) =>
      tx.insert('items', [{ id: 'rolled-back', label: null, at: new Date() }], {
        onConflict: 'ignore',
        returning: ['id'],
      }),
    );
    expect(again).toEqual([{ id: 'rolled-back' }]);
  });

  it('refuses a table or column name that is not a plain identifier', async () => {
    await expect(
      db.transaction((tx) => tx.insert('items"; DROP TABLE "items', [{ id: 'x' }])),
    ).rejects.toThrow(/not a plain SQL identifier/);
  });
});

describe('oncePerOrders(db, …)', () => {
  const batch = (ids: string[]) => ids.map((orderId) => ({ orderId }));
  const applyAll = (ids: string[]) =>
    oncePerOrders(db, batch(ids), async (tx, fresh) => {
      await tx.insert(
        'items',
        fresh.map((f) => ({ id: `effect-${f.orderId}`, label: 'effect', at: new Date() })),
      );
    });

  it('applies each new order of a batch once, a repeat within the batch included, and skips what it saw before', async () => {
    const first = await applyAll(['o-1', 'o-2', 'o-1', 'o-3']);
    expect([...first]).toEqual([
      ['o-1', 'applied'],
      ['o-2', 'applied'],
      ['o-3', 'applied'],
    ]);
    const second = await applyAll(['o-3', 'o-4']);
    expect([...second]).toEqual([
      ['o-3', 'duplicate'],
      ['o-4', 'applied'],
    ]);
  });

  it('treats concurrent deliveries of one batch as one', async () => {
    const results = await Promise.all([
      applyAll(['c-1', 'c-2']),
      applyAll(['c-2', 'c-1']),
      applyAll(['c-1']),
    ]);
    const applied = results.flatMap((r) => [...r].filter(([, v]) => v === 'applied').map(([k]) => k));
    expect(applied.sort()).toEqual(['c-1', 'c-2']);
  });

  it('records none of a batch whose effect fails, so its redelivery applies it', async () => {
    const failing = oncePerOrders(db, batch(['f-1', 'f-2']), async () => {
      throw new Error('the effect failed');
    });
    await expect(failing).rejects.toThrow('the effect failed');
    expect([...(await applyAll(['f-1', 'f-2']))].map(([, v]) => v)).toEqual(['applied', 'applied']);
  });
});
