#!/usr/bin/env node
// `npm run demo` → node apps/demo/dist/main.js [--without app,…] [--kafka host:port] [--no-load]
//                  [--rate N] [--host H] [--token T] [--allowed-host NAME] [--port-offset N] [--consumer-nice N]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { APP_NAMES } from './apps.js';
import { CONSUMER_NICENESS, offsetPorts, startDemo } from './demo.js';
import { MAX_RATE } from './load.js';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const program = new Command('demo')
  .description(
    'the orders stream on one machine: embedded broker, mail catcher, carrier, storefront and the six consumer apps',
  )
  .option('--without <apps>', `apps not to start, comma-separated (${APP_NAMES.join(', ')})`, list, [])
  .option('--kafka <host:port>', 'use this broker (e.g. Apache Kafka) instead of the embedded one')
  .option('--no-load', 'no order trickle')
  .option('--rate <n>', 'order trickle, orders per second', rate, 0.5)
  .option(
    '--host <host>',
    'interface for the console and control API (e.g. 0.0.0.0 for a classroom; the Kafka port and the apps stay on 127.0.0.1); env DEMO_HOST',
    process.env.DEMO_HOST || '127.0.0.1',
  )
  .option(
    '--token <token>',
    'allows write actions from other machines with Authorization: Bearer <token>; env DEMO_TOKEN',
  )
  .option(
    '--allowed-host <name>',
    'a name other machines use to reach the console (DNS name, proxy), besides its addresses and hostname; repeatable; env DEMO_ALLOWED_HOSTS',
    (value: string, previous: string[]) => [...previous, ...list(value)],
    list(process.env.DEMO_ALLOWED_HOSTS ?? ''),
  )
  .option(
    '--sasl <user:password>',
    "require a SASL login on the embedded broker's Kafka port (the apps log in with KAFKA_SASL_*, SCRAM-SHA-256 unless KAFKA_SASL_MECHANISM says otherwise); with --kafka, the login for that broker; env DEMO_SASL",
    saslLogin,
  )
  .option('--data-dir <dir>', 'embedded broker data directory', '.data/sps')
  .option('--database-url <url>', 'DATABASE_URL for the apps (default: SQLite files under .data/)')
  .option('--work-dir <dir>', 'where the apps run and keep their .data/ (default: the repository root)')
  .option(
    '--port-offset <n>',
    'add N to every default port (9092, 9080, 9081, 1025, 8025, 4567, 3000 … 3007), to run beside another demo (the trace receiver takes 4318, or any free port when that is taken); env DEMO_PORT_OFFSET',
    offset,
    process.env.DEMO_PORT_OFFSET ? offset(process.env.DEMO_PORT_OFFSET) : 0,
  )
  .option(
    '--consumer-nice <n>',
    `how much lower the consumer apps' OS priority is than the storefront's and the broker's (niceness 0–19; 0: the same), so a spike's checkouts win the cores and the stream buffers the rest; env DEMO_CONSUMER_NICE`,
    niceness,
    process.env.DEMO_CONSUMER_NICE ? niceness(process.env.DEMO_CONSUMER_NICE) : CONSUMER_NICENESS,
  )
  .option('--restart-on-failure', 'restart an app that crashes (default: leave it exited, to show failures)')
  .showHelpAfterError();

program.parse();
const o = program.opts<{
  without: string[];
  kafka?: string;
  load: boolean;
  rate: number;
  host: string;
  token?: string;
  allowedHost: string[];
  sasl?: { username: string; password: string };
  dataDir: string;
  databaseUrl?: string;
  workDir?: string;
  portOffset: number;
  restartOnFailure?: boolean;
  consumerNice: number;
}>();

const demo = await startDemo({
  rootDir,
  without: o.without,
  kafka: o.kafka,
  load: o.load,
  rate: o.rate,
  token: o.token ?? process.env.DEMO_TOKEN,
  host: o.host,
  allowedHosts: o.allowedHost,
  sasl: saslWithMechanism(o.sasl ?? (process.env.DEMO_SASL ? saslLogin(process.env.DEMO_SASL) : undefined)),
  dataDir: path.resolve(rootDir, o.dataDir),
  databaseUrl: o.databaseUrl,
  workDir: o.workDir && path.resolve(o.workDir),
  ports: offsetPorts(o.portOffset),
  restart: o.restartOnFailure ? 'on-failure' : 'never',
  consumerNiceness: o.consumerNice,
}).catch((err: Error) => {
  console.error(`demo: ${err.message}`);
  process.exit(1);
});

let signals = 0;
const shutdown = (signal: string) => {
  if (++signals > 1) {
    console.error(`[demo] ${signal} again: killing everything now`);
    for (const app of demo.supervisor.list())
      for (const i of app.instances) if (i.status !== 'exited') demo.supervisor.kill(app.name, i.id);
    process.exit(1);
  }
  console.log(`[demo] ${signal}: stopping the apps, then the broker (Ctrl-C again to force)`);
  demo.stop().then(
    () => {
      console.log('[demo] stopped');
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`[demo] shutdown failed: ${String(err)}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function niceness(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 19)
    throw new InvalidArgumentError('a whole number from 0 to 19 (0: the same priority as the storefront)');
  return n;
}

function offset(value: string): number {
  try {
    offsetPorts(Number(value));
    return Number(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > MAX_RATE)
    throw new InvalidArgumentError(`expected orders per second from 0 to ${MAX_RATE}`);
  return n;
}

function saslLogin(value: string): { username: string; password: string } {
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1)
    throw new InvalidArgumentError('expected user:password (the password may contain ":")');
  return { username: value.slice(0, at), password: value.slice(at + 1) };
}

function saslWithMechanism(login: { username: string; password: string } | undefined) {
  if (!login) return undefined;
  const mechanism = (process.env.KAFKA_SASL_MECHANISM ?? 'scram-sha-256').toLowerCase();
  if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
    console.error(
      `demo: KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got "${mechanism}"`,
    );
    process.exit(1);
  }
  return { ...login, mechanism: mechanism as 'plain' | 'scram-sha-256' | 'scram-sha-512' };
}
