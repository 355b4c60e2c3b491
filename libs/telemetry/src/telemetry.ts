/**
 * OpenTelemetry for every app: one tracer provider per process, W3C `traceparent` carried in Kafka message
 * headers (no auto-instrumentation loader: propagation is explicit, see {@link injectTraceHeaders}).
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export { SpanKind, type Context, type Span };

export interface TelemetryOptions {
  /** `service.name` of the spans: the app name. */
  serviceName: string;
  /** OTLP/HTTP base URL; defaults to OTEL_EXPORTER_OTLP_ENDPOINT. Unset: spans get ids but are not exported. */
  endpoint?: string;
}

export interface Telemetry {
  /** Whether spans are exported (an endpoint was configured). */
  exporting: boolean;
  /** Flushes pending spans and stops. */
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/**
 * Starts tracing for this process (once; later calls return the first handle). Call it first thing in
 * main.ts. Without an endpoint it is cheap: spans are created (so trace ids flow on) but never exported.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (started) return started;
  const endpoint = options.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // Just a tracer provider (no NodeSDK: its metrics, logs and detectors cost ~12 MB per app and nothing
  // here uses them); the OTLP exporter is loaded only when there is somewhere to export to, and a span.
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: endpoint ? [new LazyOtlpProcessor(`${endpoint.replace(/\/$/, '')}/v1/traces`)] : [],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const handle: Telemetry = { exporting: Boolean(endpoint), shutdown: () => provider.shutdown() };
  started = handle;
  return handle;
}

/**
 * A BatchSpanProcessor with the OTLP/HTTP exporter, imported when the first span ends: the exporter and
 * its transformer are ~0.5 s of start-up CPU and ~1 MB per app, which an app that has not traced anything
 * yet (just started, or idle) does not need.
 */
class LazyOtlpProcessor implements SpanProcessor {
  private inner?: SpanProcessor;
  private readonly early: ReadableSpan[] = [];
  private loading?: Promise<void>;

  constructor(private readonly url: string) {}

  private load(): Promise<void> {
    return (this.loading ??= Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace-base'),
    ]).then(([{ OTLPTraceExporter }, { BatchSpanProcessor }]) => {
      this.inner = new BatchSpanProcessor(new OTLPTraceExporter({ url: this.url }));
      for (const span of this.early.splice(0)) this.inner.onEnd(span);
    }));
  }
  onStart(): void {
    // nothing to do at start: spans are exported when they end
  }
  onEnd(span: ReadableSpan): void {
    if (this.inner) return this.inner.onEnd(span);
    if (this.early.length < 2048) this.early.push(span);
    this.load().catch((err: Error) => process.emitWarning(`spans are not exported: ${err.message}`));
  }
  async forceFlush(): Promise<void> {
    if (!this.loading) return;
    await this.loading;
    await this.inner?.forceFlush();
  }
  async shutdown(): Promise<void> {
    if (!this.loading) return;
    await this.loading;
    await this.inner?.shutdown();
  }
}

const w3c = new W3CTraceContextPropagator();

/** Kafka header values as kafkajs hands them over (Buffer, string, arrays, or undefined). */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** Adds `traceparent` (and `tracestate` when set) of `ctx` (default: the active span) to `headers`. */
export function injectTraceHeaders(
  headers: Record<string, string> = {},
  ctx: Context = context.active(),
): Record<string, string> {
  w3c.inject(ctx, headers, {
    set: (carrier, key, value) => {
      carrier[key] = value;
    },
  });
  return headers;
}

/** The trace context a message's `traceparent` header carries, as a parent for the consumer's span. */
export function extractTraceContext(
  headers: MessageHeaders | undefined,
  base: Context = context.active(),
): Context {
  if (!headers) return base;
  return w3c.extract(base, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      const first = Array.isArray(value) ? value[0] : value;
      return first === undefined ? undefined : first.toString();
    },
  });
}

/** The tracer of this process. */
export function tracer() {
  return trace.getTracer('orders-stream');
}

/**
 * Runs `fn` in a new active span (child of `parent`, default: the active context); records an error and
 * ends the span either way.
 */
export async function withSpan<T>(
  name: string,
  options: { parent?: Context; kind?: SpanKind; attributes?: Record<string, string | number | boolean> },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Starts a span (child of `parent`, default: the active context) WITHOUT making it active; the caller
 * ends it. For work that spans many messages at once (a batch), where each message keeps its own span.
 */
export function startSpan(
  name: string,
  options: { parent?: Context; kind?: SpanKind; attributes?: Record<string, string | number | boolean> },
): Span {
  return tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
  );
}

/** The `traceparent` of the active span, if any (for logs and answers). */
export function currentTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}
