/**
 * Idempotency by order id: the effect of an order and a row in the app's `processed_orders` ledger are
 * written in ONE transaction, so a redelivered order finds its row and changes nothing twice.
 *
 * The app's schema declares the ledger (prisma/README.md):
 *   model ProcessedOrder { orderId String @id  processedAt DateTime @default(now())  @@map("processed_orders") }
 */

/** What {@link oncePerOrder} needs of a transaction client: the `ProcessedOrder` model. */
interface LedgerClient {
  processedOrder: {
    findUnique(args: { where: { orderId: string } }): PromiseLike<unknown>;
    create(args: { data: { orderId: string } }): PromiseLike<unknown>;
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
