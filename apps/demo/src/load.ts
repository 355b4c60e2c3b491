/**
 * The demo's order trickle: realistic fake orders posted to the storefront at a gentle rate, so the
 * six apps always have something to do. Rate 0 pauses it; the control API changes it live. A burst
 * (`burst(10_000)`) posts that many orders as fast as the storefront takes them: the traffic spike a
 * workshop watches the groups' lag rise and drain on.
 */
import { faker } from '@faker-js/faker';
import { CATALOGUE } from '@orders/contracts';
import { Pool } from 'undici';

export interface LoadOptions {
  /** Storefront base URL, e.g. http://127.0.0.1:3000. */
  storefrontUrl: string;
  /** Orders per second (0 = off; default 0.5, one every 2 s). */
  rate?: number;
  /** Distinct fake customers (so some order repeatedly and CRM totals grow). */
  customers?: number;
  /** A line for the demo's log (failures and recoveries, not every order). */
  log?: (line: string) => void;
}

export interface LoadStatus {
  rate: number;
  running: boolean;
  placed: number;
  failed: number;
  lastOrderId: string | null;
  lastError: string | null;
  storefrontUrl: string;
  /** The last burst: orders asked for, placed and failed so far; `running` until all were answered. */
  burst: { requested: number; placed: number; failed: number; running: boolean; startedAt: string } | null;
}

/** Largest burst: a spike the demo's apps drain within a minute or so, not a soak test. */
export const MAX_BURST = 100_000;
/** POSTs in flight at once during a burst (the storefront batches them into produce requests). */
const BURST_CONCURRENCY = 64;

/** Largest accepted rate: a trickle, not a benchmark (`npm run orders` is the load generator). */
export const MAX_RATE = 200;
const PROMO_CODES = ['SPRING10', 'WELCOME5', 'FREESHIP'];

interface PlaceOrder {
  customer: {
    email: string;
    name: string;
    address: { line1: string; city: string; postalCode: string; country: string };
  };
  lines: { sku: string; qty: number }[];
  promoCode?: string;
}

export function fakeCustomer(): PlaceOrder['customer'] {
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  return {
    email: faker.internet.email({ firstName, lastName }).toLowerCase(),
    name: `${firstName} ${lastName}`,
    address: {
      line1: faker.location.streetAddress(),
      city: faker.location.city(),
      postalCode: faker.location.zipCode(),
      country: faker.location.countryCode('alpha-2'),
    },
  };
}

export function fakeOrder(customers: readonly PlaceOrder['customer'][]): PlaceOrder {
  const products = faker.helpers.arrayElements(CATALOGUE, { min: 1, max: 3 });
  const promo = faker.datatype.boolean({ probability: 0.3 });
  return {
    customer: faker.helpers.arrayElement(customers),
    lines: products.map((p) => ({ sku: p.sku, qty: faker.number.int({ min: 1, max: 3 }) })),
    ...(promo && { promoCode: faker.helpers.arrayElement(PROMO_CODES) }),
  };
}

export class OrderTrickle {
  private rate: number;
  private timer: NodeJS.Timeout | null = null;
  private placed = 0;
  private failed = 0;
  private lastOrderId: string | null = null;
  private lastError: string | null = null;
  private readonly customers: PlaceOrder['customer'][];
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  private burstState: LoadStatus['burst'] = null;
  /**
   * Keep-alive connections to the storefront, one per POST in flight. Idle ones close after 2 s, well
   * before Node's server closes them (5 s): a POST is never sent on a connection the server is closing,
   * which would fail it without an answer.
   */
  private pool: Pool | null = null;
  private readonly url: URL;

  constructor(private readonly options: LoadOptions) {
    this.rate = options.rate ?? 0.5;
    this.customers = Array.from({ length: options.customers ?? 40 }, fakeCustomer);
    this.url = new URL(options.storefrontUrl);
  }

  private connections(): Pool {
    return (this.pool ??= new Pool(this.url.origin, {
      connections: BURST_CONCURRENCY,
      keepAliveTimeout: 2_000,
      keepAliveMaxTimeout: 2_000,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      connectTimeout: 10_000,
    }));
  }

  status(): LoadStatus {
    return {
      rate: this.rate,
      running: this.timer !== null,
      placed: this.placed,
      failed: this.failed,
      lastOrderId: this.lastOrderId,
      lastError: this.lastError,
      storefrontUrl: this.options.storefrontUrl,
      burst: this.burstState && { ...this.burstState },
    };
  }

  /**
   * Posts `count` orders as fast as the storefront answers (64 in flight), in the background; the
   * status shows its progress. One burst at a time: a second while one runs is refused.
   */
  burst(count: number): LoadStatus {
    if (!Number.isInteger(count) || count < 1 || count > MAX_BURST)
      throw new RangeError(`burst must be a whole number of orders from 1 to ${MAX_BURST}`);
    if (this.burstState?.running) throw new RangeError('a burst is still running; wait for it to finish');
    const state = {
      requested: count,
      placed: 0,
      failed: 0,
      running: true,
      startedAt: new Date().toISOString(),
    };
    this.burstState = state;
    let next = 0;
    const worker = async () => {
      while (next < count && !this.stopped) {
        next++;
        if (await this.placeOne()) state.placed++;
        else state.failed++;
      }
    };
    const all = Promise.all(Array.from({ length: Math.min(BURST_CONCURRENCY, count) }, worker)).then(() => {
      state.running = false;
      this.options.log?.(`burst of ${count}: ${state.placed} placed, ${state.failed} failed`);
    });
    this.inFlight.add(all);
    void all.finally(() => this.inFlight.delete(all));
    return this.status();
  }

  /** Orders per second; 0 stops the trickle. */
  setRate(rate: number): LoadStatus {
    if (!Number.isFinite(rate) || rate < 0 || rate > MAX_RATE)
      throw new RangeError(`rate must be a number from 0 to ${MAX_RATE} (orders per second)`);
    this.rate = rate;
    this.schedule();
    return this.status();
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight]);
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.stopped || this.rate === 0) return;
    this.timer = setInterval(() => this.tick(), Math.max(5, 1000 / this.rate));
    this.timer.unref();
  }

  private tick(): void {
    if (this.inFlight.size >= 50) return; // the storefront is slow or stuck: don't pile up
    const p = this.placeOne();
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Places one order; resolves whether the storefront took it. */
  private async placeOne(): Promise<boolean> {
    try {
      const res = await this.connections().request({
        method: 'POST',
        path: `${this.url.pathname.replace(/\/$/, '')}/orders`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fakeOrder(this.customers)),
      });
      const text = await res.body.text();
      let body: { orderId?: string } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON: quoted below as it came
      }
      if (res.statusCode !== 202)
        throw new Error(`storefront answered ${res.statusCode}: ${text.slice(0, 300)}`);
      this.placed++;
      this.lastOrderId = body.orderId ?? null;
      if (this.lastError !== null) {
        this.options.log?.(`orders are being placed again (${this.placed} so far)`);
        this.lastError = null;
      }
      return true;
    } catch (err) {
      this.failed++;
      const code = (err as { code?: string }).code;
      const message =
        code && !(err as Error).message.startsWith('storefront answered')
          ? `storefront not reachable at ${this.options.storefrontUrl} (${code === 'UND_ERR_SOCKET' ? 'connection closed' : code})`
          : (err as Error).message;
      if (message !== this.lastError) this.options.log?.(`could not place an order: ${message}`);
      this.lastError = message;
      return false;
    }
  }
}
