import { Module } from '@nestjs/common';
import { StockController } from './stock.controller.js';
import { StockStore, openStockDb } from './store.js';

@Module({
  controllers: [StockController],
  providers: [
    {
      provide: StockStore,
      useFactory: async () => {
        const store = new StockStore(await openStockDb());
        await store.seed();
        return store;
      },
    },
  ],
})
export class ErpStockModule {}
