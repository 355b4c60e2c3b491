import { Module } from '@nestjs/common';
import { CustomersController } from './customers.controller.js';
import { CustomerStore, openCrmDb } from './store.js';

@Module({
  controllers: [CustomersController],
  providers: [{ provide: CustomerStore, useFactory: async () => new CustomerStore(await openCrmDb()) }],
})
export class CrmModule {}
