// promo-counter as a consumer group on our broker, in-process, watched by a server-sent-events client
// the way a dashboard would: a snapshot first, then an event per count that goes up, keep-alive
// comments in between, and nothing left behind when the client goes away.
import { buildOrderEvent, ORDERS_TOPIC } from '@orders/contracts';
import type { RunningConsumer } from '@orders/messaging';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { PromoCounterModule, promoHealth } from './app.module.js';
import { APP } from './store.js';

let fx: ConsumerFixture;
let app: RunningConsumer;
let producer: Producer;

interface SseEvent {
  event?: string;
  data?: unknown;
  comment?: string;
}

/** A minimal EventSource: reads `GET url` as text/event-stream and collects its events and comments. */
async function openStream(url: string) {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
  const events: SseEvent[] = [];
  const reading = (async () => {
    const decoder = new TextDecoderStream();
    let buffer = '';
    try {
      for await (const chunk of res.body!.pipeThrough(decoder)) {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) event.comment = line.slice(1).trim();
            else if (line.startsWith('event:')) event.event = line.slice(6).trim();
            else if (line.startsWith('data:')) event.data = JSON.parse(line.slice(5));
          }
          if (event.event || event.comment !== undefined) events.push(event);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    res,
    events,
    /** Data of the events named `type`. */
    of: (type: string) => events.filter((e) => e.event === type).map((e) => e.data),
    async close() {
      abort.abort();
      await reading;
    },
  };
}

beforeAll(async () => {
  fx = await startConsumerFixture({
    name: APP,
    module: PromoCounterModule,
    env: () => ({ PROMO_STREAM_KEEPALIVE_MS: '200' }),
    health: (running) => promoHealth(running.app),
  });
  ({ app, producer } = fx);
});
afterAll(async () => {
  await fx?.close();
  delete process.env.PROMO_STREAM_KEEPALIVE_MS;
});

const order = (orderId: string, promoCode: string | null, email = `${orderId}@example.org`) =>
  buildOrderEvent(
    {
      customer: { email, name: 'Q', address: { line1: 'a', city: 'b', postalCode: 'c', country: 'FR' } },
      lines: [{ sku: 'STK-005', qty: 2 }],
      promoCode,
    },
    { orderId, placedAt: new Date(), currency: 'EUR' },
  );

describe('promo-counter consuming `orders`', () => {
  it('streams a snapshot, then each count as it goes up, with keep-alive comments', async () => {
    const first = order('o-1', 'SPRING');
    await producer.send({ topic: ORDERS_TOPIC, messages: [{ key: 'k1', value: JSON.stringify(first) }] });
    await until('the first order counted', async () => {
      const counts = (await (await fetch(`${app.url}/promos`)).json()) as { total: number };
      return counts.total === 1;
    });

    const stream = await openStream(`${app.url}/promos/stream`);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await until('the snapshot', async () => stream.of('snapshot').length === 1);
    expect(stream.of('snapshot')[0]).toEqual({ codes: { SPRING: 1 }, withoutCode: 0, total: 1 });

    await producer.send({
      topic: ORDERS_TOPIC,
      messages: [
        { key: 'k2', value: JSON.stringify(order('o-2', 'SPRING')) },
        { key: 'k3', value: JSON.stringify(order('o-3', null)) },
        { key: 'k4', value: JSON.stringify(order('o-4', 'WELCOME10')) },
        { key: 'k1', value: JSON.stringify(first) }, // redelivered: counted once
        { key: 'k5', value: '{"orderId":"o-broken"}' }, // invalid: dead-lettered, counted nowhere
      ],
    });
    await until('three more counts streamed', async () => stream.of('promo').length === 3);
    expect(stream.of('promo')).toEqual(
      expect.arrayContaining([
        { code: 'SPRING', orders: 2, orderId: 'o-2' },
        { code: null, orders: 1, orderId: 'o-3' },
        { code: 'WELCOME10', orders: 1, orderId: 'o-4' },
      ]),
    );
    await until('a keep-alive comment', async () => stream.events.some((e) => e.comment === 'keep-alive'));

    const health = await until('lag 0 in /health', async () => {
      const h = (await (await fetch(`${app.url}/health`)).json()) as {
        lag: { total: number } | null;
        ordersCounted: number;
        streamClients: number;
      };
      return h.lag?.total === 0 && h;
    });
    expect(health).toMatchObject({ ordersCounted: 4, streamClients: 1 });
    expect(await (await fetch(`${app.url}/promos`)).json()).toEqual({
      codes: { SPRING: 2, WELCOME10: 1 },
      withoutCode: 1,
      total: 4,
    });
    expect(stream.of('promo')).toHaveLength(3); // nothing for the duplicate or the invalid message

    await stream.close();
    await until('the stream client cleaned up', async () => {
      const h = (await (await fetch(`${app.url}/health`)).json()) as { streamClients: number };
      return h.streamClients === 0;
    });
  });
});
