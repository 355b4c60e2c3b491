// erp-stock: consumer group `erp-stock` — decrements stock once per order line, in its own database.
import { bootstrapConsumerApp } from '@orders/messaging';
import { ErpStockModule } from './app.module.js';
import { APP, StockStore } from './store.js';

const running = await bootstrapConsumerApp({
  name: APP,
  module: ErpStockModule,
  defaultPort: 3004,
  health: async () => ({ movements: await running.app.get(StockStore).movementCount() }),
});
