import { Controller, Get, Sse, type MessageEvent } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { OnOrder, type OrderSource } from '@orders/messaging';
import type { Observable } from 'rxjs';
import { PromoFeed } from './feed.js';
import { PromoStore } from './store.js';

@Controller()
export class PromosController {
  constructor(
    private readonly promos: PromoStore,
    private readonly feed: PromoFeed,
  ) {}

  /** When an order arrives, count it under its promo code. */
  @OnOrder()
  async onOrder(order: OrderEvent, _source: OrderSource): Promise<void> {
    await this.promos.count(order);
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
