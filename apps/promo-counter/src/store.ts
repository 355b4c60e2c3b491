/** promo-counter's table: orders per promo code, each order counted once (by its order id). */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { oncePerOrders, openDatabase, type Database, type OnceResult } from '@orders/db';
import { Subject, type Observable } from 'rxjs';
import { PrismaClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';
import { abView, contributionOf, variantOf, type VariantTotals, type WindowCount } from './windows.js';

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
    const results = await this.countAll([order]);
    return results.get(order.orderId)!;
  }

  /**
   * {@link count} for a batch of orders, in one transaction with their ledger rows: one increment per
   * promo code, per event-time window and per A/B variant of the batch. The live feed gets one change
   * per code (its count after the batch, and the last order counted under it). Orders delivered
   * before change nothing.
   */
  async countAll(orders: readonly OrderEvent[]): Promise<Map<string, OnceResult>> {
    const changes: PromoChange[] = [];
    const results = await oncePerOrders(this.db, orders, async (tx, fresh) => {
      const byCode = new Map<string | null, OrderEvent[]>();
      const byWindow = new Map<
        string,
        { code: string; windowStart: Date; orders: number; revenueCents: number }
      >();
      const byVariant = new Map<
        string,
        { promotion: string; variant: string; orders: number; revenueCents: number }
      >();
      for (const order of fresh) {
        const code = promoCodeOf(order);
        const same = byCode.get(code);
        if (same) same.push(order);
        else byCode.set(code, [order]);
        // The stream-processor views: the order's event-time window, and its promotion's A/B variant.
        const { windowStart, revenueCents } = contributionOf(order);
        const key = code ?? NO_CODE;
        const w = byWindow.get(`${key}\u0000${windowStart.getTime()}`) ?? {
          code: key,
          windowStart,
          orders: 0,
          revenueCents: 0,
        };
        w.orders++;
        w.revenueCents += revenueCents;
        byWindow.set(`${key}\u0000${windowStart.getTime()}`, w);
        if (code) {
          const { promotion, variant } = variantOf(code);
          const v = byVariant.get(`${promotion}\u0000${variant}`) ?? {
            promotion,
            variant,
            orders: 0,
            revenueCents: 0,
          };
          v.orders++;
          v.revenueCents += revenueCents;
          byVariant.set(`${promotion}\u0000${variant}`, v);
        }
      }
      const updatedAt = new Date();
      const counted = await tx.upsert(
        'promo_counts',
        [...byCode].map(([code, list]) => ({ code: code ?? NO_CODE, orders: list.length, updatedAt })),
        { key: ['code'], update: { orders: 'add', updatedAt: 'replace' }, returning: ['code', 'orders'] },
      );
      const now = new Map(counted.map((r) => [String(r.code), Number(r.orders)]));
      for (const [code, list] of byCode)
        changes.push({ code, orders: now.get(code ?? NO_CODE)!, orderId: list.at(-1)!.orderId });
      await tx.upsert('promo_windows', [...byWindow.values()], {
        key: ['code', 'windowStart'],
        update: { orders: 'add', revenueCents: 'add' },
      });
      await tx.upsert('promo_variants', [...byVariant.values()], {
        key: ['promotion', 'variant'],
        update: { orders: 'add', revenueCents: 'add' },
      });
    });
    for (const change of changes) this.counted.next(change);
    return results;
  }

  /**
   * Orders and revenue per code in one-minute windows of event time, oldest first; `since` (a time)
   * limits it to recent windows, `code` to one code ("" = orders without a code).
   */
  async windows(options: { code?: string; since?: Date } = {}): Promise<WindowCount[]> {
    const rows = await this.db.prisma.promoWindow.findMany({
      where: {
        ...(options.code !== undefined && { code: options.code }),
        ...(options.since && { windowStart: { gte: options.since } }),
      },
      orderBy: [{ windowStart: 'asc' }, { code: 'asc' }],
    });
    return rows.map((r) => ({
      code: r.code,
      windowStart: r.windowStart.toISOString(),
      orders: r.orders,
      revenueCents: r.revenueCents,
    }));
  }

  /** The A/B view: per promotion, orders and revenue per variant (codes `NAME-A`, `NAME-B`, …). */
  async ab(): Promise<Record<string, VariantTotals[]>> {
    const rows = await this.db.prisma.promoVariant.findMany({ orderBy: { promotion: 'asc' } });
    const by: Record<string, typeof rows> = {};
    for (const r of rows) (by[r.promotion] ??= []).push(r);
    return Object.fromEntries(Object.entries(by).map(([p, rs]) => [p, abView(rs)]));
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
