/** promo-counter's table: orders per promo code, each order counted once (by its order id). */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { oncePerOrder, oncePerOrders, openDatabase, type Database, type OnceResult } from '@orders/db';
import { Subject, type Observable } from 'rxjs';
import { PrismaClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';

export const APP = 'promo-counter';

/** The row that counts orders placed without a promo code. */
const NO_CODE = '';

/** `GET /promos`, and the first event of `GET /promos/stream`. */
export interface PromoCounts {
  /** Orders per promo code, e.g. `{ "SPRING": 12 }`. */
  codes: Record<string, number>;
  /** Orders placed without a promo code. */
  withoutCode: number;
  /** All orders counted. */
  total: number;
}

/** A count that went up: `code` null is the "without a code" count; `orderId` when this instance counted it. */
export interface PromoChange {
  code: string | null;
  orders: number;
  orderId?: string;
}

/** The promo code an order is counted under: trimmed; none, or only blanks, means no code. */
export function promoCodeOf(order: Pick<OrderEvent, 'promoCode'>): string | null {
  const code = order.promoCode?.trim();
  return code ? code : null;
}

/** Opens promo-counter's own database (SQLite `.data/promo-counter.db`, or PostgreSQL schema `promo_counter`). */
export function openPromoDb(env?: NodeJS.ProcessEnv): Promise<Database<PrismaClient>> {
  return openDatabase({ app: APP, clients: { sqlite: PrismaClient, postgres: PostgresClient }, env });
}

@Injectable()
export class PromoStore implements OnApplicationShutdown {
  private readonly counted = new Subject<PromoChange>();

  /** Counts this instance committed, as they are committed. */
  readonly changes: Observable<PromoChange> = this.counted.asObservable();

  constructor(private readonly db: Database<PrismaClient>) {}

  /**
   * Counts the order under its promo code. The count and the order's ledger row are written in one
   * transaction, so a redelivered order changes nothing and a restart neither loses nor repeats a count.
   */
  async count(order: OrderEvent): Promise<OnceResult> {
    const code = promoCodeOf(order);
    let orders = 0;
    const result = await oncePerOrder(this.db.prisma, order.orderId, async (tx) => {
      const row = await tx.promoCount.upsert({
        where: { code: code ?? NO_CODE },
        create: { code: code ?? NO_CODE, orders: 1 },
        update: { orders: { increment: 1 } },
      });
      orders = row.orders;
    });
    if (result === 'applied') this.counted.next({ code, orders, orderId: order.orderId });
    return result;
  }

  /**
   * {@link count} for a batch of orders, in one transaction with their ledger rows: one increment per
   * promo code of the batch. The live feed gets one change per code (its count after the batch, and the
   * last order counted under it). Orders delivered before change nothing.
   */
  async countAll(orders: readonly OrderEvent[]): Promise<Map<string, OnceResult>> {
    const changes: PromoChange[] = [];
    const results = await oncePerOrders(this.db.prisma, orders, async (tx, fresh) => {
      const byCode = new Map<string | null, OrderEvent[]>();
      for (const order of fresh) {
        const code = promoCodeOf(order);
        byCode.set(code, [...(byCode.get(code) ?? []), order]);
      }
      for (const [code, list] of byCode) {
        const row = await tx.promoCount.upsert({
          where: { code: code ?? NO_CODE },
          create: { code: code ?? NO_CODE, orders: list.length },
          update: { orders: { increment: list.length } },
        });
        changes.push({ code, orders: row.orders, orderId: list.at(-1)!.orderId });
      }
    });
    for (const change of changes) this.counted.next(change);
    return results;
  }

  /** Every count, as stored. */
  async counts(): Promise<PromoCounts> {
    const rows = await this.db.prisma.promoCount.findMany({ orderBy: { code: 'asc' } });
    const counts: PromoCounts = { codes: {}, withoutCode: 0, total: 0 };
    for (const row of rows) {
      if (row.code === NO_CODE) counts.withoutCode = row.orders;
      else counts.codes[row.code] = row.orders;
      counts.total += row.orders;
    }
    return counts;
  }

  async onApplicationShutdown() {
    this.counted.complete();
    await this.db.close();
  }
}
