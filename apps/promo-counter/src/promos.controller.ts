import { Controller, Get, Sse, type MessageEvent } from '@nestjs/common';
import { OnOrders, type OrderInBatch } from '@orders/messaging';
import type { Observable } from 'rxjs';
import { PromoFeed } from './feed.js';
import { PromoStore } from './store.js';

@Controller()
export class PromosController {
  constructor(
    private readonly promos: PromoStore,
    private readonly feed: PromoFeed,
  ) {}

  /** When orders arrive, count each under its promo code. */
  @OnOrders()
  async onOrders(orders: OrderInBatch[]): Promise<void> {
    await this.promos.countAll(orders.map((o) => o.order));
  }

  /** `{ codes: { SPRING: 12, … }, withoutCode, total }`. */
  @Get('promos')
  counts() {
    return this.promos.counts();
  }

  /** Server-sent events: `snapshot` (as GET /promos), then `promo` `{ code, orders, orderId? }` per change. */
  @Sse('promos/stream')
  stream(): Observable<MessageEvent> {
    return this.feed.stream();
  }
}
