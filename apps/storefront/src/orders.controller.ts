import { Controller, Get, Inject } from '@nestjs/common';
import { CATALOGUE, CURRENCY } from '@orders/contracts';
import { OrdersProducer } from './producer.js';

/** The storefront's reads. POST /orders, the checkout, is {@link PlaceOrderRoute} (place-order.route.ts). */
@Controller()
export class OrdersController {
  constructor(@Inject(OrdersProducer) private readonly producer: OrdersProducer) {}

  @Get('products')
  products() {
    return CATALOGUE.map(({ sku, name, priceCents }) => ({ sku, name, priceCents, currency: CURRENCY }));
  }

  @Get('health')
  health() {
    return {
      app: 'storefront',
      connected: this.producer.connected,
      queued: this.producer.queued,
      produced: this.producer.produced,
    };
  }
}
