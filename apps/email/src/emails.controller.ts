import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { OnOrders, type OrderInBatch } from '@orders/messaging';
import { Confirmations } from './confirmations.js';
import { SentMailLog } from './store.js';

@Controller()
export class EmailsController {
  constructor(
    private readonly confirmations: Confirmations,
    private readonly sent: SentMailLog,
  ) {}

  /** When orders arrive, send their confirmation e-mails. */
  @OnOrders()
  async onOrders(orders: OrderInBatch[]): Promise<void> {
    await this.confirmations.sendAll(orders.map((o) => o.order));
  }

  /** What was sent for an order. */
  @Get('emails/:orderId')
  async get(@Param('orderId') orderId: string) {
    const mail = await this.sent.get(orderId);
    if (!mail) throw new NotFoundException(`no confirmation sent for order ${orderId} (yet)`);
    return mail;
  }

  @Get('emails')
  list(@Query('limit') limit?: string) {
    const n = Math.min(Math.max(Number(limit ?? 20) || 20, 1), 500);
    return this.sent.list(n);
  }
}
