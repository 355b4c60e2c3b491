import { Module, type INestApplicationContext } from '@nestjs/common';
import { feedOptionsFromEnv, PromoFeed } from './feed.js';
import { PromosController } from './promos.controller.js';
import { PromoStore, openPromoDb } from './store.js';

@Module({
  controllers: [PromosController],
  providers: [
    { provide: PromoStore, useFactory: async () => new PromoStore(await openPromoDb()) },
    {
      provide: PromoFeed,
      useFactory: (store: PromoStore) => new PromoFeed(store, feedOptionsFromEnv()),
      inject: [PromoStore],
    },
  ],
})
export class PromoCounterModule {}

/** promo-counter's fields in GET /health. */
export async function promoHealth(app: INestApplicationContext) {
  return {
    ordersCounted: (await app.get(PromoStore).counts()).total,
    streamClients: app.get(PromoFeed).connectedClients,
  };
}
