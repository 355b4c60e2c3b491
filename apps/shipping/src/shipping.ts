/** Shipping's rule: book the order's shipment with the carrier, render its label, record both. */
import { readFile } from 'node:fs/promises';
import type { OrderEvent } from '@orders/contracts';
import type { OnceResult } from '@orders/db';
import path from 'node:path';
import { CarrierClient, type Booking } from './carrier.client.js';
import { labelFileName, renderLabel, writeLabel } from './label.js';
import { ShipmentStore, type Shipment } from './store.js';

/**
 * Bookings in flight at once per batch (CARRIER_CONCURRENCY) with a carrier that books one order per
 * request: the carrier is a remote API with latency.
 */
export const DEFAULT_CARRIER_CONCURRENCY = 16;

/** Orders per POST /shipments/batch: the carrier's limit, and what one fetched batch holds. */
export const MAX_BOOKINGS_PER_REQUEST = 500;

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
   * rendered on its first download ({@link label}) — see the README's Performance section for why. If this stops
   * half-way the order is redelivered and every step repeats to the same result; an order already
   * recorded is not booked again.
   */
  async ship(order: OrderEvent): Promise<OnceResult> {
    if (await this.store.has(order.orderId)) return 'duplicate';
    const booking = await this.carrier.book(order.orderId);
    return this.store.record(this.shipment(order, booking, new Date()));
  }

  /**
   * {@link ship} for a batch: books the orders not recorded yet with the carrier in one batch request
   * (POST /shipments/batch, up to {@link MAX_BOOKINGS_PER_REQUEST} a request), then records every booked
   * one in ONE transaction. A carrier without a batch endpoint is asked order by order instead, up to
   * `carrierConcurrency` at a time. When some bookings failed, the ones that succeeded are still recorded
   * (they are booked: the carrier has them), then the first failure is thrown, so the lib retries just
   * the failed orders one at a time. A crash before the record commits books the batch again on
   * redelivery, which the carrier answers with the same tracking numbers (the order id is the key).
   */
  async shipAll(orders: readonly OrderEvent[]): Promise<void> {
    const done = await this.store.recorded(orders.map((o) => o.orderId));
    const pending = [...new Map(orders.map((o) => [o.orderId, o])).values()].filter(
      (o) => !done.has(o.orderId),
    );
    const booked: Shipment[] = [];
    const failures: unknown[] = [];
    for (let start = 0; start < pending.length; start += MAX_BOOKINGS_PER_REQUEST) {
      const chunk = pending.slice(start, start + MAX_BOOKINGS_PER_REQUEST);
      const bookings =
        (await this.carrier.bookAll(chunk.map((o) => o.orderId))) ?? (await this.bookEach(chunk));
      const bookedAt = new Date();
      for (const order of chunk) {
        const booking = bookings.get(order.orderId)!;
        if (booking instanceof Error) failures.push(booking);
        else booked.push(this.shipment(order, booking, bookedAt));
      }
    }
    if (booked.length) await this.store.recordAll(booked);
    if (failures.length) throw failures[0];
  }

  /** One booking request per order, `carrierConcurrency` at a time (a carrier without batches). */
  private async bookEach(orders: readonly OrderEvent[]): Promise<Map<string, Booking | Error>> {
    const out = new Map<string, Booking | Error>();
    let next = 0;
    const worker = async () => {
      while (next < orders.length) {
        const { orderId } = orders[next++]!;
        out.set(orderId, await this.carrier.book(orderId).catch((err: Error) => err));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.carrierConcurrency, orders.length) }, worker));
    return out;
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
