/**
 * Idempotency by order id: the effect of an order and a row in the app's `processed_orders` ledger are
 * written in ONE transaction, so a redelivered order finds its row and changes nothing twice.
 *
 * The app's schema declares the ledger (prisma/README.md):
 *   model ProcessedOrder { orderId String @id  processedAt DateTime @default(now())  @@map("processed_orders") }
 */
import type { SqlTransaction } from './batch.js';

/** What {@link oncePerOrder} and {@link oncePerOrders} need of a transaction client: the `ProcessedOrder` model. */
interface LedgerClient {
  processedOrder: {
    findUnique(args: { where: { orderId: string } }): PromiseLike<unknown>;
    create(args: { data: { orderId: string } }): PromiseLike<unknown>;
    findMany(args: {
      where: { orderId: { in: string[] } };
      select: { orderId: true };
    }): PromiseLike<{ orderId: string }[]>;
    createMany(args: { data: { orderId: string }[] }): PromiseLike<unknown>;
  };
}

/** The transaction client type of a generated PrismaClient (the argument of `$transaction(fn)`). */
export type TransactionClient<P> = P extends {
  $transaction<R>(fn: (tx: infer T) => Promise<R>, options?: infer _O): Promise<R>;
}
  ? T
  : never;

export type OnceResult = 'applied' | 'duplicate';

/**
 * Runs `effect` inside a transaction unless `orderId` is already in the ledger; records it in the same
 * transaction. Resolves `'duplicate'` (and runs nothing) for an order seen before, also when a concurrent
 * transaction recorded it first. Errors of `effect` roll everything back and propagate (the caller
 * retries), unique violations of the effect's own tables included.
 */
export async function oncePerOrder<P extends { $transaction(...args: never[]): Promise<unknown> }>(
  prisma: P,
  orderId: string,
  effect: (tx: TransactionClient<P>) => Promise<void>,
): Promise<OnceResult> {
  const run = prisma.$transaction as unknown as (
    fn: (tx: LedgerClient) => Promise<OnceResult>,
  ) => Promise<OnceResult>;
  try {
    return await run.call(prisma, async (tx) => {
      if (await tx.processedOrder.findUnique({ where: { orderId } })) return 'duplicate';
      await tx.processedOrder.create({ data: { orderId } });
      await effect(tx as TransactionClient<P>);
      return 'applied';
    });
  } catch (err) {
    // A unique violation is "a concurrent delivery recorded this order first" only when the ledger now
    // has the order. One in the effect's own tables (two orders creating one customer at once) is a
    // transient conflict: it propagates, so the handler retries and then takes the update path.
    if (isUniqueViolation(err) && (await isRecorded(prisma as unknown as LedgerClient, orderId))) {
      return 'duplicate';
    }
    throw err;
  }
}

async function isRecorded(prisma: LedgerClient, orderId: string): Promise<boolean> {
  return (await prisma.processedOrder.findUnique({ where: { orderId } })) !== null;
}

/** Prisma's "unique constraint failed": P2002 from the client, or the driver adapter's own error. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { code?: unknown }).code === 'P2002') return true;
  if ((err as { kind?: unknown }).kind === 'UniqueConstraintViolation') return true; // StatementError
  const cause = (err as { cause?: { kind?: unknown } }).cause;
  return (err as Error).name === 'DriverAdapterError' && cause?.kind === 'UniqueConstraintViolation';
}

/** What {@link oncePerOrders} needs of an opened database (a `Database` from openDatabase). */
interface BatchDatabase {
  transaction<R>(fn: (tx: SqlTransaction) => Promise<R>): Promise<R>;
}

/**
 * The batch form of {@link oncePerOrder}: ONE transaction for a whole fetched batch, with the effects
 * of the batch's new orders and their ledger rows, so they commit together or not at all — a crash
 * mid-batch leaves nothing half-applied, and the redelivered batch finds the committed orders in the
 * ledger. An order id that appears twice in `items` counts once: its first occurrence is the new one.
 *
 * Two forms:
 * - `oncePerOrders(db, items, (tx, fresh) => …)` with the app's `Database`: `tx` writes multi-row
 *   statements (`tx.insert`, `tx.upsert`, batch.ts). The ledger is ONE statement, `INSERT … ON CONFLICT
 *   DO NOTHING RETURNING`, which records the new orders and names them at once; an order another
 *   instance is recording at the same moment (a rebalance) waits for that transaction and then counts as
 *   a duplicate, so there is no race to retry. This is the fast form.
 * - `oncePerOrders(db.prisma, items, (tx, fresh) => …)`: `tx` is Prisma's transaction client (one
 *   findMany, one createMany for the ledger). Any error, a unique violation included, rolls the batch back
 *   and propagates; the caller then handles the orders one at a time with {@link oncePerOrder}.
 *
 * Resolves with what happened to each order id.
 */
export async function oncePerOrders<T extends { orderId: string }>(
  db: BatchDatabase,
  items: readonly T[],
  effect: (tx: SqlTransaction, fresh: T[]) => Promise<void>,
): Promise<Map<string, OnceResult>>;
export async function oncePerOrders<
  P extends { $transaction(...args: never[]): Promise<unknown> },
  T extends { orderId: string },
>(
  prisma: P,
  items: readonly T[],
  effect: (tx: TransactionClient<P>, fresh: T[]) => Promise<void>,
): Promise<Map<string, OnceResult>>;
export async function oncePerOrders<T extends { orderId: string }>(
  target: BatchDatabase | { $transaction(...args: never[]): Promise<unknown> },
  items: readonly T[],
  effect: (tx: never, fresh: T[]) => Promise<void>,
): Promise<Map<string, OnceResult>> {
  if (items.length === 0) return new Map();
  if ('transaction' in target && typeof target.transaction === 'function')
    return oncePerOrdersSql(target, items, effect as (tx: SqlTransaction, fresh: T[]) => Promise<void>);
  return oncePerOrdersPrisma(
    target as never,
    items,
    effect as (tx: LedgerClient, fresh: T[]) => Promise<void>,
  );
}

/** The ledger's table in every app's schema (prisma/README.md). */
const LEDGER_TABLE = 'processed_orders';

async function oncePerOrdersSql<T extends { orderId: string }>(
  db: BatchDatabase,
  items: readonly T[],
  effect: (tx: SqlTransaction, fresh: T[]) => Promise<void>,
): Promise<Map<string, OnceResult>> {
  const ids = [...new Set(items.map((i) => i.orderId))];
  return db.transaction(async (tx) => {
    const now = new Date();
    const recorded = await tx.insert(
      LEDGER_TABLE,
      ids.map((orderId) => ({ orderId, processedAt: now })),
      { onConflict: 'ignore', returning: ['orderId'] },
    );
    const isNew = new Set(recorded.map((r) => String(r.orderId)));
    const results = new Map<string, OnceResult>();
    const fresh: T[] = [];
    for (const item of items) {
      if (results.has(item.orderId)) continue;
      const applied = isNew.has(item.orderId);
      results.set(item.orderId, applied ? 'applied' : 'duplicate');
      if (applied) fresh.push(item);
    }
    if (fresh.length) await effect(tx, fresh);
    return results;
  });
}

async function oncePerOrdersPrisma<T extends { orderId: string }>(
  prisma: { $transaction(...args: never[]): Promise<unknown> },
  items: readonly T[],
  effect: (tx: LedgerClient, fresh: T[]) => Promise<void>,
): Promise<Map<string, OnceResult>> {
  const results = new Map<string, OnceResult>();
  const run = prisma.$transaction as unknown as (
    fn: (tx: LedgerClient) => Promise<void>,
    options?: { timeout?: number; maxWait?: number },
  ) => Promise<void>;
  await run.call(
    prisma,
    async (tx) => {
      const ids = [...new Set(items.map((i) => i.orderId))];
      const seen = await tx.processedOrder.findMany({
        where: { orderId: { in: ids } },
        select: { orderId: true },
      });
      for (const { orderId } of seen) results.set(orderId, 'duplicate');
      const fresh: T[] = [];
      for (const item of items) {
        if (results.has(item.orderId)) continue;
        results.set(item.orderId, 'applied');
        fresh.push(item);
      }
      if (fresh.length === 0) return;
      await tx.processedOrder.createMany({ data: fresh.map((f) => ({ orderId: f.orderId })) });
      await effect(tx, fresh);
    },
    // A batch of a thousand orders takes longer than Prisma's default 5 s on a loaded machine.
    { timeout: 60_000, maxWait: 60_000 },
  );
  return results;
}
