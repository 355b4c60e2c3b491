import path from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { CarrierClient, carrierOptionsFromEnv } from './carrier.client.js';
import { ShipmentsController } from './shipments.controller.js';
import { Shipping } from './shipping.js';
import { ShipmentStore, openShippingDb } from './store.js';

@Module({
  controllers: [ShipmentsController],
  providers: [
    { provide: ShipmentStore, useFactory: async () => new ShipmentStore(await openShippingDb()) },
    {
      provide: Shipping,
      inject: [ShipmentStore],
      useFactory: (store: ShipmentStore) =>
        new Shipping(
          store,
          new CarrierClient(carrierOptionsFromEnv()),
          path.resolve(process.env.LABELS_DIR ?? path.join('.data', 'labels')),
        ),
    },
  ],
})
export class ShippingModule {}

/** Shipping's fields in GET /health: shipments recorded, and the carrier's last answer (why it lags). */
export async function shippingHealth(app: INestApplicationContext) {
  return { shipments: await app.get(ShipmentStore).count(), carrier: app.get(Shipping).carrier.status };
}
