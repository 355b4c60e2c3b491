import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CATALOGUE, type OrderEvent, type Product as CatalogueProduct } from '@orders/contracts';
import {
  isUniqueViolation,
  oncePerOrder,
  oncePerOrders,
  openDatabase,
  type Database,
  type OnceResult,
} from '@orders/db';
import { PrismaClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';

export const APP = 'erp-stock';

/** Opens erp-stock's own database (SQLite `.data/erp-stock.db`, or PostgreSQL schema `erp_stock`). */
export function openStockDb(env?: NodeJS.ProcessEnv): Promise<Database<PrismaClient>> {
  return openDatabase({ app: APP, clients: { sqlite: PrismaClient, postgres: PostgresClient }, env });
}

/** A product's stock as the API shows it: `backOrdered` is how many units were sold beyond what was on hand. */
export interface StockLevel {
  sku: string;
  name: string;
  stock: number;
  initialStock: number;
  backOrdered: number;
  updatedAt: Date;
}

const level = (p: Omit<StockLevel, 'backOrdered'>): StockLevel => ({
  sku: p.sku,
  name: p.name,
  stock: p.stock,
  initialStock: p.initialStock,
  backOrdered: Math.max(0, -p.stock),
  updatedAt: p.updatedAt,
});

@Injectable()
export class StockStore implements OnApplicationShutdown {
  constructor(private readonly db: Database<PrismaClient>) {}

  /**
   * Adds the catalogue's products that are not in the table yet, at their initial stock. Products already
   * there keep their stock (it is the result of the orders so far). Safe to run from several instances.
   */
  async seed(catalogue: readonly CatalogueProduct[] = CATALOGUE): Promise<void> {
    for (const p of catalogue) {
      try {
        await this.db.prisma.product.upsert({
          where: { sku: p.sku },
          create: { sku: p.sku, name: p.name, stock: p.initialStock, initialStock: p.initialStock },
          update: { name: p.name },
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // another instance inserted it at the same moment
      }
    }
  }

  /**
   * Decrements stock once per order line, each with its movement row, all in one transaction with the
   * order's ledger row; a second delivery of the same order changes nothing. Stock may go below zero
   * (back-ordered): the order is never refused. A SKU missing from the table is added at stock 0.
   */
  decrement(order: OrderEvent): Promise<OnceResult> {
    return oncePerOrder(this.db.prisma, order.orderId, async (tx) => {
      for (const [lineNo, line] of order.lines.entries()) {
        await tx.product.upsert({
          where: { sku: line.sku },
          create: { sku: line.sku, name: line.name, stock: -line.qty, initialStock: 0 },
          update: { stock: { decrement: line.qty } },
        });
        await tx.stockMovement.create({
          data: { orderId: order.orderId, lineNo, sku: line.sku, delta: -line.qty },
        });
      }
    });
  }

  /**
   * {@link decrement} for a batch of orders, in one transaction with their ledger rows: one stock update
   * per SKU of the batch (the sum of its lines) and one insert of all the movement rows. Orders delivered
   * before change nothing.
   */
  decrementAll(orders: readonly OrderEvent[]): Promise<Map<string, OnceResult>> {
    return oncePerOrders(this.db.prisma, orders, async (tx, fresh) => {
      const bySku = new Map<string, { name: string; qty: number }>();
      for (const order of fresh)
        for (const line of order.lines) {
          const sku = bySku.get(line.sku) ?? { name: line.name, qty: 0 };
          sku.qty += line.qty;
          bySku.set(line.sku, sku);
        }
      for (const [sku, { name, qty }] of bySku) {
        await tx.product.upsert({
          where: { sku },
          create: { sku, name, stock: -qty, initialStock: 0 },
          update: { stock: { decrement: qty } },
        });
      }
      await tx.stockMovement.createMany({
        data: fresh.flatMap((order) =>
          order.lines.map((line, lineNo) => ({
            orderId: order.orderId,
            lineNo,
            sku: line.sku,
            delta: -line.qty,
          })),
        ),
      });
    });
  }

  async list(): Promise<StockLevel[]> {
    return (await this.db.prisma.product.findMany({ orderBy: { sku: 'asc' } })).map(level);
  }

  /** The product's stock and its most recent movements, newest first; undefined for an unknown SKU. */
  async get(sku: string, movements = 20) {
    const product = await this.db.prisma.product.findUnique({
      where: { sku },
      include: {
        movements: {
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          take: movements,
          select: { orderId: true, lineNo: true, delta: true, at: true },
        },
      },
    });
    return product ? { ...level(product), movements: product.movements } : undefined;
  }

  movementCount(): Promise<number> {
    return this.db.prisma.stockMovement.count();
  }

  async onApplicationShutdown() {
    await this.db.close();
  }
}
