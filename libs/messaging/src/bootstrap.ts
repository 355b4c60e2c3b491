/** Starting an app: Nest HTTP app, JSON logs, tracing, graceful shutdown — and for consumers the Kafka side. */
import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ORDERS_TOPIC } from '@orders/contracts';
import { startTelemetry, type Telemetry } from '@orders/telemetry';
import { consumerTransportOptions } from './config.js';
import { JsonLogger, logLine } from './log.js';
import { setOrderHandlingApp } from './on-order.js';
import { OrderConsumerServer, type ConsumerHealth } from './server.js';

export interface AppOptions {
  /** The app name: service name in traces and logs; for consumers also the consumer group and client id. */
  name: string;
  /** The root Nest module. */
  module: Type<unknown>;
  /** HTTP port; defaults to PORT, then to `defaultPort`. 0 picks a free port (tests). */
  port?: number;
  defaultPort?: number;
  /** Defaults to process.env (KAFKA_*, PORT, OTEL_EXPORTER_OTLP_ENDPOINT). */
  env?: NodeJS.ProcessEnv;
  /** Stop cleanly on SIGTERM/SIGINT (default true; tests pass false and call close()). */
  handleSignals?: boolean;
}

export interface RunningApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Stops the app (for consumers: finish the current message, commit, leave the group) and flushes spans. */
  close(): Promise<void>;
}

export interface ConsumerOptions extends AppOptions {
  /** Topics to report lag for in GET /health (default: `orders`). */
  topics?: string[];
  /** Extra fields for GET /health, e.g. row counts. */
  health?: () => Promise<Record<string, unknown>>;
}

export interface RunningConsumer extends RunningApp {
  server: OrderConsumerServer;
  health(): Promise<ConsumerHealth & Record<string, unknown>>;
}

function resolvePort(options: AppOptions): number {
  if (options.port !== undefined) return options.port;
  const env = options.env ?? process.env;
  const fromEnv = env.PORT ? Number(env.PORT) : NaN;
  if (Number.isInteger(fromEnv) && fromEnv >= 0) return fromEnv;
  return options.defaultPort ?? 3000;
}

async function listen(
  app: INestApplication,
  options: AppOptions,
  telemetry: Telemetry,
  extra?: () => Promise<void>,
) {
  await app.listen(resolvePort(options));
  const address = app.getHttpServer().address() as { port: number };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await extra?.();
      await app.close();
      await telemetry.shutdown().catch(() => undefined);
    })());
  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logLine(options.name, 'info', `${signal}: shutting down`);
        close().then(
          () => process.exit(0),
          (err) => {
            logLine(options.name, 'error', 'shutdown failed', { error: String(err) });
            process.exit(1);
          },
        );
      });
    }
  }
  logLine(options.name, 'info', 'listening', { port: address.port });
  return { port: address.port, url: `http://127.0.0.1:${address.port}`, close };
}

/** An HTTP-only app (storefront, carrier): Nest + JSON logs + tracing + graceful shutdown. */
export async function bootstrapHttpApp(options: AppOptions): Promise<RunningApp> {
  const telemetry = startTelemetry({
    serviceName: options.name,
    endpoint: (options.env ?? process.env).OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const app = await NestFactory.create(options.module, { logger: new JsonLogger(options.name) });
  return { app, ...(await listen(app, options, telemetry)) };
}

/**
 * A consumer app: the HTTP app plus the Kafka consumer (group = `name`) for the module's `@OnOrder()`
 * handler, and `GET /health` (consumer state, assigned partitions, lag; HTTP 503 until joined).
 */
export async function bootstrapConsumerApp(options: ConsumerOptions): Promise<RunningConsumer> {
  const env = options.env ?? process.env;
  const telemetry = startTelemetry({ serviceName: options.name, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
  setOrderHandlingApp(options.name);
  const app = await NestFactory.create(options.module, { logger: new JsonLogger(options.name) });
  const server = new OrderConsumerServer(
    options.name,
    consumerTransportOptions(options.name, env).options ?? {},
  );
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });

  const health = async () => ({
    ...(await server.health(options.topics ?? [ORDERS_TOPIC])),
    ...(await options.health?.()),
  });
  app
    .getHttpAdapter()
    .get('/health', async (_req: unknown, res: { status(code: number): { json(body: unknown): void } }) => {
      const h = await health();
      res.status(h.connected ? 200 : 503).json({ app: options.name, ...h });
    });

  await app.startAllMicroservices();
  const running = await listen(app, options, telemetry);
  return { app, server, health, ...running };
}
