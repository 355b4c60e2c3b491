/** Shipping's rule: book the order's shipment with the carrier, render its label, record both. */
import { readFile } from 'node:fs/promises';
import type { OrderEvent } from '@orders/contracts';
import type { OnceResult } from '@orders/db';
import { CarrierClient } from './carrier.client.js';
import { renderLabel, writeLabel, type LabelData } from './label.js';
import { ShipmentStore, type Shipment } from './store.js';

export class Shipping {
  constructor(
    private readonly store: ShipmentStore,
    readonly carrier: CarrierClient,
    /** Where labels are written (LABELS_DIR, default .data/labels). */
    readonly labelsDir: string,
  ) {}

  /**
   * Books the shipment (the carrier answers a repeated order id with the same tracking number), writes
   * the label file, then records the shipment with the order's ledger row in one transaction. If this
   * stops half-way the order is redelivered and every step repeats to the same result; an order already
   * recorded is not booked again.
   */
  async ship(order: OrderEvent): Promise<OnceResult> {
    if (await this.store.has(order.orderId)) return 'duplicate';
    const booking = await this.carrier.book(order.orderId);
    const { customer } = order;
    const label: LabelData = {
      orderId: order.orderId,
      ...booking,
      shipTo: { name: customer.name, ...customer.address },
      bookedAt: new Date(),
    };
    const labelPath = await writeLabel(this.labelsDir, order.orderId, await renderLabel(label));
    return this.store.record({
      orderId: order.orderId,
      trackingNumber: booking.trackingNumber,
      carrier: booking.carrier,
      labelPath,
      shipToName: customer.name,
      addressLine1: customer.address.line1,
      city: customer.address.city,
      postalCode: customer.address.postalCode,
      country: customer.address.country,
      bookedAt: label.bookedAt,
    });
  }

  /** The label PDF of a recorded shipment; rendered again from the record if its file is gone. */
  async label(shipment: Shipment): Promise<Buffer> {
    try {
      return await readFile(shipment.labelPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const pdf = await renderLabel({
      orderId: shipment.orderId,
      trackingNumber: shipment.trackingNumber,
      carrier: shipment.carrier,
      shipTo: {
        name: shipment.shipToName,
        line1: shipment.addressLine1,
        city: shipment.city,
        postalCode: shipment.postalCode,
        country: shipment.country,
      },
      bookedAt: shipment.bookedAt,
    });
    await writeLabel(this.labelsDir, shipment.orderId, pdf);
    return pdf;
  }
}
