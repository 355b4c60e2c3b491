import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CATALOGUE, type OrderEvent, type Product as CatalogueProduct } from '@orders/contracts';
import { oncePerOrders, openDatabase, type Database, type OnceResult } from '@orders/db';
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
    const updatedAt = new Date();
    await this.db.transaction((tx) =>
      tx.upsert(
        'products',
        catalogue.map((p) => ({
          sku: p.sku,
          name: p.name,
          stock: p.initialStock,
          initialStock: p.initialStock,
          updatedAt,
        })),
        { key: ['sku'], update: { name: 'replace', updatedAt: 'replace' } },
      ),
    );
  }

  /**
   * Decrements stock once per order line, each with its movement row, all in one transaction with the
   * order's ledger row; a second delivery of the same order changes nothing. Stock may go below zero
   * (back-ordered): the order is never refused. A SKU missing from the table is added at stock 0.
   */
  async decrement(order: OrderEvent): Promise<OnceResult> {
    return (await this.decrementAll([order])).get(order.orderId)!;
  }

  /**
   * {@link decrement} for a batch of orders, in one transaction with their ledger rows: one upsert of
   * every SKU of the batch (each decremented by the sum of its lines) and one insert of all the movement
   * rows. Orders delivered before change nothing.
   */
  decrementAll(orders: readonly OrderEvent[]): Promise<Map<string, OnceResult>> {
    return oncePerOrders(this.db, orders, async (tx, fresh) => {
      const now = new Date();
      const bySku = new Map<
        string,
        { sku: string; name: string; stock: number; initialStock: 0; updatedAt: Date }
      >();
      for (const order of fresh)
        for (const line of order.lines) {
          const product = bySku.get(line.sku) ?? {
            sku: line.sku,
            name: line.name,
            stock: 0,
            initialStock: 0,
            updatedAt: now,
          };
          product.stock -= line.qty;
          bySku.set(line.sku, product);
        }
      // A SKU missing from the table is added at stock 0 minus what was sold.
      await tx.upsert('products', [...bySku.values()], {
        key: ['sku'],
        update: { stock: 'add', updatedAt: 'replace' },
      });
      await tx.insert(
        'stock_movements',
        fresh.flatMap((order) =>
          order.lines.map((line, lineNo) => ({
            orderId: order.orderId,
            lineNo,
            sku: line.sku,
            delta: -line.qty,
            at: now,
          })),
        ),
      );
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
