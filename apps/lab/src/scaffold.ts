/**
 * `npm run new-consumer -- NAME`: a new consumer-group app under apps/NAME, built like the six (a Nest
 * module, a controller whose `@OnOrder()` method is the business rule, a store, GET /health with lag,
 * a whole-consumer test on a real in-process broker), marked `"orders-stream": {"consumer": true}` in
 * its package.json so `npm run demo` discovers it. Its store keeps its state in memory (a new app
 * starts simple); it is idempotent by order id, as every handler must be. `--remove` takes it away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** The six apps and the system's own: never scaffolded over, never removed. */
const PROTECTED = [
  'storefront',
  'carrier',
  'order-db',
  'email',
  'shipping',
  'erp-stock',
  'crm',
  'promo-counter',
  'demo',
  'console',
  'sps',
  'lab',
];

export function validateName(name: string): void {
  if (!NAME.test(name) || name.length > 40)
    throw new Error(
      `'${name}' is not a good app name: lower-case letters, digits and dashes, e.g. fraud-flag`,
    );
  if (PROTECTED.includes(name)) throw new Error(`apps/${name} is part of the system; pick another name`);
}

const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** The next free default port after the six apps' 3001 … 3007 (3100, 3101, …). */
function nextPort(root: string): number {
  const used = new Set<number>();
  for (const dir of readdirSync(path.join(root, 'apps'))) {
    const pkg = path.join(root, 'apps', dir, 'package.json');
    if (!existsSync(pkg)) continue;
    const port = (JSON.parse(readFileSync(pkg, 'utf8')) as { 'orders-stream'?: { port?: number } })[
      'orders-stream'
    ]?.port;
    if (port) used.add(port);
  }
  let p = 3100;
  while (used.has(p)) p++;
  return p;
}

export function templateFiles(name: string, port: number): Record<string, string> {
  const Cls = pascal(name);
  return {
    'package.json': `${JSON.stringify(
      {
        name: `@orders/${name}`,
        version: '0.1.0',
        private: true,
        type: 'module',
        description: `Consumer group ${name}: flags orders worth a second look (scaffolded by npm run new-consumer)`,
        main: './dist/main.js',
        scripts: { start: 'node dist/main.js' },
        'orders-stream': { consumer: true, port, description: 'flags large orders (scaffolded)' },
        dependencies: {
          '@nestjs/common': '12.5.1',
          '@nestjs/core': '12.5.1',
          '@nestjs/microservices': '12.1.1',
          '@nestjs/platform-express': '12.5.1',
          '@orders/contracts': '*',
          '@orders/messaging': '*',
          'reflect-metadata': '0.2.2',
          rxjs: '7.8.2',
        },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        compilerOptions: {
          rootDir: 'src',
          outDir: 'dist',
          tsBuildInfoFile: 'dist/.tsbuildinfo',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
        },
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.test.ts'],
        references: [{ path: '../../libs/contracts' }, { path: '../../libs/messaging' }],
      },
      null,
      2,
    )}\n`,
    'src/main.ts': `// ${name}: consumer group \`${name}\` — ${'flags orders worth a second look'}.
import { bootstrapConsumerApp } from '@orders/messaging';
import { ${Cls}Module } from './app.module.js';
import { APP, ${Cls}Store } from './store.js';

const running = await bootstrapConsumerApp({
  name: APP,
  module: ${Cls}Module,
  defaultPort: ${port},
  health: async () => running.app.get(${Cls}Store).stats(),
});
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { ${Cls}Controller } from './${name}.controller.js';
import { ${Cls}Store } from './store.js';

@Module({
  controllers: [${Cls}Controller],
  providers: [${Cls}Store],
})
export class ${Cls}Module {}
`,
    'src/rule.ts': `/** The business rule, a pure function: change it and its test, nothing else. */
import type { OrderEvent } from '@orders/contracts';

/** Orders from this total (in cents) get a second look. */
export const LARGE_ORDER_CENTS = 10_000;

/** Why an order is flagged, or null when it is not. */
export function flagReason(order: OrderEvent): string | null {
  if (order.totalCents >= LARGE_ORDER_CENTS) return \`total \${(order.totalCents / 100).toFixed(2)} \${order.currency}\`;
  if (order.lines.some((l) => l.qty >= 5)) return 'five or more of one item';
  return null;
}
`,
    'src/store.ts': `/** ${name}'s state, in memory: every order seen once (idempotent by order id), the flagged ones listed. */
import { Injectable } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { flagReason } from './rule.js';

export const APP = '${name}';

export interface Flag {
  orderId: string;
  customerId: string;
  reason: string;
  placedAt: string;
}

@Injectable()
export class ${Cls}Store {
  private readonly seen = new Set<string>();
  private readonly flags: Flag[] = [];

  /** 'duplicate' (and nothing changes) for an order seen before: redeliveries are safe. */
  record(order: OrderEvent): 'applied' | 'duplicate' {
    if (this.seen.has(order.orderId)) return 'duplicate';
    this.seen.add(order.orderId);
    const reason = flagReason(order);
    if (reason) this.flags.push({ orderId: order.orderId, customerId: order.customer.id, reason, placedAt: order.placedAt });
    return 'applied';
  }

  list(): Flag[] {
    return [...this.flags];
  }

  async stats(): Promise<{ orders: number; flagged: number }> {
    return { orders: this.seen.size, flagged: this.flags.length };
  }
}
`,
    [`src/${name}.controller.ts`]: `import { Controller, Get } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { OnOrder } from '@orders/messaging';
import { ${Cls}Store } from './store.js';

@Controller()
export class ${Cls}Controller {
  constructor(private readonly store: ${Cls}Store) {}

  /** When an order arrives, flag it if it needs a second look. */
  @OnOrder()
  async onOrder(order: OrderEvent): Promise<void> {
    this.store.record(order);
  }

  @Get('flags')
  flags() {
    return this.store.list();
  }
}
`,
    [`src/${name}.test.ts`]: `// ${name} as a consumer group on our broker, in-process: large orders are flagged once, also when an order
// is on the stream twice; GET /flags and GET /health show it.
import { buildOrderEvent, ORDERS_TOPIC } from '@orders/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerFixture, until, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { ${Cls}Module } from './app.module.js';
import { APP, ${Cls}Store } from './store.js';

let fx: ConsumerFixture;
beforeAll(async () => {
  fx = await startConsumerFixture({
    name: APP,
    module: ${Cls}Module,
    health: (app) => app.app.get(${Cls}Store).stats(),
  });
});
afterAll(async () => {
  await fx?.close();
});

const customer = { email: 'ann@example.org', name: 'Ann', address: { line1: '1 Main St', city: 'Utrecht', postalCode: '3511', country: 'NL' } };
const order = (orderId: string, qty: number) =>
  buildOrderEvent({ customer, lines: [{ sku: 'HOOD-003', qty }] }, { orderId, placedAt: new Date(), currency: 'EUR' });

describe('${name} consuming \`orders\`', () => {
  it('flags a large order once, duplicates included, and leaves small ones alone', async () => {
    const big = order('f-1', 2); // 2 × 54.90
    const small = order('f-2', 1);
    const send = (o: typeof big) => ({ key: o.customer.id, value: JSON.stringify(o) });
    await fx.producer.send({ topic: ORDERS_TOPIC, messages: [send(big), send(small), send(big)] });

    await until('every order handled (lag 0)', async () => {
      const h = (await (await fetch(\`\${fx.app.url}/health\`)).json()) as { lag: { total: number } | null };
      return h.lag?.total === 0;
    });
    const flags = (await (await fetch(\`\${fx.app.url}/flags\`)).json()) as { orderId: string }[];
    expect(flags.map((f) => f.orderId)).toEqual(['f-1']);
    const health = (await (await fetch(\`\${fx.app.url}/health\`)).json()) as { orders: number; flagged: number };
    expect(health).toMatchObject({ orders: 2, flagged: 1 });
  });
});
`,
  };
}

export async function scaffoldApp(name: string, o: { force?: boolean; root?: string } = {}): Promise<string> {
  validateName(name);
  const root = o.root ?? REPO;
  const dir = path.join(root, 'apps', name);
  if (existsSync(dir)) {
    if (!o.force) throw new Error(`apps/${name} exists already (npm run remove-consumer -- ${name} first)`);
    await rm(dir, { recursive: true, force: true });
  }
  const port = nextPort(root);
  for (const [file, text] of Object.entries(templateFiles(name, port))) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  await editBuildReferences(root, name, 'add');
  return dir;
}

export async function removeApp(name: string, root = REPO): Promise<boolean> {
  validateName(name);
  const dir = path.join(root, 'apps', name);
  const pkg = path.join(dir, 'package.json');
  if (
    existsSync(pkg) &&
    !(JSON.parse(await readFile(pkg, 'utf8')) as { 'orders-stream'?: unknown })['orders-stream']
  )
    throw new Error(`apps/${name} was not made by new-consumer; not removing it`);
  await editBuildReferences(root, name, 'remove');
  if (!existsSync(dir)) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** Adds or removes `{ "path": "apps/NAME" }` in tsconfig.build.json (a line edit, keeping its layout). */
async function editBuildReferences(root: string, name: string, how: 'add' | 'remove'): Promise<void> {
  const file = path.join(root, 'tsconfig.build.json');
  const text = await readFile(file, 'utf8');
  const line = `    { "path": "apps/${name}" },`;
  const lines = text.split('\n');
  const has = lines.some((l) => l.includes(`"apps/${name}"`));
  let next: string[];
  if (how === 'add' && !has) {
    // Before apps/demo, so the order stays "libs, apps, demo, lab".
    const at = lines.findIndex((l) => l.includes('"apps/demo"'));
    if (at < 0) throw new Error('tsconfig.build.json has no apps/demo reference to put the new app before');
    next = [...lines.slice(0, at), line, ...lines.slice(at)];
  } else if (how === 'remove' && has) next = lines.filter((l) => !l.includes(`"apps/${name}"`));
  else return;
  const out = next.join('\n');
  JSON.parse(out); // still valid
  await writeFile(file, out);
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed:\n${out}`)),
    );
  });
}

/** Compiles apps/NAME with tsc (project references: the libs it uses are built already). */
export async function buildApp(name: string, root = REPO): Promise<void> {
  await run(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', `apps/${name}`],
    root,
  );
}

/** Runs apps/NAME's generated test with vitest. */
export async function testApp(name: string, root = REPO): Promise<void> {
  await run(
    process.execPath,
    [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `apps/${name}/src/`],
    root,
  );
}

/** Starts the built app against a broker, on a free port; `stop` ends it gracefully. */
export async function startApp(
  name: string,
  bootstrap: string,
  say: (line: string) => void,
  root = REPO,
): Promise<{ url: string; stop(): Promise<void>; child: ChildProcess }> {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(process.execPath, [path.join(root, 'apps', name, 'dist', 'main.js')], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: bootstrap,
      PORT: String(port),
      APP_INSTANCE_ID: `${name}-1`,
      OTEL_SDK_DISABLED: 'true',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = (c: Buffer) =>
    c
      .toString()
      .split('\n')
      .filter((l) => l.trim())
      .forEach((l) => say(`  [${name}] ${l}`));
  child.stdout!.on('data', lines);
  child.stderr!.on('data', lines);
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
