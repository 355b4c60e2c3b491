import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { OnOrders, type OrderInBatch } from '@orders/messaging';
import { StockStore } from './store.js';

@Controller()
export class StockController {
  constructor(private readonly stock: StockStore) {}

  /** When orders arrive, decrement stock for each of their lines. */
  @OnOrders()
  async onOrders(orders: OrderInBatch[]): Promise<void> {
    await this.stock.decrementAll(orders.map((o) => o.order));
  }

  @Get('stock')
  list() {
    return this.stock.list();
  }

  @Get('stock/:sku')
  async get(@Param('sku') sku: string, @Query('movements') movements?: string) {
    const n = Math.min(Math.max(Number(movements ?? 20) || 20, 1), 500);
    const product = await this.stock.get(sku, n);
    if (!product) throw new NotFoundException(`no product ${sku} in erp-stock (see GET /stock)`);
    return product;
  }
}
