import { ORDERS_TOPIC } from '@orders/contracts';
import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';
import { runTool } from '../spawn.js';

const GROUP = 'promo-counter';
export const CRON_GROUP = 'nightly-report';

/** A jump in lag of ≥ 5 within one sample while the group had no members: someone moved its offsets back. */
async function sawRewind(ctx: LabContext): Promise<boolean> {
  const h = await ctx.lagHistory(GROUP);
  return h.some((p, i) => i > 0 && p.members === 0 && (p.lag ?? 0) - (h[i - 1]!.lag ?? 0) >= 5);
}

export const replay: Lab = {
  id: '10',
  slug: 'replay-and-rewind',
  title: 'Replay and rewind: reset a group to a time; a cron job that catches up and exits',
  minutes: 12,
  claim:
    'other applications can consume the same data at any point in time, run as cron jobs, and rewind their own execution',
  async start(ctx) {
    await ctx.scaleTo(GROUP, 1);
    return [
      `${GROUP} runs 1 instance. Stop it, rewind it 10 minutes, start it (steps 1–3); then the cron job (step 4).`,
    ];
  },
  async check(ctx) {
    const g = await ctx.group(GROUP);
    const cron = await ctx.group(CRON_GROUP);
    const t = await ctx.topic(ORDERS_TOPIC);
    const cronCommitted = (cron?.partitions ?? []).filter((p) => p.committedOffset !== null).length;
    return [
      expect(
        await sawRewind(ctx),
        `${GROUP}'s offsets were moved back while it was stopped (its lag jumped)`,
        `stop every ${GROUP} instance, then: npx sps groups reset-offsets --group ${GROUP} --topic orders --to-datetime <10 minutes ago>`,
      ),
      expect(
        await ctx.recentlyCaughtUp(GROUP),
        `${GROUP} runs again and has re-read everything since then (lag ${g?.lag ?? '?'})`,
        `start it again: console → Apps → ${GROUP} → "add instance"`,
      ),
      expect(
        cron !== null &&
          cronCommitted === (t?.partitions.filter((p) => p.highWatermark > 0).length ?? 5) &&
          cron.members.length === 0,
        `the cron-style group ${CRON_GROUP} ran, committed its place in every partition and exited`,
        'npm run lab -- cron-report (run it twice: the second run reads only what is new)',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.scaleTo(GROUP, 0);
    await ctx.waitFor(
      `${GROUP} to have no members`,
      async () => (await ctx.group(GROUP))?.members.length === 0,
    );
    await ctx.post(`/api/groups/${GROUP}/reset-offsets`, {
      topic: ORDERS_TOPIC,
      to: { timestamp: Date.now() - 10 * 60_000 },
    });
    await ctx.waitFor('the broker to sample the rewind', () => sawRewind(ctx), 30_000);
    await ctx.scaleTo(GROUP, 1);
    await ctx.caughtUp(GROUP, 1);
    await runTool(ctx, ['cron-report']);
    await runTool(ctx, ['cron-report']);
  },
};
