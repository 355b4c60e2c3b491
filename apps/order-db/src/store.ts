/** order-db's tables: orders and their lines, saved once per order id. */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { oncePerOrders, openDatabase, type Database, type OnceResult } from '@orders/db';
import type { OrderInBatch, OrderSource } from '@orders/messaging';
import { PrismaClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';

export const APP = 'order-db';

/** Opens order-db's own database (SQLite `.data/order-db.db`, or PostgreSQL schema `order_db`). */
export function openOrderDb(env?: NodeJS.ProcessEnv): Promise<Database<PrismaClient>> {
  return openDatabase({ app: APP, clients: { sqlite: PrismaClient, postgres: PostgresClient }, env });
}

/** The order's row (without its lines). */
function orderRow(order: OrderEvent, source: OrderSource) {
  const { customer } = order;
  return {
    orderId: order.orderId,
    placedAt: new Date(order.placedAt),
    customerId: customer.id,
    customerEmail: customer.email,
    customerName: customer.name,
    addressLine1: customer.address.line1,
    city: customer.address.city,
    postalCode: customer.address.postalCode,
    country: customer.address.country,
    currency: order.currency,
    totalCents: order.totalCents,
    promoCode: order.promoCode,
    sourcePartition: source.partition,
    sourceOffset: source.offset,
  };
}

@Injectable()
export class OrderStore implements OnApplicationShutdown {
  constructor(private readonly db: Database<PrismaClient>) {}

  /** Saves the order and its lines; a second delivery of the same order changes nothing. */
  async save(order: OrderEvent, source: OrderSource): Promise<OnceResult> {
    return (await this.saveAll([{ order, source }])).get(order.orderId)!;
  }

  /**
   * Saves a batch of orders and their lines in one transaction with their ledger rows: one insert per
   * table for the whole batch; orders delivered before are skipped.
   */
  saveAll(orders: readonly OrderInBatch[]): Promise<Map<string, OnceResult>> {
    const items = orders.map(({ order, source }) => ({ orderId: order.orderId, order, source }));
    return oncePerOrders(this.db, items, async (tx, fresh) => {
      const savedAt = new Date();
      await tx.insert(
        'orders',
        fresh.map(({ order, source }) => ({
          ...orderRow(order, source),
          promoCode: order.promoCode ?? null,
          savedAt,
        })),
      );
      await tx.insert(
        'order_lines',
        fresh.flatMap(({ order }) =>
          order.lines.map((line, lineNo) => ({
            orderId: order.orderId,
            lineNo,
            sku: line.sku,
            name: line.name,
            qty: line.qty,
            unitPriceCents: line.unitPriceCents,
          })),
        ),
      );
    });
  }

  get(orderId: string) {
    return this.db.prisma.order.findUnique({
      where: { orderId },
      include: { lines: { orderBy: { lineNo: 'asc' } } },
    });
  }

  list(limit: number) {
    return this.db.prisma.order.findMany({
      orderBy: [{ savedAt: 'desc' }, { orderId: 'desc' }],
      take: limit,
      include: { lines: { orderBy: { lineNo: 'asc' } } },
    });
  }

  count() {
    return this.db.prisma.order.count();
  }

  async onApplicationShutdown() {
    await this.db.close();
  }
}
