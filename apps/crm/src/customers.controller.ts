import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { OnOrders, type OrderInBatch } from '@orders/messaging';
import { CustomerTable } from './customer-table.js';
import { CustomerStore } from './store.js';

@Controller()
export class CustomersController {
  constructor(
    private readonly customers: CustomerStore,
    private readonly table: CustomerTable,
  ) {}

  /** When orders arrive, add or update their customers, then publish their new state to the `customers` table. */
  @OnOrders()
  async onOrders(orders: OrderInBatch[]): Promise<void> {
    await this.customers.recordAll(orders.map((o) => o.order));
    await this.table.publish(orders.map((o) => o.order.customer.id));
  }

  @Get('customers/:id')
  async get(@Param('id') id: string) {
    const customer = await this.customers.get(id);
    if (!customer) throw new NotFoundException(`customer ${id} is not in crm (yet)`);
    return customer;
  }

  /** The top customers by lifetime value. */
  @Get('customers')
  list(@Query('limit') limit?: string) {
    const n = Math.min(Math.max(Number(limit ?? 20) || 20, 1), 500);
    return this.customers.top(n);
  }
}
