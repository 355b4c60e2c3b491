// promo-counter: consumer group `promo-counter` — counts orders per promo code, live.
//
// Counts are right after a restart because each count is PERSISTED TOGETHER WITH THE IDEMPOTENCY
// LEDGER: the `promo_counts` increment and the order's `processed_orders` row are written in one
// transaction (oncePerOrder), and the offset is committed only afterwards. A crash before the commit
// of the transaction leaves neither (the order is redelivered and counted then); a crash after it but
// before the offset commit leaves both (the redelivered order finds its ledger row and counts nothing).
// So no order is counted twice and none is missed, without replaying the stream on start.
import { bootstrapConsumerApp } from '@orders/messaging';
import { PromoCounterModule, promoHealth } from './app.module.js';
import { APP } from './store.js';

const running = await bootstrapConsumerApp({
  name: APP,
  module: PromoCounterModule,
  defaultPort: 3006,
  health: () => promoHealth(running.app),
});
