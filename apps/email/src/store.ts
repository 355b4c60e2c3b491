/** email's tables: the sent-mail log, one row per order whose confirmation the SMTP server accepted. */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { oncePerOrder, oncePerOrders, openDatabase, type Database, type OnceResult } from '@orders/db';
import { PrismaClient, type SentMail } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';

export const APP = 'email';

export type { SentMail };

/** Opens email's own database (SQLite `.data/email.db`, or PostgreSQL schema `email`). */
export function openEmailDb(env?: NodeJS.ProcessEnv): Promise<Database<PrismaClient>> {
  return openDatabase({ app: APP, clients: { sqlite: PrismaClient, postgres: PostgresClient }, env });
}

@Injectable()
export class SentMailLog implements OnApplicationShutdown {
  constructor(private readonly db: Database<PrismaClient>) {}

  /** Whether this order's confirmation was sent (and logged) before. */
  async has(orderId: string): Promise<boolean> {
    return (await this.db.prisma.processedOrder.findUnique({ where: { orderId } })) !== null;
  }

  /** Logs a sent confirmation, with the order in the ledger, in one transaction. */
  record(mail: SentMail): Promise<OnceResult> {
    return oncePerOrder(this.db.prisma, mail.orderId, async (tx) => {
      await tx.sentMail.create({ data: mail });
    });
  }

  /** Which of these orders' confirmations were sent (and logged) before. */
  async sent(orderIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.prisma.processedOrder.findMany({
      where: { orderId: { in: [...orderIds] } },
      select: { orderId: true },
    });
    return new Set(rows.map((r) => r.orderId));
  }

  /** Logs sent confirmations, with their orders in the ledger, in one transaction (one INSERT each). */
  recordAll(mails: SentMail[]): Promise<Map<string, OnceResult>> {
    return oncePerOrders(this.db, mails, async (tx, fresh) => {
      await tx.insert('sent_mails', fresh);
    });
  }

  get(orderId: string): Promise<SentMail | null> {
    return this.db.prisma.sentMail.findUnique({ where: { orderId } });
  }

  /** The most recently sent first. */
  list(limit: number): Promise<SentMail[]> {
    return this.db.prisma.sentMail.findMany({
      orderBy: [{ sentAt: 'desc' }, { orderId: 'desc' }],
      take: limit,
    });
  }

  count(): Promise<number> {
    return this.db.prisma.sentMail.count();
  }

  async onApplicationShutdown() {
    await this.db.close();
  }
}
