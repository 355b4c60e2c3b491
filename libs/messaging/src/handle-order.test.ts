import { buildOrderEvent, DLQ_TOPIC } from '@orders/contracts';
import { startTelemetry } from '@orders/telemetry';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  handleOrderBatch,
  handleOrderMessage,
  TransientError,
  type DeadLetterProducer,
  type IncomingMessage,
} from './handle-order.js';

const order = buildOrderEvent(
  {
    customer: {
      email: 'a@b.de',
      name: 'A',
      address: { line1: 'x 1', city: 'Y', postalCode: '1', country: 'DE' },
    },
    lines: [{ sku: 'PEN-008', qty: 3 }],
  },
  { orderId: 'o-1', placedAt: new Date(), currency: 'EUR' },
);
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const message = (value: string): IncomingMessage => ({
  topic: 'orders',
  partition: 3,
  offset: '42',
  key: 'c-1',
  value: Buffer.from(value),
  headers: { traceparent, 'schema-version': '1' },
});

/** Records what would be dead-lettered (the real path is covered against the broker in apps/order-db). */
function recorder() {
  const sent: Parameters<DeadLetterProducer['send']>[0][] = [];
  return { sent, producer: { send: async (r: (typeof sent)[number]) => void sent.push(r) } };
}

describe('the order handler', () => {
  beforeAll(() => void startTelemetry({ serviceName: 'test' })); // as bootstrapConsumerApp does

  it('hands a valid order to the business function, inside a span of the message trace', async () => {
    const { sent, producer } = recorder();
    const seen: string[] = [];
    const outcome = await handleOrderMessage(
      message(JSON.stringify(order)),
      { app: 't', producer },
      async (o, src) => {
        const { trace } = await import('@opentelemetry/api');
        seen.push(
          `${o.orderId}@${src.partition}/${src.offset} trace ${trace.getActiveSpan()?.spanContext().traceId}`,
        );
      },
    );
    expect(outcome).toEqual({ status: 'processed', orderId: 'o-1', attempts: 1 });
    expect(seen).toEqual(['o-1@3/42 trace 0af7651916cd43dd8448eb211c80319c']);
    expect(sent).toEqual([]);
  });

  it('dead-letters an invalid message with the reason and its origin, without calling the business function', async () => {
    const { sent, producer } = recorder();
    let called = false;
    const outcome = await handleOrderMessage(
      message('{"orderId":1}'),
      { app: 'order-db', producer },
      async () => {
        called = true;
      },
    );
    expect(outcome.status).toBe('invalid');
    expect(called).toBe(false);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe(DLQ_TOPIC);
    expect(sent[0].messages[0]).toMatchObject({
      key: 'c-1',
      headers: {
        traceparent,
        'dlq-reason': expect.stringContaining('orderId'),
        'dlq-source-topic': 'orders',
        'dlq-partition': '3',
        'dlq-offset': '42',
        'dlq-app': 'order-db',
      },
    });
  });

  it('retries a failing business function, then dead-letters and returns normally', async () => {
    const { sent, producer } = recorder();
    let tries = 0;
    const outcome = await handleOrderMessage(
      message(JSON.stringify(order)),
      { app: 'shipping', producer, retry: { attempts: 3, baseDelayMs: 1 } },
      async () => {
        tries++;
        throw new Error('carrier down');
      },
    );
    expect(tries).toBe(3);
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 3,
      reason: 'failed after 3 attempts: carrier down',
    });
    expect(sent[0].messages[0].headers['dlq-attempts']).toBe('3');
  });

  it('succeeds on a later attempt without dead-lettering', async () => {
    const { sent, producer } = recorder();
    let tries = 0;
    const outcome = await handleOrderMessage(
      message(JSON.stringify(order)),
      { app: 'x', producer, retry: { baseDelayMs: 1 } },
      async () => {
        if (++tries < 2) throw new Error('flaky');
      },
    );
    expect(outcome).toMatchObject({ status: 'processed', attempts: 2 });
    expect(sent).toEqual([]);
  });

  it('keeps retrying a transient failure past the attempt limit, never dead-letters it, and heartbeats while waiting', async () => {
    const { sent, producer } = recorder();
    let tries = 0;
    let heartbeats = 0;
    const outcome = await handleOrderMessage(
      message(JSON.stringify(order)),
      {
        app: 'shipping',
        producer,
        heartbeat: async () => void heartbeats++,
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 4 },
      },
      async () => {
        if (++tries < 8) throw new TransientError('carrier is down');
      },
    );
    expect(outcome).toEqual({ status: 'processed', orderId: 'o-1', attempts: 8 });
    expect(heartbeats).toBeGreaterThanOrEqual(7);
    expect(sent).toEqual([]);
  });

  it('lets the app say which failures are transient', async () => {
    const { sent, producer } = recorder();
    let tries = 0;
    const outcome = await handleOrderMessage(
      message(JSON.stringify(order)),
      {
        app: 'x',
        producer,
        retry: { attempts: 1, baseDelayMs: 1, isTransient: (e) => (e as Error).message === 'ECONNREFUSED' },
      },
      async () => {
        if (++tries < 3) throw new Error('ECONNREFUSED');
      },
    );
    expect(outcome).toMatchObject({ status: 'processed', attempts: 3 });
    expect(sent).toEqual([]);
  });

  it('stops waiting, leaving the order uncommitted, when the app stops or the group rebalances', async () => {
    const { sent, producer } = recorder();
    const stop = new AbortController();
    const down = async () => {
      throw new TransientError('carrier is down');
    };
    const stopping = handleOrderMessage(
      message(JSON.stringify(order)),
      { app: 'x', producer, signal: stop.signal, retry: { baseDelayMs: 1, maxDelayMs: 2 } },
      down,
    );
    setTimeout(() => stop.abort(), 30);
    await expect(stopping).rejects.toThrow(/stopping: order o-1 is left uncommitted/);

    const rebalancing = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    await expect(
      handleOrderMessage(
        message(JSON.stringify(order)),
        {
          app: 'x',
          producer,
          heartbeat: async () => {
            throw rebalancing;
          },
          retry: { baseDelayMs: 1 },
        },
        down,
      ),
    ).rejects.toBe(rebalancing);
    expect(sent).toEqual([]);
  });
});

describe('the batch handler', () => {
  beforeAll(() => void startTelemetry({ serviceName: 'test' }));
  const at = (offset: number, value: string): IncomingMessage => ({
    ...message(value),
    offset: String(offset),
  });
  const valid = (id: string) => JSON.stringify({ ...order, orderId: id });

  it('hands the valid orders of a batch to ONE business call and dead-letters each invalid message alone', async () => {
    const { sent, producer } = recorder();
    const calls: string[][] = [];
    const outcomes = await handleOrderBatch(
      [at(1, valid('a')), at(2, '{"orderId":1}'), at(3, valid('b')), at(4, 'not json'), at(5, valid('c'))],
      { app: 'order-db', producer },
      async (orders) => void calls.push(orders.map((o) => `${o.order.orderId}@${o.source.offset}`)),
    );
    expect(calls).toEqual([['a@1', 'b@3', 'c@5']]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'processed',
      'invalid',
      'processed',
      'invalid',
      'processed',
    ]);
    expect(sent.flatMap((r) => r.messages.map((m) => m.headers['dlq-offset']))).toEqual(['2', '4']);
  });

  it('after a failed batch handles its orders one at a time: only the poison order is dead-lettered', async () => {
    const { sent, producer } = recorder();
    const applied: string[] = [];
    const outcomes = await handleOrderBatch(
      [at(1, valid('a')), at(2, valid('poison')), at(3, valid('c'))],
      { app: 'crm', producer, retry: { baseDelayMs: 1 } },
      async (orders) => {
        if (orders.some((o) => o.order.orderId === 'poison')) throw new Error('cannot apply poison');
        applied.push(...orders.map((o) => o.order.orderId)); // all or nothing, as one transaction
      },
    );
    expect(applied).toEqual(['a', 'c']);
    expect(outcomes).toMatchObject([
      { status: 'processed', orderId: 'a' },
      { status: 'failed', orderId: 'poison', attempts: 3 },
      { status: 'processed', orderId: 'c' },
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.messages[0]!.headers).toMatchObject({
      'dlq-offset': '2',
      'dlq-reason': expect.stringContaining('poison'),
    });
  });

  it('lets a batch whose dependency is away wait without dead-lettering anything', async () => {
    const { sent, producer } = recorder();
    let away = 3;
    const applied: string[] = [];
    const outcomes = await handleOrderBatch(
      [at(1, valid('a')), at(2, valid('b'))],
      { app: 'shipping', producer, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
      async (orders) => {
        if (away-- > 0) throw new TransientError('carrier down');
        applied.push(...orders.map((o) => o.order.orderId));
      },
    );
    expect(applied).toEqual(['a', 'b']);
    expect(outcomes.map((o) => o.status)).toEqual(['processed', 'processed']);
    expect(sent).toEqual([]);
  });
});
