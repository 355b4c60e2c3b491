// shipping: consumer group `shipping` — books each order's shipment with the carrier and renders its label.
import { bootstrapConsumerApp } from '@orders/messaging';
import { ShippingModule, shippingHealth } from './app.module.js';
import { APP } from './store.js';

const running = await bootstrapConsumerApp({
  name: APP,
  module: ShippingModule,
  defaultPort: 3003,
  health: () => shippingHealth(running.app),
});
