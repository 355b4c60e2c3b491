/**
 * OpenTelemetry for every app: one tracer provider per process, W3C `traceparent` carried in Kafka message
 * headers (no auto-instrumentation loader: propagation is explicit, see {@link injectTraceHeaders}).
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';

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
  const processor = endpoint
    ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }))
    : new NoopSpanProcessor();
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: [processor],
    instrumentations: [],
    resourceDetectors: [],
  });
  sdk.start();
  const handle: Telemetry = { exporting: Boolean(endpoint), shutdown: () => sdk.shutdown() };
  started = handle;
  return handle;
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

/** The `traceparent` of the active span, if any (for logs and answers). */
export function currentTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}
