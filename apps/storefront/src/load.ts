// `npm run orders -- --rate N --count M [--promo CODE] [--url http://127.0.0.1:3000] [--concurrency K] [--json]`
// Posts realistic orders to the storefront at a steady rate, with a progress bar; ends with the rate
// achieved and the POST latency (p50/p99). At most --concurrency requests are in flight (keep-alive
// connections are reused), so a slow storefront slows the generator instead of piling up sockets.
import { parseArgs } from 'node:util';
import { faker } from '@faker-js/faker';
import { CATALOGUE, type PlaceOrderRequest } from '@orders/contracts';
import cliProgress from 'cli-progress';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    count: { type: 'string', default: '100' },
    promo: { type: 'string' },
    url: { type: 'string', default: process.env.STOREFRONT_URL ?? 'http://127.0.0.1:3000' },
    customers: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '256' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run orders -- [--rate N/s (10)] [--count M (100)] [--promo CODE] [--url ${values.url}] [--customers K (50)]
                      [--concurrency C (256)] [--json]
  every order carries --promo CODE when given; K fake customers place the orders (so some order repeatedly);
  at most C requests in flight; --json prints one JSON summary line instead of the progress bar`);
  process.exit(0);
}
const rate = Number(values.rate);
const count = Number(values.count);
const customersWanted = Number(values.customers);
const concurrency = Number(values.concurrency);
for (const [name, v] of [
  ['--rate', rate],
  ['--count', count],
  ['--customers', customersWanted],
  ['--concurrency', concurrency],
] as const) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`${name} must be a positive number`);
    process.exit(2);
  }
}

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

const bar = new cliProgress.SingleBar(
  { format: 'orders [{bar}] {value}/{total} | {rate}/s | failed {failed} | {last}', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
const progress = values.json ? null : bar;
progress?.start(count, 0, { rate: 0, failed: 0, last: '' });
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let done = 0;
let failed = 0;
let firstError = '';
const started = Date.now();
const inFlight = new Set<Promise<void>>();

async function place(): Promise<void> {
  const sentAt = performance.now();
  try {
    const res = await fetch(`${values.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fakeOrder()),
    });
    const body = (await res.json()) as {
      orderId?: string;
      partition?: number;
      offset?: number;
      message?: string;
    };
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status !== 202) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    latencies.push(performance.now() - sentAt);
    progress?.increment(1, { last: `p${body.partition}@${body.offset}` });
  } catch (err) {
    failed++;
    firstError ||= (err as Error).message;
    progress?.increment(1, { failed });
  } finally {
    done++;
    progress?.update({ rate: Math.round((done / Math.max(Date.now() - started, 1)) * 1000) });
  }
}

for (let i = 0; i < count; i++) {
  const due = started + (i * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  while (inFlight.size >= concurrency) await Promise.race(inFlight);
  const p = place();
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
}
await Promise.all(inFlight);
if (!values.json) bar.stop();
const seconds = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) =>
  latencies.length
    ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10
    : null;
const summary = {
  placed: count - failed,
  failed,
  seconds: Math.round(seconds * 100) / 100,
  ordersPerSec: Math.round((count - failed) / seconds),
  p50Ms: at(0.5),
  p99Ms: at(0.99),
  maxMs: at(1),
  statuses,
};
if (values.json) console.log(JSON.stringify(summary));
else
  console.log(
    `${summary.placed} orders placed, ${failed} failed, in ${seconds.toFixed(1)} s (${summary.ordersPerSec}/s; POST p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms) (${values.url})`,
  );
if (firstError)
  console.error(
    `first error: ${firstError}${/fetch failed/.test(firstError) ? ' — is the storefront running?' : ''}`,
  );
process.exitCode = failed > 0 ? 1 : 0;
