import { expect, type Lab } from '../lab.js';

const GROUP = 'order-db';

export const consumerGroups: Lab = {
  id: '04',
  slug: 'coordinator-and-consumer-groups',
  title: 'The coordinator splits the partitions across a group',
  minutes: 8,
  claim:
    'a coordinator keeps your index for you, and lets several instances of one consumer share the stream without processing a record twice',
  async start(ctx) {
    await ctx.scaleTo(GROUP, 1);
    return [`${GROUP} runs 1 instance: it owns all 5 partitions. Add a second one (step 2).`];
  },
  async check(ctx) {
    const g = await ctx.group(GROUP);
    const owned = (g?.members ?? []).map((m) =>
      (m.assignment ?? []).reduce((a, t) => a + t.partitions.length, 0),
    );
    return [
      expect(
        g?.members.length === 2,
        `group ${GROUP} has 2 members (now ${g?.members.length ?? 0})`,
        `add one: console → Apps → ${GROUP} → "add instance", or curl -X POST -H 'content-type: application/json' ${ctx.baseUrl}/api/apps/${GROUP}/instances`,
      ),
      expect(
        owned.length === 2 && owned.every((n) => n >= 2) && owned.reduce((a, b) => a + b, 0) === 5,
        `the 5 partitions are split between them (${owned.join(' + ') || 'none'})`,
        'wait for the rebalance to finish (the group is Stable again in a few seconds)',
      ),
      expect(
        await ctx.recentlyCaughtUp(GROUP, 30_000, 2),
        `${GROUP} is caught up (lag ${g?.lag ?? '?'})`,
        'wait a few seconds',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.scaleTo(GROUP, 2);
    await ctx.caughtUp(GROUP, 2);
  },
};
