import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller.js';
import { OrderStore, openOrderDb } from './store.js';

@Module({
  controllers: [OrdersController],
  providers: [{ provide: OrderStore, useFactory: async () => new OrderStore(await openOrderDb()) }],
})
export class OrderDbModule {}
