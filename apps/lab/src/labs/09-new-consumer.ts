import { ORDERS_TOPIC } from '@orders/contracts';
import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';
import { buildApp, removeApp, scaffoldApp, startApp } from '../scaffold.js';
import { SIX_GROUPS } from './00-setup.js';

export const NEW_GROUP = 'fraud-flag';
const GENERATIONS_KEY = '09-generations';

async function generations(ctx: LabContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const g of SIX_GROUPS) out[g] = (await ctx.group(g))?.generation ?? -1;
  return out;
}

export const newConsumer: Lab = {
  id: '09',
  slug: 'add-a-new-consumer',
  title: 'Add a consumer that was never there: it reads the whole history, nobody else notices',
  minutes: 12,
  claim:
    'a new application gets its own place on the stream; you add and remove applications and none of the other infrastructure is disturbed',
  async start(ctx) {
    await ctx.giveAnswer(GENERATIONS_KEY, JSON.stringify(await generations(ctx)));
    return [
      'noted the six groups’ generations (a rebalance would change them)',
      `scaffold the app: npm run new-consumer -- ${NEW_GROUP}; build it; start it (steps 1–3)`,
    ];
  },
  async check(ctx) {
    const g = await ctx.group(NEW_GROUP);
    const t = await ctx.topic(ORDERS_TOPIC);
    const committed = new Map(
      (g?.partitions ?? []).filter((p) => p.topic === ORDERS_TOPIC).map((p) => [p.partition, p]),
    );
    const all = (t?.partitions ?? []).every(
      (p) => p.highWatermark === 0 || committed.get(p.partition)?.committedOffset != null,
    );
    // From the broker's history, so the check also holds after the app was stopped (or removed) again.
    const history = await ctx.lagHistory(NEW_GROUP);
    const ran = Boolean(g && g.members.length > 0) || history.some((p) => (p.members ?? 0) > 0);
    const caughtUp = history.some((p) => (p.members ?? 0) > 0 && p.lag === 0);
    const before = await ctx.answer(GENERATIONS_KEY);
    const now = await generations(ctx);
    const moved = before
      ? Object.entries(JSON.parse(before) as Record<string, number>)
          .filter(([k, v]) => now[k] !== v)
          .map(([k]) => k)
      : null;
    return [
      expect(
        ran,
        `group ${NEW_GROUP} exists and has (had) a member`,
        `start it: see step 3 of docs/workshop/09-add-a-new-consumer.md`,
      ),
      expect(
        all,
        `${NEW_GROUP} has read every partition of ${ORDERS_TOPIC} from the beginning`,
        'give it a few seconds: it is replaying history',
      ),
      expect(
        caughtUp,
        `${NEW_GROUP} caught up with the whole history (lag 0)`,
        `wait until it has read it all (lag now ${g?.lag ?? '?'})`,
      ),
      expect(
        moved !== null && moved.length === 0,
        'none of the six existing groups rebalanced meanwhile (same generations)',
        moved === null
          ? 'run npm run lab -- start 9 first (it notes the generations)'
          : `these groups changed generation: ${moved.join(', ')} — did an instance restart?`,
      ),
    ];
  },
  async solve(ctx) {
    await ctx.giveAnswer(GENERATIONS_KEY, JSON.stringify(await generations(ctx)));
    await scaffoldApp(NEW_GROUP, { force: true });
    await buildApp(NEW_GROUP);
    const app = await startApp(NEW_GROUP, ctx.bootstrap, ctx.say);
    try {
      await ctx.caughtUp(NEW_GROUP, 1);
      await ctx.waitFor('the check of lab 09 to pass', async () =>
        (await newConsumer.check(ctx)).every((e) => e.ok),
      );
    } finally {
      await app.stop();
      await removeApp(NEW_GROUP);
    }
  },
};
