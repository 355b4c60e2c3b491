// crm: consumer group `crm` — adds or updates the customer of every order in its own database.
import { bootstrapConsumerApp } from '@orders/messaging';
import { CrmModule } from './app.module.js';
import { APP, CustomerStore } from './store.js';

const running = await bootstrapConsumerApp({
  name: APP,
  module: CrmModule,
  defaultPort: 3005,
  health: async () => ({ customers: await running.app.get(CustomerStore).count() }),
});
