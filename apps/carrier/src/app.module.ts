import path from 'node:path';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Carrier } from './carrier.js';
import { CarrierController } from './carrier.controller.js';

@Module({
  controllers: [CarrierController],
  providers: [
    {
      provide: Carrier,
      useFactory: () => new Carrier(process.env.CARRIER_DATA_FILE ?? path.resolve('.data', 'carrier.jsonl')),
    },
  ],
})
export class CarrierModule implements OnApplicationShutdown {
  constructor(@Inject(Carrier) private readonly carrier: Carrier) {}
  onApplicationShutdown() {
    this.carrier.close();
  }
}
