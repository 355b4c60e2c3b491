import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpException,
  Inject,
  Post,
  Res,
} from '@nestjs/common';
import { Carrier } from './carrier.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The most bookings POST /shipments/batch takes at once (a consumer's fetched batch is up to 500 orders). */
export const MAX_BATCH_BOOKINGS = 500;

/** The idempotency keys of a batch request, or a 400 saying what is wrong with it. */
function batchKeys(body: { bookings?: unknown } | undefined): string[] {
  const bookings = body?.bookings;
  if (!Array.isArray(bookings) || bookings.length === 0 || bookings.length > MAX_BATCH_BOOKINGS)
    throw new BadRequestException(
      `bookings: an array of 1 … ${MAX_BATCH_BOOKINGS} {"idempotencyKey": "<order id>"} objects`,
    );
  return bookings.map((b: unknown, i) => {
    const key = (b as { idempotencyKey?: unknown } | null)?.idempotencyKey;
    if (typeof key !== 'string' || !key)
      throw new BadRequestException(`bookings[${i}].idempotencyKey: a non-empty string (the order id)`);
    return key;
  });
}

@Controller()
export class CarrierController {
  constructor(@Inject(Carrier) private readonly carrier: Carrier) {}

  /** Books a shipment. The same Idempotency-Key (the order id) always gets the same answer. */
  @Post('shipments')
  async book(
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ) {
    if (!key) throw new BadRequestException('the Idempotency-Key header (the order id) is required');
    const { switches } = this.carrier;
    if (switches.latencyMs > 0) await sleep(switches.latencyMs);
    if (switches.down) {
      this.carrier.stats.failed++;
      throw new HttpException('carrier is down (POST /admin/down {"down":false} to bring it back)', 503);
    }
    if (Math.random() < switches.errorRate) {
      this.carrier.stats.failed++;
      throw new HttpException(`simulated failure (error rate ${switches.errorRate})`, 500);
    }
    const { shipment, created } = this.carrier.book(key);
    res.status(created ? 201 : 200);
    return shipment;
  }

  /**
   * Books several shipments in one request, as shipping companies' batch APIs do (Shippo's and EasyPost's
   * batches, ShipEngine's bulk label creation): `{"bookings": [{"idempotencyKey": "<order id>"}, …]}`, at
   * most {@link MAX_BATCH_BOOKINGS}. Answers 200 with one result per booking, in order: `status` 201 (new)
   * or 200 (that key's earlier shipment) with the shipment, or 500 with `error` for a booking that failed
   * (the error-rate switch applies to each booking). The latency switch applies once, to the request;
   * "down" refuses the whole request with 503. Each key keeps its single-booking meaning: the same key
   * always gets the same tracking number, in a batch or not.
   */
  @Post('shipments/batch')
  @HttpCode(200)
  async bookBatch(@Body() body: { bookings?: unknown }) {
    const keys = batchKeys(body);
    const { switches } = this.carrier;
    if (switches.latencyMs > 0) await sleep(switches.latencyMs);
    if (switches.down) {
      this.carrier.stats.failed += keys.length;
      throw new HttpException('carrier is down (POST /admin/down {"down":false} to bring it back)', 503);
    }
    const failing = keys.map(() => Math.random() < switches.errorRate);
    const booked = this.carrier.bookAll(keys.filter((_, i) => !failing[i]));
    this.carrier.stats.failed += failing.filter(Boolean).length;
    let next = 0;
    return {
      results: keys.map((idempotencyKey, i) => {
        if (failing[i])
          return {
            idempotencyKey,
            status: 500,
            error: `simulated failure (error rate ${switches.errorRate})`,
          };
        const { shipment, created } = booked[next++]!;
        return { idempotencyKey, status: created ? 201 : 200, ...shipment };
      }),
    };
  }

  @Post('admin/latency')
  @HttpCode(200)
  latency(@Body() body: { ms?: unknown }) {
    const ms = Number(body?.ms);
    if (!Number.isFinite(ms) || ms < 0 || ms > 600_000)
      throw new BadRequestException('ms: a number 0 … 600000');
    this.carrier.switches.latencyMs = ms;
    return this.state();
  }

  @Post('admin/error-rate')
  @HttpCode(200)
  errorRate(@Body() body: { rate?: unknown }) {
    const rate = Number(body?.rate);
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new BadRequestException('rate: a number 0 … 1');
    this.carrier.switches.errorRate = rate;
    return this.state();
  }

  @Post('admin/down')
  @HttpCode(200)
  down(@Body() body: { down?: unknown }) {
    if (typeof body?.down !== 'boolean') throw new BadRequestException('down: true or false');
    this.carrier.switches.down = body.down;
    return this.state();
  }

  @Get('admin/state')
  state() {
    return { ...this.carrier.switches, shipments: this.carrier.size, stats: this.carrier.stats };
  }

  @Get('health')
  health() {
    return { app: 'carrier', ok: true, ...this.carrier.switches };
  }
}
