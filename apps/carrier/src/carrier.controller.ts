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
