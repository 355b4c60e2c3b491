import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { OnOrders, type OrderInBatch } from '@orders/messaging';
import { OrderStore } from './store.js';

@Controller()
export class OrdersController {
  constructor(private readonly orders: OrderStore) {}

  /** When orders arrive, save them. */
  @OnOrders()
  async onOrders(orders: OrderInBatch[]): Promise<void> {
    await this.orders.saveAll(orders);
  }

  @Get('orders/:id')
  async get(@Param('id') id: string) {
    const order = await this.orders.get(id);
    if (!order) throw new NotFoundException(`order ${id} is not in order-db (yet)`);
    return order;
  }

  @Get('orders')
  list(@Query('limit') limit?: string) {
    const n = Math.min(Math.max(Number(limit ?? 20) || 20, 1), 500);
    return this.orders.list(n);
  }
}
