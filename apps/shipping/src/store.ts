import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { oncePerOrder, oncePerOrders, openDatabase, type Database, type OnceResult } from '@orders/db';
import { PrismaClient, type Shipment } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';

export const APP = 'shipping';
export type { Shipment };

/** Opens shipping's own database (SQLite `.data/shipping.db`, or PostgreSQL schema `shipping`). */
export function openShippingDb(env?: NodeJS.ProcessEnv): Promise<Database<PrismaClient>> {
  return openDatabase({ app: APP, clients: { sqlite: PrismaClient, postgres: PostgresClient }, env });
}

@Injectable()
export class ShipmentStore implements OnApplicationShutdown {
  constructor(private readonly db: Database<PrismaClient>) {}

  /** Records a booked shipment with its ledger row; a second record of the same order changes nothing. */
  record(shipment: Omit<Shipment, 'bookedAt'> & { bookedAt?: Date }): Promise<OnceResult> {
    return oncePerOrder(this.db.prisma, shipment.orderId, async (tx) => {
      await tx.shipment.create({ data: shipment });
    });
  }

  /** Records booked shipments with their ledger rows in one transaction; ones recorded before are skipped. */
  recordAll(
    shipments: (Omit<Shipment, 'bookedAt'> & { bookedAt: Date })[],
  ): Promise<Map<string, OnceResult>> {
    return oncePerOrders(this.db, shipments, async (tx, fresh) => {
      await tx.insert('shipments', fresh);
    });
  }

  /** Which of these orders' shipments are already booked (their effect committed). */
  async recorded(orderIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.prisma.processedOrder.findMany({
      where: { orderId: { in: [...orderIds] } },
      select: { orderId: true },
    });
    return new Set(rows.map((r) => r.orderId));
  }

  /** Whether the order's shipment is already booked (its effect committed). */
  async has(orderId: string): Promise<boolean> {
    return (await this.db.prisma.processedOrder.findUnique({ where: { orderId } })) !== null;
  }

  get(orderId: string): Promise<Shipment | null> {
    return this.db.prisma.shipment.findUnique({ where: { orderId } });
  }

  list(limit: number): Promise<Shipment[]> {
    return this.db.prisma.shipment.findMany({
      orderBy: [{ bookedAt: 'desc' }, { orderId: 'desc' }],
      take: limit,
    });
  }

  count(): Promise<number> {
    return this.db.prisma.shipment.count();
  }

  async onApplicationShutdown() {
    await this.db.close();
  }
}
