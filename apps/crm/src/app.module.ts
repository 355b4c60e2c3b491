import { Module } from '@nestjs/common';
import { CustomerTable } from './customer-table.js';
import { CustomersController } from './customers.controller.js';
import { ForgetController } from './forget.controller.js';
import { CustomerStore, openCrmDb } from './store.js';

@Module({
  controllers: [CustomersController, ForgetController],
  providers: [
    { provide: CustomerStore, useFactory: async () => new CustomerStore(await openCrmDb()) },
    CustomerTable,
  ],
})
export class CrmModule {}
