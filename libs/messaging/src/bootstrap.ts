/**
 * Starting an app: Nest HTTP app, JSON logs, tracing, graceful shutdown — and for consumers the Kafka
 * side. Every app listens on HOST (default 127.0.0.1: nothing on the Wi-Fi reaches it), refuses a
 * Host header that is not one of its names (DNS rebinding; ALLOWED_HOSTS adds names), guards its
 * `/admin/*` writes like the broker's (same-origin, JSON, ADMIN_TOKEN from other machines), and
 * stops when the demo that started it is gone (watchdog.ts).
 */
import 'reflect-metadata';
import type http from 'node:http';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ORDERS_TOPIC } from '@orders/contracts';
import { checkHost, guardWrite, sendRefusal, type GuardOptions } from '@orders/http-guard';
import { startTelemetry, type Telemetry } from '@orders/telemetry';
import { consumerTransportOptions } from './config.js';
import { JsonLogger, logLine } from './log.js';
import { setOrderHandlingApp } from './on-order.js';
import { OrderConsumerServer, type ConsumerHealth } from './server.js';
import { onParentGone } from './watchdog.js';

export interface AppOptions {
  /** The app name: service name in traces and logs; for consumers also the consumer group and client id. */
  name: string;
  /** The root Nest module. */
  module: Type<unknown>;
  /** HTTP port; defaults to PORT, then to `defaultPort`. 0 picks a free port (tests). */
  port?: number;
  defaultPort?: number;
  /** Interface to listen on; defaults to HOST, then 127.0.0.1 (containers set HOST=0.0.0.0). */
  host?: string;
  /** Defaults to process.env (KAFKA_*, PORT, HOST, ALLOWED_HOSTS, ADMIN_TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT). */
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

/** Host check on every request; the full write guard on `/admin/*` (the carrier's switches). */
function guardRequests(app: INestApplication, env: NodeJS.ProcessEnv): void {
  const options: GuardOptions = {
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    token: env.ADMIN_TOKEN || undefined,
    hints: { allowedHost: 'ALLOWED_HOSTS={name}', token: 'ADMIN_TOKEN={secret}' },
  };
  app.use((req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
    const admin = (req.url ?? '/').startsWith('/admin/');
    const refusal = admin ? guardWrite(req, options) : checkHost(req, options);
    if (refusal) return sendRefusal(res, refusal);
    next();
  });
}

async function listen(
  app: INestApplication,
  options: AppOptions,
  telemetry: Telemetry,
  extra?: () => Promise<void>,
) {
  const env = options.env ?? process.env;
  const host = options.host ?? (env.HOST || '127.0.0.1');
  guardRequests(app, env);
  await app.listen(resolvePort(options), host);
  const address = app.getHttpServer().address() as { port: number };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await extra?.();
      await app.close();
      await telemetry.shutdown().catch(() => undefined);
    })());
  const shutdown = (why: string) => {
    logLine(options.name, 'info', `${why}: shutting down`);
    close().then(
      () => process.exit(0),
      (err) => {
        logLine(options.name, 'error', 'shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => shutdown(signal));
    onParentGone(() => {
      // The broker may have gone with the demo: leaving the group can't finish, so don't wait long.
      setTimeout(() => process.exit(1), 5000).unref();
      shutdown('the demo that started this app is gone');
    });
  }
  logLine(options.name, 'info', 'listening', { host, port: address.port });
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { port: address.port, url: `http://${shown}:${address.port}`, close };
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
 * Resolves once the consumer has joined its group; the app listens (and logs `listening`) before that.
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

  // The app's own health fields (row counts, …) once it has started: its callback may use what
  // bootstrapConsumerApp returns, and /health answers (503) while the consumer is still joining.
  let started = false;
  const health = async () => ({
    ...(await server.health(options.topics ?? [ORDERS_TOPIC])),
    ...(started ? await options.health?.() : {}),
  });
  app
    .getHttpAdapter()
    .get('/health', async (_req: unknown, res: { status(code: number): { json(body: unknown): void } }) => {
      const h = await health();
      res.status(h.connected && started ? 200 : 503).json({ app: options.name, ...h });
    });

  // HTTP first: the instance is up (GET /health answers, 503 until joined) while it joins its group,
  // which takes as long as the group's other members need to notice the rebalance (their next
  // heartbeat), not this process's start-up. A consumer that cannot start still fails the start.
  const running = await listen(app, options, telemetry);
  try {
    await app.startAllMicroservices();
    started = true;
  } catch (err) {
    await running.close().catch(() => undefined);
    throw err;
  }
  return { app, server, health, ...running };
}
