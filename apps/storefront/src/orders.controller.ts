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
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  buildOrderEvent,
  CATALOGUE,
  CURRENCY,
  describeErrors,
  validateOrderEvent,
  validatePlaceOrder,
} from '@orders/contracts';
import { Overloaded } from './order-batcher.js';
import { OrdersProducer } from './producer.js';

@Controller()
export class OrdersController {
  constructor(@Inject(OrdersProducer) private readonly producer: OrdersProducer) {}

  @Get('products')
  products() {
    return CATALOGUE.map(({ sku, name, priceCents }) => ({ sku, name, priceCents, currency: CURRENCY }));
  }

  /**
   * Validates the order, prices it from the catalogue, puts it on `orders`: 202 {orderId, partition, offset}.
   * 503 with Retry-After when too many orders are already waiting for the broker (nothing was published).
   */
  @Post('orders')
  @HttpCode(202)
  async place(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ) {
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
    try {
      const { partition, offset } = await this.producer.publish(checked.value);
      return { orderId: order.orderId, partition, offset: Number(offset) };
    } catch (err) {
      if (!(err instanceof Overloaded)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      throw new ServiceUnavailableException(`the shop is busy: ${err.message}`);
    }
  }

  @Get('health')
  health() {
    return { app: 'storefront', connected: this.producer.connected, queued: this.producer.queued };
  }
}
