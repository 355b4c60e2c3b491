/**
 * promo-counter as a stream processor: pure functions, no transport.
 *
 * - Tumbling one-minute windows by **event time**: an order counts in the minute it was *placed*
 *   (`placedAt`), not the minute it arrived, so a late or replayed order lands in its own window.
 * - A/B variants: a code `NAME-X` (X one letter or digit, e.g. `SPRING10-A`, `SPRING10-B`) is
 *   variant X of promotion NAME; any other code is a promotion with the single variant "".
 */
import type { OrderEvent } from '@orders/contracts';

export const WINDOW_MS = 60_000;

/** The start of the tumbling window that holds `placedAt` (windows are [start, start + size)). */
export function windowStart(placedAt: string | Date, sizeMs = WINDOW_MS): Date {
  const t = typeof placedAt === 'string' ? Date.parse(placedAt) : placedAt.getTime();
  if (!Number.isFinite(t)) throw new Error(`not a time: ${String(placedAt)}`);
  return new Date(Math.floor(t / sizeMs) * sizeMs);
}

export interface Variant {
  promotion: string;
  variant: string;
}

/** `SPRING10-B` → { promotion: 'SPRING10', variant: 'B' }; `FREESHIP` → { promotion: 'FREESHIP', variant: '' }. */
export function variantOf(code: string): Variant {
  const m = /^(.+)-([A-Z0-9])$/.exec(code);
  return m ? { promotion: m[1]!, variant: m[2]! } : { promotion: code, variant: '' };
}

/** What one order adds to its window and its variant. */
export function contributionOf(order: Pick<OrderEvent, 'placedAt' | 'totalCents'>): {
  windowStart: Date;
  revenueCents: number;
} {
  return { windowStart: windowStart(order.placedAt), revenueCents: order.totalCents };
}

export interface WindowCount {
  code: string;
  windowStart: string;
  orders: number;
  revenueCents: number;
}

export interface VariantTotals {
  variant: string;
  orders: number;
  revenueCents: number;
  /** Average order value in cents (0 without orders). */
  averageCents: number;
}

/** The A/B view of one promotion: its variants, biggest revenue first. */
export function abView(
  rows: Array<{ variant: string; orders: number; revenueCents: number }>,
): VariantTotals[] {
  return rows
    .map((r) => ({
      variant: r.variant,
      orders: r.orders,
      revenueCents: r.revenueCents,
      averageCents: r.orders ? Math.round(r.revenueCents / r.orders) : 0,
    }))
    .sort((a, b) => b.revenueCents - a.revenueCents || a.variant.localeCompare(b.variant));
}
