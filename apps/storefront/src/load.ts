// `npm run orders -- --rate N --count M [--promo CODE] [--url http://127.0.0.1:3000]`
// Posts realistic orders to the storefront at a steady rate, with a progress bar.
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
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run orders -- [--rate N/s (10)] [--count M (100)] [--promo CODE] [--url ${values.url}] [--customers K (50)]
  every order carries --promo CODE when given; K fake customers place the orders (so some order repeatedly)`);
  process.exit(0);
}
const rate = Number(values.rate);
const count = Number(values.count);
const customersWanted = Number(values.customers);
for (const [name, v] of [
  ['--rate', rate],
  ['--count', count],
  ['--customers', customersWanted],
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
bar.start(count, 0, { rate: 0, failed: 0, last: '' });
let done = 0;
let failed = 0;
let firstError = '';
const started = Date.now();
const inFlight = new Set<Promise<void>>();

async function place(): Promise<void> {
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
    if (res.status !== 202) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    bar.increment(1, { last: `p${body.partition}@${body.offset}` });
  } catch (err) {
    failed++;
    firstError ||= (err as Error).message;
    bar.increment(1, { failed });
  } finally {
    done++;
    bar.update({ rate: Math.round((done / Math.max(Date.now() - started, 1)) * 1000) });
  }
}

for (let i = 0; i < count; i++) {
  const due = started + (i * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const p = place();
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
}
await Promise.all(inFlight);
bar.stop();
const seconds = (Date.now() - started) / 1000;
console.log(`${count - failed} orders placed, ${failed} failed, in ${seconds.toFixed(1)} s (${values.url})`);
if (firstError)
  console.error(
    `first error: ${firstError}${/fetch failed/.test(firstError) ? ' — is the storefront running?' : ''}`,
  );
process.exitCode = failed > 0 ? 1 : 0;
