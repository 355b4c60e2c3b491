// `npm run orders -- --rate N --count M [--promo CODE] [--url http://127.0.0.1:3000] [--concurrency K] [--json]`
// Posts realistic orders to the storefront at a steady rate, with a progress bar; ends with the rate
// achieved, the POST latency (p50/p99), every answer by HTTP status and every request that got no
// answer by its error code. At most --concurrency requests are in flight, one per keep-alive
// connection (undici's Pool: POSTs are not pipelined, so a reset connection can never replay one), so
// a slow storefront slows the generator instead of piling up sockets. The generator is cheap (it
// shares the machine with what it measures): it reports its own CPU time per order.
import { parseArgs } from 'node:util';
import { faker } from '@faker-js/faker';
import { CATALOGUE, type PlaceOrderRequest } from '@orders/contracts';
import cliProgress from 'cli-progress';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    count: { type: 'string', default: '100' },
    promo: { type: 'string' },
    url: { type: 'string', default: process.env.STOREFRONT_URL ?? 'http://127.0.0.1:3000' },
    customers: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '256' },
    timeout: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run orders -- [--rate N/s (10)] [--count M (100)] [--promo CODE] [--url ${values.url}] [--customers K (50)]
                      [--concurrency C (256)] [--timeout S (30)] [--json]
  every order carries --promo CODE when given; K fake customers place the orders (so some order repeatedly);
  at most C requests in flight (C keep-alive connections); a request without an answer after S seconds
  counts as failed; --json prints one JSON summary line instead of the progress bar`);
  process.exit(0);
}
const rate = Number(values.rate);
const count = Number(values.count);
const customersWanted = Number(values.customers);
const concurrency = Number(values.concurrency);
const timeoutMs = Number(values.timeout) * 1000;
for (const [name, v] of [
  ['--rate', rate],
  ['--count', count],
  ['--customers', customersWanted],
  ['--concurrency', concurrency],
  ['--timeout', timeoutMs],
] as const) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`${name} must be a positive number`);
    process.exit(2);
  }
}
const base = new URL(values.url);

/** A fake customer, reused across orders. */
function fakeCustomer(): PlaceOrderRequest['customer'] {
  const first = faker.person.firstName();
  const last = faker.person.lastName();
  return {
    email: faker.internet.email({ firstName: first, lastName: last }).toLowerCase(),
    name: `${first} ${last}`,
    address: {
      line1: faker.location.streetAddress(),
      city: faker.location.city(),
      postalCode: faker.location.zipCode(),
      country: faker.location.countryCode('alpha-2'),
    },
  };
}
const customers = Array.from({ length: customersWanted }, fakeCustomer);

function fakeOrder(): PlaceOrderRequest {
  const products = faker.helpers.arrayElements(CATALOGUE, { min: 1, max: 4 });
  return {
    customer: faker.helpers.arrayElement(customers),
    lines: products.map((p) => ({ sku: p.sku, qty: faker.number.int({ min: 1, max: 3 }) })),
    ...(values.promo && { promoCode: values.promo }),
  };
}

// One keep-alive connection per request in flight. Node's server closes an idle connection after 5 s
// (keepAliveTimeout); undici closes ours after 2 s idle, well before, so it never sends on a socket the
// server is closing.
const pool = new Pool(base.origin, {
  connections: concurrency,
  pipelining: 1,
  keepAliveTimeout: 2_000,
  keepAliveMaxTimeout: 2_000,
  headersTimeout: timeoutMs,
  bodyTimeout: timeoutMs,
  connectTimeout: timeoutMs,
});
const ordersPath = `${base.pathname.replace(/\/$/, '')}/orders`;
const healthPath = `${base.pathname.replace(/\/$/, '')}/health`;
const headers = { 'content-type': 'application/json' };

const bar = new cliProgress.SingleBar(
  { format: 'orders [{bar}] {value}/{total} | {rate}/s | failed {failed} | {last}', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
const progress = values.json ? null : bar;
progress?.start(count, 0, { rate: 0, failed: 0, last: '' });
const latencies: number[] = [];
/** Answers by HTTP status. */
const statuses: Record<string, number> = {};
/** Requests that got no HTTP answer, by error code (connection refused or reset, timeout, …). */
const errors: Record<string, number> = {};
let done = 0;
let failed = 0;
let firstError = '';
let inFlight = 0;
let wakeSender: (() => void) | null = null;
// Open the pool's connections before the clock starts, as load tools do: otherwise the first
// requests measure a burst of up to C TCP handshakes the storefront accepts between checkouts (on a
// 2-core machine that put p99 at 0.5–1 s, while the same run with open connections kept it < 50 ms).
// A storefront that is not there fails here quietly, and every order then reports why.
await Promise.all(
  Array.from({ length: Math.min(concurrency, count) }, () =>
    pool.request({ method: 'GET', path: healthPath }).then(
      (res) => res.body.dump(),
      () => undefined,
    ),
  ),
);
const cpuAtStart = process.cpuUsage();
const started = performance.now();

async function place(): Promise<void> {
  const sentAt = performance.now();
  try {
    const res = await pool.request({
      method: 'POST',
      path: ordersPath,
      headers,
      body: JSON.stringify(fakeOrder()),
    });
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    const text = await res.body.text();
    if (res.statusCode !== 202) {
      failed++;
      firstError ||= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
      progress?.increment(1, { failed });
      return;
    }
    latencies.push(performance.now() - sentAt);
    if (progress) {
      const body = JSON.parse(text) as { partition?: number; offset?: number };
      progress.increment(1, { last: `p${body.partition}@${body.offset}` });
    }
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    errors[code] = (errors[code] ?? 0) + 1;
    failed++;
    firstError ||= `${code}: ${(err as Error).message}`;
    progress?.increment(1, { failed });
  } finally {
    done++;
    inFlight--;
    progress?.update({ rate: Math.round((done / Math.max(performance.now() - started, 1)) * 1000) });
    wakeSender?.();
  }
}

// Send every order that is due (order i at i/rate s), at most `concurrency` in flight; then sleep until
// the next one is due or a request comes back. Timers here fire once a millisecond at best, so at
// rates above 1,000/s each wake-up sends the few orders that fell due meanwhile.
let sent = 0;
while (sent < count) {
  const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
  while (sent < due && inFlight < concurrency) {
    sent++;
    inFlight++;
    void place();
  }
  if (sent >= count) break;
  const untilNext = started + (sent * 1000) / rate - performance.now();
  await new Promise<void>((resolve) => {
    const wake = () => {
      if (timer) clearTimeout(timer);
      wakeSender = null;
      resolve();
    };
    const timer = inFlight < concurrency ? setTimeout(wake, Math.max(0, untilNext)) : null;
    wakeSender = inFlight >= concurrency ? wake : null;
  });
}
while (inFlight > 0) await new Promise<void>((resolve) => (wakeSender = resolve));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
await pool.close();
if (!values.json) bar.stop();
latencies.sort((a, b) => a - b);
const at = (q: number) =>
  latencies.length
    ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10
    : null;
const placed = count - failed;
const summary = {
  placed,
  failed,
  seconds: Math.round(seconds * 100) / 100,
  ordersPerSec: Math.round(placed / seconds),
  p50Ms: at(0.5),
  p99Ms: at(0.99),
  maxMs: at(1),
  statuses,
  errors,
  /** This generator's own CPU (user + system) per order sent, ms. */
  loadCpuMsPerOrder: Math.round(((cpu.user + cpu.system) / 1000 / count) * 1000) / 1000,
};
if (values.json) console.log(JSON.stringify(summary));
else
  console.log(
    `${summary.placed} orders placed, ${failed} failed, in ${seconds.toFixed(1)} s (${summary.ordersPerSec}/s; POST p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms) (${values.url})`,
  );
if (firstError)
  console.error(
    `first error: ${firstError}${/ECONNREFUSED/.test(firstError) ? ' — is the storefront running?' : ''}`,
  );
process.exitCode = failed > 0 ? 1 : 0;
