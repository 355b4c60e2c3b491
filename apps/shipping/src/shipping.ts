/** Shipping's rule: book the order's shipment with the carrier, render its label, record both. */
import { readFile } from 'node:fs/promises';
import type { OrderEvent } from '@orders/contracts';
import type { OnceResult } from '@orders/db';
import path from 'node:path';
import { CarrierClient, type Booking } from './carrier.client.js';
import { labelFileName, renderLabel, writeLabel } from './label.js';
import { ShipmentStore, type Shipment } from './store.js';

/** Bookings in flight at once per batch (CARRIER_CONCURRENCY): the carrier is a remote API with latency. */
export const DEFAULT_CARRIER_CONCURRENCY = 16;

export class Shipping {
  constructor(
    private readonly store: ShipmentStore,
    readonly carrier: CarrierClient,
    /** Where labels are written (LABELS_DIR, default .data/labels). */
    readonly labelsDir: string,
    readonly carrierConcurrency = DEFAULT_CARRIER_CONCURRENCY,
  ) {}

  /**
   * Books the shipment (the carrier answers a repeated order id with the same tracking number), then
   * records it with the order's ledger row in one transaction. The label is NOT rendered here: it is
   * rendered on its first download ({@link label}) — see apps/shipping/README.md for why. If this stops
   * half-way the order is redelivered and every step repeats to the same result; an order already
   * recorded is not booked again.
   */
  async ship(order: OrderEvent): Promise<OnceResult> {
    if (await this.store.has(order.orderId)) return 'duplicate';
    const booking = await this.carrier.book(order.orderId);
    return this.store.record(this.shipment(order, booking, new Date()));
  }

  /**
   * {@link ship} for a batch: books the orders not recorded yet with the carrier, up to
   * `carrierConcurrency` at a time, then records every booked one in ONE transaction. When some bookings
   * failed, the ones that succeeded are still recorded (they are booked: the carrier has them), then the
   * first failure is thrown, so the lib retries just the failed orders one at a time.
   */
  async shipAll(orders: readonly OrderEvent[]): Promise<void> {
    const done = await this.store.recorded(orders.map((o) => o.orderId));
    const pending = orders.filter(
      (o, i) => !done.has(o.orderId) && orders.findIndex((p) => p.orderId === o.orderId) === i,
    );
    const booked: Shipment[] = [];
    const failures: unknown[] = [];
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        const order = pending[next++]!;
        try {
          booked.push(this.shipment(order, await this.carrier.book(order.orderId), new Date()));
        } catch (err) {
          failures.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.carrierConcurrency, pending.length) }, worker));
    if (booked.length) await this.store.recordAll(booked);
    if (failures.length) throw failures[0];
  }

  private shipment(order: OrderEvent, booking: Booking, bookedAt: Date): Shipment {
    const { customer } = order;
    return {
      orderId: order.orderId,
      trackingNumber: booking.trackingNumber,
      carrier: booking.carrier,
      // Where the label goes once rendered (on its first download).
      labelPath: path.join(this.labelsDir, labelFileName(order.orderId)),
      shipToName: customer.name,
      addressLine1: customer.address.line1,
      city: customer.address.city,
      postalCode: customer.address.postalCode,
      country: customer.address.country,
      bookedAt,
    };
  }

  /**
   * The label PDF of a recorded shipment: rendered from the record on its first download (and again if
   * its file is gone), then served from the file.
   */
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
