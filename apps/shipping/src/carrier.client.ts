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
    let res: Response;
    try {
      res = await fetch(`${this.options.url}/shipments`, {
        method: 'POST',
        headers: { 'idempotency-key': orderId, accept: 'application/json' },
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
    const body = await res.text().catch(() => '');
    if (res.status >= 500 || res.status === 429) {
      throw this.failed(new TransientError(`carrier answered ${res.status}: ${detail(body)}`));
    }
    if (!res.ok) throw this.failed(new Error(`carrier refused the booking (${res.status}): ${detail(body)}`));
    let booking: Partial<Booking>;
    try {
      booking = JSON.parse(body) as Partial<Booking>;
    } catch {
      throw this.failed(new Error(`carrier answered ${res.status} with no JSON: ${detail(body)}`));
    }
    if (typeof booking.trackingNumber !== 'string' || !booking.trackingNumber) {
      throw this.failed(new Error(`carrier answered without a tracking number: ${detail(body)}`));
    }
    Object.assign(this.status, { reachable: true, lastBookedAt: new Date().toISOString() });
    return { trackingNumber: booking.trackingNumber, carrier: booking.carrier || 'unknown carrier' };
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
