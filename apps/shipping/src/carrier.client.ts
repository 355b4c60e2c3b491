/** The carrier's HTTP API (apps/carrier, or a real shipping company's): book a shipment per order. */
import { TransientError } from '@orders/messaging';

export interface Booking {
  trackingNumber: string;
  carrier: string;
}

export interface CarrierOptions {
  /** Base URL (CARRIER_URL, default http://127.0.0.1:3007). */
  url: string;
  /** How long one booking may take (CARRIER_TIMEOUT_MS, default 5000). */
  timeoutMs: number;
}

export function carrierOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CarrierOptions {
  const timeoutMs = Number(env.CARRIER_TIMEOUT_MS ?? 5_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(
      `CARRIER_TIMEOUT_MS must be a positive number of milliseconds, got "${env.CARRIER_TIMEOUT_MS}"`,
    );
  }
  return { url: (env.CARRIER_URL ?? 'http://127.0.0.1:3007').replace(/\/+$/, ''), timeoutMs };
}

/** What GET /health tells about the carrier: the last answer, so a growing lag has a visible reason. */
export interface CarrierStatus {
  url: string;
  reachable: boolean | null;
  lastError?: string;
  lastErrorAt?: string;
  lastBookedAt?: string;
}

export class CarrierClient {
  readonly status: CarrierStatus;

  constructor(private readonly options: CarrierOptions) {
    this.status = { url: options.url, reachable: null };
  }

  /**
   * Books the order's shipment; the order id is the Idempotency-Key, so booking an order again (a
   * redelivery, a retry after a timeout) gets the same tracking number and no second shipment.
   * Throws a {@link TransientError} when the carrier is unreachable, too slow, overloaded or failing (5xx):
   * the order is fine, it waits. Any other refusal is a plain error (retried a little, then dead-lettered).
   */
  async book(orderId: string): Promise<Booking> {
    const res = await this.post('/shipments', undefined, { 'idempotency-key': orderId });
    const body = await this.checked(res);
    let booking: Partial<Booking>;
    try {
      booking = JSON.parse(body) as Partial<Booking>;
    } catch {
      throw this.failed(new Error(`carrier answered ${res.status} with no JSON: ${detail(body)}`));
    }
    const result = this.booking(booking, body);
    Object.assign(this.status, { reachable: true, lastBookedAt: new Date().toISOString() });
    return result;
  }

  /** POST to the carrier; an unreachable or too slow carrier is a TransientError. */
  private async post(path: string, json: unknown, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(`${this.options.url}${path}`, {
        method: 'POST',
        headers: {
          ...headers,
          accept: 'application/json',
          ...(json !== undefined && { 'content-type': 'application/json' }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const why =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      throw this.failed(
        new TransientError(`carrier ${this.options.url} unreachable: ${why}`, { cause: err }),
      );
    }
  }

  /** The body of a 2xx answer; a 5xx or 429 is a TransientError, another refusal a plain error. */
  private async checked(res: Response): Promise<string> {
    const body = await res.text().catch(() => '');
    if (res.status >= 500 || res.status === 429) {
      throw this.failed(new TransientError(`carrier answered ${res.status}: ${detail(body)}`));
    }
    if (!res.ok) throw this.failed(new Error(`carrier refused the booking (${res.status}): ${detail(body)}`));
    return body;
  }

  private booking(booking: Partial<Booking>, body: string): Booking {
    if (typeof booking.trackingNumber !== 'string' || !booking.trackingNumber) {
      throw this.failed(new Error(`carrier answered without a tracking number: ${detail(body)}`));
    }
    return { trackingNumber: booking.trackingNumber, carrier: booking.carrier || 'unknown carrier' };
  }

  /**
   * Books several orders' shipments in ONE request (the carrier's POST /shipments/batch), each with its
   * order id as idempotency key, so a repeated order gets its first tracking number as with {@link book}.
   * Resolves with each order's booking or its own failure (a TransientError for a booking the carrier
   * failed with 5xx/429); throws, as {@link book} does, when the request as a whole failed. Resolves
   * `null` when the carrier has no batch endpoint (404/405): the caller then books one by one.
   */
  async bookAll(orderIds: readonly string[]): Promise<Map<string, Booking | Error> | null> {
    const res = await this.post(
      '/shipments/batch',
      { bookings: orderIds.map((idempotencyKey) => ({ idempotencyKey })) },
      {},
    );
    if (res.status === 404 || res.status === 405) {
      await res.body?.cancel();
      return null;
    }
    const body = await this.checked(res);
    let results: ({ idempotencyKey?: unknown; status?: unknown; error?: unknown } & Partial<Booking>)[];
    try {
      results = (JSON.parse(body) as { results: typeof results }).results;
      if (!Array.isArray(results)) throw new Error('no results');
    } catch {
      throw this.failed(new Error(`carrier answered ${res.status} with no batch results: ${detail(body)}`));
    }
    const out = new Map<string, Booking | Error>();
    for (const r of results) {
      if (typeof r.idempotencyKey !== 'string') continue;
      const status = Number(r.status);
      const why = typeof r.error === 'string' ? r.error : `status ${status}`;
      let result: Booking | Error;
      if (status >= 500 || status === 429)
        result = new TransientError(`carrier failed the booking (${status}): ${why}`);
      else if (!(status >= 200 && status < 300))
        result = new Error(`carrier refused the booking (${status}): ${why}`);
      else
        try {
          result = this.booking(r, JSON.stringify(r));
        } catch (err) {
          result = err as Error;
        }
      out.set(r.idempotencyKey, result);
    }
    for (const id of orderIds)
      if (!out.has(id)) out.set(id, new Error(`carrier answered the batch without order ${id}`));
    const failure = [...out.values()].find((b) => b instanceof Error);
    if (failure) this.failed(failure);
    else Object.assign(this.status, { reachable: true, lastBookedAt: new Date().toISOString() });
    return out;
  }

  private failed(err: Error): Error {
    Object.assign(this.status, {
      reachable: !(err instanceof TransientError),
      lastError: err.message,
      lastErrorAt: new Date().toISOString(),
    });
    return err;
  }
}

/** The message of a JSON error body (Nest's `{ message }`), else the text, shortened. */
function detail(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON
  }
  return body.slice(0, 200) || '(empty)';
}
