/**
 * POST /orders, the checkout — the one hot path of the storefront, served as a plain node:http handler
 * on the Nest app's own server, ahead of Express. Everything else (GET /products, GET /health) goes
 * through Nest as usual.
 *
 * Why not a Nest controller: Express's router, body-parser and Nest's execution context (guards, pipes,
 * interceptors, exception filters — none of which this route uses) cost more CPU per order than
 * validating, pricing and producing the order together; in a traffic spike on a small machine the
 * storefront competes for the same cores as the broker and the consumers. Same rules as every app's
 * port (@orders/http-guard's Host check, with the app's ALLOWED_HOSTS), same answers as before:
 *
 *   202 {orderId, partition, offset}     on `orders`, acks=all: each order answers where it landed
 *   400 {message, errors: [{field, message}]}   invalid order (or not JSON); nothing published
 *   413 / 415                            body over 100 kB / not Content-Type: application/json
 *   503 + Retry-After                    too many orders already wait for the broker (nothing published)
 *   500                                  the broker did not confirm the order (it may or may not be on `orders`)
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  buildOrderEvent,
  CURRENCY,
  describeErrors,
  validateOrderEvent,
  validatePlaceOrder,
} from '@orders/contracts';
import { checkHost, sendRefusal, type GuardOptions } from '@orders/http-guard';
import { httpGuardOptionsFromEnv, logLine } from '@orders/messaging';
import { Overloaded, PartitionsUnknown } from './order-batcher.js';
import { APP, OrdersProducer } from './producer.js';

/** The largest body accepted, as Express's JSON parser before. */
const MAX_BODY_BYTES = 100 * 1024;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

@Injectable()
export class PlaceOrderRoute implements OnApplicationBootstrap {
  private readonly guard: GuardOptions = httpGuardOptionsFromEnv();

  constructor(
    @Inject(OrdersProducer) private readonly producer: OrdersProducer,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Puts this route in front of Nest's request handler on the app's server (before it listens). */
  onApplicationBootstrap() {
    const server = this.adapterHost.httpAdapter.getHttpServer() as http.Server;
    // Node closes a keep-alive connection after 5 s idle; a client that sends its next POST just then
    // (its own idle timer is 4 s in fetch, and a busy event loop on either side stretches both) gets the
    // connection closed under it — a failed checkout without an answer. Idle connections are cheap:
    // keep them well past any client's idle timer.
    server.keepAliveTimeout = 30_000;
    const nest = server.listeners('request') as ((...args: unknown[]) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (req.method === 'POST' && (req.url === '/orders' || req.url?.startsWith('/orders?')))
        this.serve(req, res);
      else for (const listener of nest) listener.call(server, req, res);
    });
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse) {
    const refusal = checkHost(req, this.guard);
    if (refusal) return void (req.resume(), sendRefusal(res, refusal));
    const type = req.headers['content-type'];
    if (!type || !/^application\/json\s*(;|$)/i.test(type)) {
      req.resume();
      return send(res, {
        status: 415,
        body: {
          message: `send the order as JSON with Content-Type: application/json (got ${type ?? 'none'})`,
        },
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES)
        return send(res, { status: 413, body: { message: `an order is at most ${MAX_BODY_BYTES} bytes` } });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
      } catch (err) {
        return send(res, {
          status: 400,
          body: {
            message: 'the body is not valid JSON',
            errors: [{ field: '', message: (err as Error).message }],
          },
        });
      }
      this.place(body).then(
        (answer) => send(res, answer),
        (err: unknown) => {
          logLine(APP, 'error', 'could not place an order', { error: String(err) });
          send(res, { status: 500, body: { message: 'the broker did not confirm the order' } });
        },
      );
    });
  }

  /** Validates the order, prices it from the catalogue, puts it on `orders`. */
  async place(body: unknown): Promise<Answer> {
    const request = validatePlaceOrder(body);
    if (!request.ok) return { status: 400, body: { message: 'invalid order', errors: request.errors } };
    const order = buildOrderEvent(request.value, {
      orderId: randomUUID(),
      placedAt: new Date(),
      currency: CURRENCY,
    });
    const checked = validateOrderEvent(order); // validated on produce as on consume
    if (!checked.ok) throw new Error(`built an invalid order: ${describeErrors(checked.errors)}`);
    try {
      const { partition, offset } = await this.producer.publish(checked.value);
      return { status: 202, body: { orderId: order.orderId, partition, offset: Number(offset) } };
    } catch (err) {
      if (!(err instanceof Overloaded || err instanceof PartitionsUnknown)) throw err;
      const retryAfter = err instanceof Overloaded ? err.retryAfterSeconds : 1;
      return {
        status: 503,
        headers: { 'retry-after': String(retryAfter) },
        body: { message: `the shop is busy: ${err.message}` },
      };
    }
  }
}

function send(res: http.ServerResponse, answer: Answer) {
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...answer.headers,
  });
  res.end(json);
}
