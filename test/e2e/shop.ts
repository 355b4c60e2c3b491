/**
 * The shop's side of the story: customers placing orders at the storefront, and a ledger of what was
 * ordered, from which the effect every app should show is computed (stock per SKU, each customer's
 * order count and lifetime value, orders per promo code).
 */
import { CATALOGUE, customerIdFromEmail, findProduct } from '@orders/contracts';
import { postJson } from './system.js';

export interface PlacedOrder {
  orderId: string;
  partition: number;
  offset: number;
  customerId: string;
  email: string;
  lines: { sku: string; qty: number }[];
  totalCents: number;
  promoCode: string | null;
}

export interface Customer {
  email: string;
  name: string;
  address: { line1: string; city: string; postalCode: string; country: string };
}

const CITIES = [
  ['Amsterdam', 'NL', '1011 AB'],
  ['Berlin', 'DE', '10115'],
  ['Lyon', 'FR', '69001'],
  ['Porto', 'PT', '4000-001'],
  ['Gdańsk', 'PL', '80-001'],
] as const;
const FIRST = ['Ada', 'Bram', 'Chloé', 'Dara', 'Emil', 'Fatima', 'Gus', 'Hana'];
const LAST = ['Kowalska', 'de Vries', 'Moreau', 'Silva', 'Schmidt'];
/** Products with plenty of stock, so no order ever back-orders and stock is simply initial − ordered. */
const SKUS = CATALOGUE.filter((p) => p.initialStock >= 250).map((p) => p.sku);
const PROMOS = ['SPRING', 'WELCOME10', 'STREAM-2025', null, null];

/** A deterministic pseudo-random sequence, so a failing run can be repeated exactly. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export class Shop {
  readonly placed: PlacedOrder[] = [];
  readonly customers: Customer[];
  private readonly rnd = random(4);

  constructor(
    private readonly storefrontUrl: string,
    customers = 40,
  ) {
    this.customers = Array.from({ length: customers }, (_, i) => {
      const [city, country, postalCode] = CITIES[i % CITIES.length]!;
      const name = `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]}`;
      return {
        email: `customer-${i + 1}@example.org`,
        name,
        address: { line1: `${i + 1} Stream Street`, city, postalCode, country },
      };
    });
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rnd() * list.length)]!;
  }

  /** An order as a customer would send it to POST /orders: 1–3 lines of 1–2 items, maybe a promo code. */
  nextOrder(customer = this.pick(this.customers)) {
    const skus = [...new Set(Array.from({ length: 1 + Math.floor(this.rnd() * 3) }, () => this.pick(SKUS)))];
    return {
      customer,
      lines: skus.map((sku) => ({ sku, qty: 1 + Math.floor(this.rnd() * 2) })),
      promoCode: this.pick(PROMOS),
    };
  }

  /** POST /orders; the storefront answers 202 with where the order landed on the stream. */
  async place(order = this.nextOrder()): Promise<PlacedOrder> {
    const { status, body } = await postJson<{ orderId: string; partition: number; offset: number }>(
      `${this.storefrontUrl}/orders`,
      order,
    );
    if (status !== 202) throw new Error(`POST /orders answered ${status}: ${JSON.stringify(body)}`);
    const placed: PlacedOrder = {
      ...body,
      customerId: customerIdFromEmail(order.customer.email),
      email: order.customer.email,
      lines: order.lines,
      totalCents: order.lines.reduce((sum, l) => sum + l.qty * findProduct(l.sku)!.priceCents, 0),
      promoCode: order.promoCode ?? null,
    };
    this.placed.push(placed);
    return placed;
  }

  /**
   * Places `count` orders, `concurrency` at a time; `onProgress(n)` after each one (e.g. to kill a
   * consumer part-way through).
   */
  async placeMany(count: number, concurrency = 8, onProgress?: (n: number) => Promise<void> | void) {
    let started = 0;
    let done = 0;
    const worker = async () => {
      while (started < count) {
        started++;
        await this.place();
        await onProgress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }

  /** What erp-stock should show per SKU: the initial stock minus everything ordered. */
  expectedStock(): Map<string, number> {
    const stock = new Map(CATALOGUE.map((p) => [p.sku, p.initialStock]));
    for (const o of this.placed) for (const l of o.lines) stock.set(l.sku, stock.get(l.sku)! - l.qty);
    return stock;
  }

  /** What crm should show per customer id. */
  expectedCustomers(): Map<string, { email: string; orderCount: number; lifetimeValueCents: number }> {
    const out = new Map<string, { email: string; orderCount: number; lifetimeValueCents: number }>();
    for (const o of this.placed) {
      const c = out.get(o.customerId) ?? { email: o.email, orderCount: 0, lifetimeValueCents: 0 };
      c.orderCount++;
      c.lifetimeValueCents += o.totalCents;
      out.set(o.customerId, c);
    }
    return out;
  }

  /** What promo-counter should show (GET /promos). */
  expectedPromos(): { codes: Record<string, number>; withoutCode: number; total: number } {
    const codes: Record<string, number> = {};
    let withoutCode = 0;
    for (const o of this.placed) {
      if (o.promoCode) codes[o.promoCode] = (codes[o.promoCode] ?? 0) + 1;
      else withoutCode++;
    }
    return { codes, withoutCode, total: this.placed.length };
  }
}
