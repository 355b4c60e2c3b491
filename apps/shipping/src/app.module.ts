import path from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { CarrierClient, carrierOptionsFromEnv } from './carrier.client.js';
import { ShipmentsController } from './shipments.controller.js';
import { DEFAULT_CARRIER_CONCURRENCY, Shipping } from './shipping.js';
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
          carrierConcurrency(),
        ),
    },
  ],
})
export class ShippingModule {}

/** CARRIER_CONCURRENCY: bookings in flight at once (default 16). */
function carrierConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.CARRIER_CONCURRENCY ?? DEFAULT_CARRIER_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new Error(`CARRIER_CONCURRENCY must be an integer from 1 to 256, got "${env.CARRIER_CONCURRENCY}"`);
  return n;
}

/** Shipping's fields in GET /health: shipments recorded, and the carrier's last answer (why it lags). */
export async function shippingHealth(app: INestApplicationContext) {
  return { shipments: await app.get(ShipmentStore).count(), carrier: app.get(Shipping).carrier.status };
}
