// order-db: consumer group `order-db` — saves every order and its lines in its own database.
import { bootstrapConsumerApp } from '@orders/messaging';
import { OrderDbModule } from './app.module.js';
import { APP, OrderStore } from './store.js';

const running = await bootstrapConsumerApp({
  name: APP,
  module: OrderDbModule,
  defaultPort: 3001,
  health: async () => ({ orders: await running.app.get(OrderStore).count() }),
});
