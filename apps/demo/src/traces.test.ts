import { afterAll, describe, expect, it } from 'vitest';
import { startTraceReceiver, TraceStore, type OtlpBody } from './traces.js';

const kv = (key: string, value: string | number) => ({
  key,
  value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) },
});

/** One span as an OTLP/HTTP JSON export (the test spans carry only the fields each case needs). */
const exportOf = (service: string, span: Record<string, unknown>) =>
  ({
    resourceSpans: [
      { resource: { attributes: [kv('service.name', service)] }, scopeSpans: [{ spans: [span] }] },
    ],
  }) as unknown as OtlpBody;

const ms = (t: number) => String(BigInt(t) * 1_000_000n);

describe('the demo trace receiver', () => {
  const store = new TraceStore(2);
  let close: () => Promise<void> = async () => undefined;
  afterAll(() => close());

  it("finds an order's fan-out by order id: the publish span and the consumers' spans in its trace", async () => {
    const receiver = await startTraceReceiver(store, 0);
    close = receiver.close;
    const post = (body: unknown) =>
      fetch(`${receiver.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const t0 = 1_700_000_000_000;
    expect(
      (
        await post(
          exportOf('storefront', {
            traceId: 'aa',
            spanId: '01',
            name: 'orders publish',
            kind: 4,
            startTimeUnixNano: ms(t0),
            endTimeUnixNano: ms(t0 + 5),
            attributes: [kv('orders.order_id', 'o-1')],
          }),
        )
      ).status,
    ).toBe(200);
    await post(
      exportOf('email', {
        traceId: 'aa',
        spanId: '02',
        parentSpanId: '01',
        name: 'orders process',
        kind: 5,
        startTimeUnixNano: ms(t0 + 8),
        endTimeUnixNano: ms(t0 + 30),
        attributes: [kv('messaging.kafka.offset', 7)],
        status: { code: 2 },
      }),
    );
    const trace = store.byOrder('o-1')!;
    expect(trace.spans.map((s) => [s.service, s.name, s.durationMs, s.status])).toEqual([
      ['storefront', 'orders publish', 5, 'unset'],
      ['email', 'orders process', 22, 'error'],
    ]);
    expect(trace.spans[1]!.attributes['messaging.kafka.offset']).toBe(7);
    expect(store.recent()).toEqual([{ orderId: 'o-1', traceId: 'aa', at: t0, spans: 2 }]);
    expect((await fetch(`${receiver.url}/v1/traces`, { method: 'POST', body: 'x' })).status).toBe(415);
  });

  it('keeps only the newest traces', () => {
    for (const id of ['bb', 'cc'])
      store.ingest(
        exportOf('storefront', {
          traceId: id,
          spanId: '01',
          name: 'orders publish',
          startTimeUnixNano: ms(1),
          endTimeUnixNano: ms(2),
          attributes: [kv('orders.order_id', `o-${id}`)],
        }),
      );
    expect(store.byOrder('o-1')).toBeNull();
    expect(store.byOrder('o-cc')).not.toBeNull();
  });
});
