import path from 'node:path';
import { Module } from '@nestjs/common';
import { Carrier } from './carrier.js';
import { CarrierController } from './carrier.controller.js';

@Module({
  controllers: [CarrierController],
  providers: [
    {
      provide: Carrier,
      useFactory: () => new Carrier(process.env.CARRIER_DATA_FILE ?? path.resolve('.data', 'carrier.json')),
    },
  ],
})
export class CarrierModule {}
