import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';

const GROUP = 'email';

interface Health {
  id: number;
  health?: { assigned?: Record<string, number[]> };
}

/** The running instances that own at least one partition (from each instance's GET /health). */
export async function owners(ctx: LabContext, app: string): Promise<number[]> {
  const { instances } = await ctx.get<{ instances: Health[] }>(`/api/apps/${app}/health`);
  return instances
    .filter((i) => Object.values(i.health?.assigned ?? {}).some((ps) => ps.length > 0))
    .map((i) => i.id);
}

export const idleConsumers: Lab = {
  id: '05',
  slug: 'more-consumers-than-partitions',
  title: '5 partitions, 7 consumers: 2 sit idle, and step in when an owner dies',
  minutes: 10,
  claim:
    'consumers never exceed the number of partitions: with 5 partitions and 7 consumers, 5 get a partition and 2 sit idle',
  async start(ctx) {
    await ctx.scaleTo(GROUP, 1);
    return [
      `${GROUP} runs 1 instance. Scale it to 7 (step 1), then kill one that owns a partition (step 3).`,
    ];
  },
  async check(ctx) {
    const history = await ctx.lagHistory(GROUP);
    const sevenIdle = history.findIndex((p) => (p.members ?? 0) >= 7 && (p.idle ?? 0) >= 2);
    const afterDeath =
      sevenIdle >= 0 && history.slice(sevenIdle).some((p) => p.members === 6 && p.idle === 1);
    const killed = (await ctx.app(GROUP)).instances.some((i) => i.signal === 'SIGKILL');
    const g = await ctx.group(GROUP);
    return [
      expect(
        sevenIdle >= 0,
        `group ${GROUP} had 7 members with 2 idle (in the broker's last 10 minutes)`,
        `scale ${GROUP} to 7 instances: console → Apps → ${GROUP} → "add instance" six times`,
      ),
      expect(
        killed && afterDeath,
        'an instance was killed (SIGKILL) and the group went on with 6 members, 1 idle',
        killed
          ? 'wait ~10 s (the session timeout) for the coordinator to notice the dead member'
          : `kill one that owns a partition: console → Apps → ${GROUP} → "kill" on an instance marked with partitions`,
      ),
      expect(
        await ctx.recentlyCaughtUp(GROUP),
        `${GROUP} is caught up (lag ${g?.lag ?? '?'}): no order lost`,
        'wait a few seconds',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.scaleTo(GROUP, 7);
    await ctx.waitFor('7 members, 2 of them idle', async () => {
      const g = await ctx.group(GROUP);
      return g?.state === 'Stable' && g.members.length === 7 && g.members.filter((m) => m.idle).length === 2;
    });
    const [owner] = await ctx.waitFor('an instance that owns partitions', async () => {
      const o = await owners(ctx, GROUP);
      return o.length ? o : null;
    });
    await ctx.kill(GROUP, owner!);
    await ctx.waitFor('the coordinator to drop the dead member (6 members, 1 idle)', async () => {
      const h = await ctx.lagHistory(GROUP);
      return h.some((p) => p.members === 6 && p.idle === 1);
    });
    await ctx.caughtUp(GROUP, 6);
  },
};
