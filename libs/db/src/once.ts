/**
 * Idempotency by order id: the effect of an order and a row in the app's `processed_orders` ledger are
 * written in ONE transaction, so a redelivered order finds its row and changes nothing twice.
 *
 * The app's schema declares the ledger (prisma/README.md):
 *   model ProcessedOrder { orderId String @id  processedAt DateTime @default(now())  @@map("processed_orders") }
 */

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

/** Prisma's "unique constraint failed" (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

/**
 * The batch form of {@link oncePerOrder}: ONE transaction for a whole fetched batch. It reads which of
 * the batch's orders are already in the ledger (one query), records the others (one insert), and runs
 * `effect` with just those new ones — in the same transaction, so the effects of the batch and its ledger
 * rows commit together or not at all (a crash mid-batch leaves nothing half-applied; the redelivered
 * batch finds the committed orders in the ledger). An order id that appears twice in `items` counts
 * once: its first occurrence is the new one.
 *
 * Any error, a unique violation included (another instance committed one of these orders at the same
 * moment, during a rebalance), rolls the whole batch back and propagates: the caller then handles the
 * orders one at a time with {@link oncePerOrder}, which tells that race from a real conflict.
 *
 * Resolves with what happened to each order id.
 */
export async function oncePerOrders<
  P extends { $transaction(...args: never[]): Promise<unknown> },
  T extends { orderId: string },
>(
  prisma: P,
  items: readonly T[],
  effect: (tx: TransactionClient<P>, fresh: T[]) => Promise<void>,
): Promise<Map<string, OnceResult>> {
  const results = new Map<string, OnceResult>();
  if (items.length === 0) return results;
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
      await effect(tx as TransactionClient<P>, fresh);
    },
    // A batch of a thousand orders takes longer than Prisma's default 5 s on a loaded machine.
    { timeout: 60_000, maxWait: 60_000 },
  );
  return results;
}
