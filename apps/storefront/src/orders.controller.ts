import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  InternalServerErrorException,
  Post,
} from '@nestjs/common';
import {
  buildOrderEvent,
  CATALOGUE,
  CURRENCY,
  describeErrors,
  validateOrderEvent,
  validatePlaceOrder,
} from '@orders/contracts';
import { OrdersProducer } from './producer.js';

@Controller()
export class OrdersController {
  constructor(@Inject(OrdersProducer) private readonly producer: OrdersProducer) {}

  @Get('products')
  products() {
    return CATALOGUE.map(({ sku, name, priceCents }) => ({ sku, name, priceCents, currency: CURRENCY }));
  }

  /** Validates the order, prices it from the catalogue, puts it on `orders`: 202 {orderId, partition, offset}. */
  @Post('orders')
  @HttpCode(202)
  async place(@Body() body: unknown) {
    const request = validatePlaceOrder(body);
    if (!request.ok) throw new BadRequestException({ message: 'invalid order', errors: request.errors });
    const order = buildOrderEvent(request.value, {
      orderId: randomUUID(),
      placedAt: new Date(),
      currency: CURRENCY,
    });
    const checked = validateOrderEvent(order); // validated on produce as on consume
    if (!checked.ok)
      throw new InternalServerErrorException(`built an invalid order: ${describeErrors(checked.errors)}`);
    const { partition, offset } = await this.producer.publish(checked.value);
    return { orderId: order.orderId, partition, offset: Number(offset) };
  }

  @Get('health')
  health() {
    return { app: 'storefront', connected: this.producer.connected };
  }
}
