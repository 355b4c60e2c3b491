import { ORDERS_TOPIC, type OrderEvent } from '@orders/contracts';
import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';

/** The six consumer groups of the seed's example (DESIGN.md). */
export const SIX_GROUPS = ['order-db', 'email', 'shipping', 'erp-stock', 'crm', 'promo-counter'] as const;

export const LEARNER_EMAIL = 'me@workshop.test';

/** Orders on the stream whose customer is the learner (newest 100 per partition are enough). */
export async function learnerOrders(ctx: LabContext, email = LEARNER_EMAIL): Promise<OrderEvent[]> {
  const t = await ctx.topic(ORDERS_TOPIC);
  const found: OrderEvent[] = [];
  for (const p of t?.partitions ?? [])
    for (const r of await ctx.records(ORDERS_TOPIC, p.partition)) {
      try {
        const o = JSON.parse(r.value ?? '') as OrderEvent;
        if (o.customer?.email === email) found.push(o);
      } catch {
        // not an order (a learner's test record): not ours to judge here
      }
    }
  return found;
}

export const setup: Lab = {
  id: '00',
  slug: 'setup',
  title: 'Setup: one order, six reactions',
  minutes: 5,
  claim: 'a producer puts the order on the stream, that is it; independent consumer groups react to it',
  async start(ctx) {
    const apps = await ctx.apps();
    const missing = apps.filter(
      (a) => a.kind === 'consumer' && !a.instances.some((i) => i.status === 'running'),
    );
    return [
      `demo found: console ${ctx.baseUrl}, Kafka ${ctx.bootstrap}`,
      missing.length
        ? `not running yet: ${missing.map((a) => a.name).join(', ')} (give it a few seconds)`
        : 'all consumer apps are running',
      `now place an order as ${LEARNER_EMAIL} (docs/workshop/00-setup.md, step 2)`,
    ];
  },
  async check(ctx) {
    const mine = await learnerOrders(ctx);
    const caughtUp = await Promise.all(SIX_GROUPS.map((g) => ctx.recentlyCaughtUp(g)));
    const behind = SIX_GROUPS.filter((_, i) => !caughtUp[i]);
    return [
      expect(
        mine.length > 0,
        `an order from ${LEARNER_EMAIL} is on the stream \`${ORDERS_TOPIC}\``,
        `place one with the curl command of step 2 (customer email ${LEARNER_EMAIL})`,
      ),
      expect(
        behind.length === 0,
        'all six consumer groups have processed everything on the stream (lag 0)',
        `still behind or missing: ${behind.join(', ')}; wait a few seconds, or check the Apps view`,
      ),
    ];
  },
  async solve(ctx) {
    // Right after `npm run demo` the storefront may still be starting: retry until it takes the order.
    await ctx.waitFor('the storefront to take an order', () => placeAs(ctx, LEARNER_EMAIL, 'WORKSHOP'));
    for (const g of SIX_GROUPS) await ctx.caughtUp(g);
  },
};

/** One order by a given e-mail address, through the storefront. */
export async function placeAs(ctx: LabContext, email: string, promoCode?: string): Promise<string> {
  const storefront = (await ctx.running('storefront'))[0];
  if (!storefront) throw new Error('the storefront is not running');
  const res = await fetch(`${storefront.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      customer: {
        email,
        name: 'Workshop Learner',
        address: { line1: '1 Lab Street', city: 'Utrecht', postalCode: '3511', country: 'NL' },
      },
      lines: [{ sku: 'MUG-001', qty: 1 }],
      ...(promoCode && { promoCode }),
    }),
  });
  if (res.status !== 202) throw new Error(`the storefront answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { orderId: string }).orderId;
}
