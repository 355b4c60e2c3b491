/**
 * A tiny OpenTelemetry trace receiver for the demo, so the console can show an order's fan-out
 * without a collector: OTLP/HTTP with JSON bodies (`POST /v1/traces`, what
 * @opentelemetry/exporter-trace-otlp-http sends), kept in memory and bounded (the newest traces).
 * The demo starts it on :4318 when OTEL_EXPORTER_OTLP_ENDPOINT is unset and points the apps at it.
 *
 *   GET /api/traces                  the newest orders seen (order id, trace id, time, span count)
 *   GET /api/traces?orderId=ID       one order's spans: the storefront's publish, each consumer's process
 *
 * The storefront's publish span carries `orders.order_id`; the consumers' spans join its trace
 * through the `traceparent` header, so an order id leads to the whole fan-out.
 */
import http from 'node:http';
import { guardWrite, sendRefusal } from '@orders/http-guard';
import type { AddressInfo } from 'node:net';

export interface SpanView {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: number;
  /** Milliseconds since the epoch (fractional). */
  start: number;
  end: number;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number };
}
export interface OtlpBody {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

/** What the console's `/api/traces` asks of a trace store (here, or in the demo's worker thread). */
export interface TraceQueries {
  recent(limit?: number): RecentTrace[] | Promise<RecentTrace[]>;
  byOrder(orderId: string): OrderTrace | null | Promise<OrderTrace | null>;
}
export interface RecentTrace {
  orderId: string;
  traceId: string;
  at: number;
  spans: number;
}
export interface OrderTrace {
  orderId: string;
  traceId: string;
  spans: SpanView[];
}

export class TraceStore implements TraceQueries {
  private readonly traces = new Map<string, SpanView[]>();
  private readonly orders = new Map<string, { traceId: string; at: number }>();
  /** The orders that point at each trace, so evicting a trace costs what it holds, not a scan. */
  private readonly ordersOfTrace = new Map<string, Set<string>>();

  constructor(private readonly maxTraces = 2000) {}

  /** Takes an OTLP/JSON export request; returns how many spans it kept. */
  ingest(body: OtlpBody): number {
    let n = 0;
    for (const rs of body.resourceSpans ?? []) {
      const service = String(attrs(rs.resource?.attributes)['service.name'] ?? 'unknown');
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? []) {
          const span = toView(s, service);
          if (!span) continue;
          let list = this.traces.get(span.traceId);
          if (!list) {
            this.traces.set(span.traceId, (list = []));
            this.evict();
          }
          list.push(span);
          n++;
          const orderId = span.attributes['orders.order_id'];
          if (typeof orderId === 'string') this.point(orderId, span.traceId, span.start);
        }
    }
    return n;
  }

  recent(limit = 20): RecentTrace[] {
    return [...this.orders]
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, limit)
      .map(([orderId, o]) => ({ orderId, ...o, spans: this.traces.get(o.traceId)?.length ?? 0 }));
  }

  byOrder(orderId: string): OrderTrace | null {
    const o = this.orders.get(orderId);
    if (!o) return null;
    const spans = [...(this.traces.get(o.traceId) ?? [])].sort((a, b) => a.start - b.start);
    return { orderId, traceId: o.traceId, spans };
  }

  /** The order's newest trace (a spike put on `orders` without trace context gives each group its own). */
  private point(orderId: string, traceId: string, at: number): void {
    const before = this.orders.get(orderId);
    if (before && before.traceId !== traceId) this.ordersOfTrace.get(before.traceId)?.delete(orderId);
    this.orders.set(orderId, { traceId, at });
    let ids = this.ordersOfTrace.get(traceId);
    if (!ids) this.ordersOfTrace.set(traceId, (ids = new Set()));
    ids.add(orderId);
  }

  private evict(): void {
    while (this.traces.size > this.maxTraces) {
      const oldest = this.traces.keys().next().value as string;
      this.traces.delete(oldest);
      for (const id of this.ordersOfTrace.get(oldest) ?? []) this.orders.delete(id);
      this.ordersOfTrace.delete(oldest);
    }
  }
}

function attrs(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (!value) continue;
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

function toView(s: OtlpSpan, service: string): SpanView | null {
  if (!s.traceId || !s.spanId) return null;
  const start = Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000;
  const end = Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000;
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId || null,
    service,
    name: s.name,
    kind: s.kind ?? 0,
    start,
    end,
    durationMs: Math.round((end - start) * 100) / 100,
    status: s.status?.code === 2 ? 'error' : s.status?.code === 1 ? 'ok' : 'unset',
    attributes: attrs(s.attributes),
  };
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
};

/** `GET /api/traces[?orderId=]` for the console (mounted beside the control API). */
export function tracesApi(store: TraceQueries): Route {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/+$/, '') !== '/api/traces') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'use GET' });
    const orderId = url.searchParams.get('orderId');
    if (!orderId) return json(res, 200, { orders: await store.recent() });
    const trace = await store.byOrder(orderId);
    if (!trace)
      return json(res, 404, {
        error: `no trace for order '${orderId}' yet (spans arrive within ~5 s of processing)`,
      });
    return json(res, 200, trace);
  };
}

/** The OTLP/HTTP receiver: `POST /v1/traces` with a JSON body. */
export async function startTraceReceiver(
  store: TraceStore,
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refusal = guardWrite(req);
    if (refusal) return sendRefusal(res, refusal);
    if (req.method !== 'POST' || path !== '/v1/traces')
      return json(res, 404, { error: 'this receiver takes POST /v1/traces (OTLP/HTTP, JSON)' });
    if (!/json/i.test(req.headers['content-type'] ?? ''))
      return json(res, 415, { error: 'send OTLP as JSON (the demo receiver does not decode protobuf)' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 8 * 1024 * 1024) return json(res, 413, { error: 'too large' });
      chunks.push(c);
    }
    try {
      store.ingest(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody);
    } catch (err) {
      return json(res, 400, { error: `not OTLP JSON: ${(err as Error).message}` });
    }
    return json(res, 200, { partialSuccess: {} });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
