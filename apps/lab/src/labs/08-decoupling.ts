import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';
import { SIX_GROUPS } from './00-setup.js';

const STOPPED = 'email';
const OTHERS = SIX_GROUPS.filter((g) => g !== STOPPED);

/** In the broker's lag history: a moment when email was behind while every other group was caught up. */
async function sawDecoupling(ctx: LabContext): Promise<boolean> {
  const h = await ctx.get<{ lag: Record<string, Array<{ t: number; lag: number | null }>> }>('/api/history');
  const email = h.lag[STOPPED] ?? [];
  return email.some(
    (p) =>
      (p.lag ?? 0) >= 3 &&
      OTHERS.every((g) => (h.lag[g] ?? []).some((q) => Math.abs(q.t - p.t) < 1500 && q.lag === 0)),
  );
}

export const decoupling: Lab = {
  id: '08',
  slug: 'many-groups-and-decoupling',
  title: 'Many groups, each at its own place: stop email, the others carry on',
  minutes: 10,
  claim:
    'the coordinator keeps every group’s index independently: if one application goes down the others continue, and it catches up later',
  async start(ctx) {
    await ctx.scaleTo(STOPPED, 1);
    await ctx.setRate(1);
    return [`${STOPPED} runs 1 instance; the order trickle is at 1 order/s. Stop ${STOPPED} (step 1).`];
  },
  async check(ctx) {
    const running = (await ctx.running(STOPPED)).length;
    const g = await ctx.group(STOPPED);
    const seen = await sawDecoupling(ctx);
    return [
      expect(
        seen,
        `${STOPPED} fell behind (lag ≥ 3) while the five other groups stayed at lag 0`,
        `stop every ${STOPPED} instance (console → Apps → ${STOPPED} → stop), keep orders coming, wait ~10 s`,
      ),
      expect(running > 0, `${STOPPED} runs again`, `start it: console → Apps → ${STOPPED} → "add instance"`),
      expect(
        await ctx.recentlyCaughtUp(STOPPED),
        `${STOPPED} has caught up (lag ${g?.lag ?? '?'}), no order lost`,
        'give it a few seconds',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.setRate(1);
    await ctx.scaleTo(STOPPED, 0);
    await ctx.placeOrders(5);
    await ctx.waitFor('email behind while the others are caught up', () => sawDecoupling(ctx), 60_000);
    await ctx.scaleTo(STOPPED, 1);
    await ctx.caughtUp(STOPPED);
  },
};
