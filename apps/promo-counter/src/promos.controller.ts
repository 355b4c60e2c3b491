import { BadRequestException, Controller, Get, Query, Sse, type MessageEvent } from '@nestjs/common';
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

  /**
   * Tumbling one-minute windows by the order's placedAt: `[{ code, windowStart, orders, revenueCents }]`.
   * `?minutes=N` the last N minutes (default 60), `?code=SPRING10` one code.
   */
  @Get('promos/windows')
  windows(@Query('minutes') minutes?: string, @Query('code') code?: string) {
    const n = minutes === undefined ? 60 : Number(minutes);
    if (!Number.isInteger(n) || n < 1 || n > 7 * 24 * 60)
      throw new BadRequestException('minutes: a whole number from 1 to 10080');
    return this.promos.windows({ code: code?.toUpperCase(), since: new Date(Date.now() - n * 60_000) });
  }

  /** The A/B view: `{ SPRING10: [{ variant: "A", orders, revenueCents, averageCents }, …] }`. */
  @Get('promos/ab')
  ab() {
    return this.promos.ab();
  }

  /** Server-sent events: `snapshot` (as GET /promos), then `promo` `{ code, orders, orderId? }` per change. */
  @Sse('promos/stream')
  stream(): Observable<MessageEvent> {
    return this.feed.stream();
  }
}
