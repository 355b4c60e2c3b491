/** crm's table: one row per customer, updated once per order id. */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { oncePerOrders, openDatabase, type Database, type OnceResult } from '@orders/db';
import type { Customer as CustomerRow } from './generated/sqlite/client.js';
import { PrismaClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';

export const APP = 'crm';

/** Opens crm's own database (SQLite `.data/crm.db`, or PostgreSQL schema `crm`). */
export function openCrmDb(env?: NodeJS.ProcessEnv): Promise<Database<PrismaClient>> {
  return openDatabase({ app: APP, clients: { sqlite: PrismaClient, postgres: PostgresClient }, env });
}

/** A customer as GET /customers shows it. */
export interface Customer {
  id: string;
  email: string;
  name: string;
  address: { line1: string; city: string; postalCode: string; country: string };
  firstSeenAt: Date;
  lastOrderAt: Date;
  orderCount: number;
  lifetimeValueCents: number;
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    address: { line1: row.addressLine1, city: row.city, postalCode: row.postalCode, country: row.country },
    firstSeenAt: row.firstSeenAt,
    lastOrderAt: row.lastOrderAt,
    orderCount: row.orderCount,
    lifetimeValueCents: row.lifetimeValueCents,
  };
}

/** The customer row one order makes: as if it were the customer's only order. */
function customerRow(order: OrderEvent, updatedAt: Date) {
  const { id, email, name, address } = order.customer;
  const placedAt = new Date(order.placedAt);
  return {
    id,
    email,
    name,
    addressLine1: address.line1,
    city: address.city,
    postalCode: address.postalCode,
    country: address.country,
    firstSeenAt: placedAt,
    lastOrderAt: placedAt,
    orderCount: 1,
    lifetimeValueCents: order.totalCents,
    updatedAt,
  };
}

@Injectable()
export class CustomerStore implements OnApplicationShutdown {
  constructor(private readonly db: Database<PrismaClient>) {}

  /**
   * Adds the order's customer, or counts the order for a known one: one more order, its total added to
   * the lifetime value. The contact details of the customer's most recent order (by placedAt) win, so a
   * late or replayed older order does not overwrite newer ones. A second delivery of the same order
   * changes nothing (the ledger row is written in the same transaction).
   */
  async record(order: OrderEvent): Promise<OnceResult> {
    return (await this.recordAll([order])).get(order.orderId)!;
  }

  /**
   * {@link record} for a batch of orders, in one transaction with their ledger rows: the batch's orders
   * counted per customer, and one upsert of all its customers with the same rules — the most recent
   * order's contact details win (by placedAt; on a tie the later delivery), the earliest order sets
   * `firstSeenAt`. Orders delivered before change nothing.
   */
  recordAll(orders: readonly OrderEvent[]): Promise<Map<string, OnceResult>> {
    return oncePerOrders(this.db, orders, async (tx, fresh) => {
      const byCustomer = new Map<string, ReturnType<typeof customerRow>>();
      const updatedAt = new Date();
      for (const order of fresh) {
        const row = customerRow(order, updatedAt);
        const seen = byCustomer.get(row.id);
        if (!seen) {
          byCustomer.set(row.id, row);
          continue;
        }
        const latest = row.lastOrderAt >= seen.lastOrderAt ? row : seen;
        byCustomer.set(row.id, {
          ...latest,
          firstSeenAt: row.firstSeenAt < seen.firstSeenAt ? row.firstSeenAt : seen.firstSeenAt,
          orderCount: seen.orderCount + 1,
          lifetimeValueCents: seen.lifetimeValueCents + row.lifetimeValueCents,
        });
      }
      const newerContact = { latestBy: 'lastOrderAt' } as const;
      await tx.upsert('customers', [...byCustomer.values()], {
        key: ['id'],
        update: {
          email: newerContact,
          name: newerContact,
          addressLine1: newerContact,
          city: newerContact,
          postalCode: newerContact,
          country: newerContact,
          lastOrderAt: 'max',
          firstSeenAt: 'min',
          orderCount: 'add',
          lifetimeValueCents: 'add',
          updatedAt: 'replace',
        },
      });
    });
  }

  async get(id: string): Promise<Customer | undefined> {
    const row = await this.db.prisma.customer.findUnique({ where: { id } });
    return row ? toCustomer(row) : undefined;
  }

  /** The customers of `ids` that crm knows (one query; unknown or forgotten ids are left out). */
  async getMany(ids: readonly string[]): Promise<Customer[]> {
    const rows = await this.db.prisma.customer.findMany({ where: { id: { in: [...ids] } } });
    return rows.map(toCustomer);
  }

  /** Every customer, `limit` at a time in id order: the page after `afterId` (null: the first page). */
  async page(afterId: string | null, limit: number): Promise<Customer[]> {
    const rows = await this.db.prisma.customer.findMany({
      where: afterId === null ? {} : { id: { gt: afterId } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map(toCustomer);
  }

  /** Deletes the customer's row (a GDPR erasure); true when there was one. The order ledger keeps only order ids. */
  async forget(id: string): Promise<boolean> {
    return (await this.db.prisma.customer.deleteMany({ where: { id } })).count > 0;
  }

  /** The customers with the highest lifetime value first. */
  async top(limit: number): Promise<Customer[]> {
    const rows = await this.db.prisma.customer.findMany({
      orderBy: [{ lifetimeValueCents: 'desc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(toCustomer);
  }

  count() {
    return this.db.prisma.customer.count();
  }

  async onApplicationShutdown() {
    await this.db.close();
  }
}
