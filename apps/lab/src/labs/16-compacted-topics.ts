import { CUSTOMERS_TOPIC, customerIdFromEmail, type CustomerState } from '@orders/contracts';
import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';
import { runTool } from '../spawn.js';

const APP = 'crm';
/** The customer `solve` creates and forgets: nobody else orders as them. */
const FORGET_ME = 'lab16-forget-me';

async function crmUrl(ctx: LabContext): Promise<string | null> {
  return (await ctx.running(APP)).find((i) => i.status === 'running')?.url ?? null;
}

/**
 * One read of the topic: its records, the table they replay to (the latest record per key; a tombstone
 * deletes), and whether the cleaner has run (fewer records than the offsets given out).
 */
async function replay(ctx: LabContext) {
  const topic = await ctx.topic(CUSTOMERS_TOPIC);
  const records = topic ? await ctx.allRecords(CUSTOMERS_TOPIC) : [];
  const rows = new Map<string, CustomerState>();
  for (const r of records) {
    if (r.key === null) continue;
    if (r.value === null) rows.delete(r.key);
    else rows.set(r.key, JSON.parse(r.value) as CustomerState);
  }
  const p = topic?.partitions[0];
  const offsets = p ? Math.max(p.highWatermark, (records.at(-1)?.offset ?? -1) + 1) - p.logStartOffset : 0;
  return { topic, records, rows, offsets, compacted: records.length > 0 && records.length < offsets };
}

export const compactedTopics: Lab = {
  id: '16',
  slug: 'compacted-topics-as-tables',
  title: 'A compacted topic is a table: the latest state per key, tombstones, replay',
  minutes: 12,
  claim:
    'a stream keeps data for a TTL — or, compacted, the latest record of every key for as long as it is the latest',
  async start(ctx) {
    await ctx.scaleTo(APP, 1);
    const load = await ctx.get<{ rate: number }>('/api/load');
    if (!load.rate) await ctx.setRate(0.5);
    await ctx.waitFor(`${APP} to create the topic ${CUSTOMERS_TOPIC}`, () => ctx.topic(CUSTOMERS_TOPIC));
    return [
      `${APP} runs 1 instance and writes each customer's current state to the compacted topic ${CUSTOMERS_TOPIC}` +
        (load.rate ? '' : ' (the order trickle is on again, one order every 2 s)'),
      'look at it, watch it shrink, replay it (steps 2–4), then forget yourself (step 5)',
    ];
  },
  async check(ctx) {
    const c = await replay(ctx);
    const { records, rows } = c;
    const policy = c.topic?.overrides['cleanup.policy'] ?? 'delete';

    // The replayed table against crm's own: rows with the same last order must be equal; a row whose
    // newer state is still on its way (lastOrderAt differs) is neither.
    const url = await crmUrl(ctx);
    const crm = url ? ((await (await fetch(`${url}/customers?limit=500`)).json()) as CustomerState[]) : [];
    let agree = 0;
    let differ = 0;
    for (const want of crm) {
      const got = rows.get(want.id);
      if (!got || got.lastOrderAt !== want.lastOrderAt) continue;
      if (JSON.stringify(got) === JSON.stringify(want)) agree++;
      else differ++;
    }

    const tombstone = records.filter((r) => r.value === null).at(-1);
    const goneFromCrm =
      tombstone?.key && url ? (await fetch(`${url}/customers/${tombstone.key}`)).status === 404 : false;

    return [
      expect(
        policy.split(',').includes('compact') && records.length > 0,
        `${CUSTOMERS_TOPIC} is a compacted topic (cleanup.policy=${policy}) that ${APP} writes (${records.length} records)`,
        c.topic
          ? `${CUSTOMERS_TOPIC} has cleanup.policy=${policy}; delete it (npx sps topics delete ${CUSTOMERS_TOPIC}) and restart ${APP}: it creates it compacted`
          : `start ${APP} (console → Apps → crm → add instance): it creates ${CUSTOMERS_TOPIC}`,
      ),
      expect(
        c.compacted,
        `the cleaner compacted it: ${records.length} records left for ${c.offsets} offsets (the gaps were older states)`,
        'segments close every 10 s (at the next write) and the cleaner then keeps the latest per key: wait a little and look again (npm run lab -- table)',
      ),
      expect(
        url !== null && agree > 0 && differ === 0 && agree >= 0.8 * crm.length,
        `replaying ${CUSTOMERS_TOPIC} from offset 0 gives crm's table: ${agree} of ${crm.length} customers equal` +
          (differ ? `, ${differ} different` : ''),
        url
          ? `compare npm run lab -- table with curl -s localhost:3005/customers`
          : `start ${APP} (console → Apps)`,
      ),
      expect(
        goneFromCrm,
        tombstone
          ? `a customer was forgotten: the tombstone for ${tombstone.key} (offset ${tombstone.offset}) is on ${CUSTOMERS_TOPIC} and crm answers 404`
          : `a customer was forgotten: a tombstone (null value) is on ${CUSTOMERS_TOPIC}`,
        tombstone
          ? `crm knows ${tombstone.key} again (they ordered since): forget a customer who does not order, e.g. yourself`
          : 'curl -X DELETE localhost:3005/admin/customers/me@workshop.test, then check within a minute: after delete.retention.ms (60 s) the cleaner removes the tombstone too (forgetting again writes a new one)',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.placeOrders(2, { customer: FORGET_ME });
    const id = customerIdFromEmail(`${FORGET_ME}@example.org`);
    await ctx.waitFor(`${APP} to publish ${id} with 2 orders`, async () => {
      return (await replay(ctx)).rows.get(id)?.orderCount === 2;
    });
    await ctx.waitFor('the cleaner to compact customers', async () => (await replay(ctx)).compacted, 120_000);
    await runTool(ctx, ['table']);
    const url = await crmUrl(ctx);
    if (!url) throw new Error(`${APP} is not running`);
    const res = await fetch(`${url}/admin/customers/${FORGET_ME}@example.org`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`DELETE /admin/customers answered ${res.status}: ${await res.text()}`);
    ctx.say(`  forgot ${id}: ${await res.text()}`);
    await runTool(ctx, ['table']);
  },
};
