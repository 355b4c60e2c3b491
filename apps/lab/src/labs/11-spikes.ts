import { expect, type Lab } from '../lab.js';

const GROUP = 'shipping';
const SLOW_MS = 300;

export const spikes: Lab = {
  id: '11',
  slug: 'traffic-spikes-and-scaling',
  title: 'A traffic spike: the stream buffers it, more instances drain it',
  minutes: 10,
  claim:
    'an SPS handles heavy traffic and scales horizontally, a buffer between your infrastructure and traffic spikes',
  async start(ctx) {
    await ctx.scaleTo(GROUP, 1);
    await ctx.post('/api/carrier/latency', { ms: SLOW_MS });
    return [
      `${GROUP} runs 1 instance and the carrier takes ${SLOW_MS} ms per request: ${GROUP} books one partition's backlog per request, one partition after the other.`,
      'now send a burst of orders (step 1), watch the lag, then add instances (step 2)',
    ];
  },
  async check(ctx) {
    const h = await ctx.lagHistory(GROUP);
    const peak = h.reduce((m, p) => Math.max(m, p.lag ?? 0), 0);
    const peakAt = h.findIndex((p) => (p.lag ?? 0) === peak);
    const scaledAfter = h.slice(peakAt).some((p) => (p.members ?? 0) >= 3);
    const g = await ctx.group(GROUP);
    return [
      expect(
        peak >= 20,
        `a burst built up a backlog: ${GROUP}'s lag reached ${peak}`,
        'npm run orders -- --rate 50 --count 100 (add --url for a storefront not on :3000)',
      ),
      expect(
        scaledAfter,
        `${GROUP} was scaled to 3 or more instances while behind`,
        `console → Apps → ${GROUP} → "add instance" twice`,
      ),
      expect(
        await ctx.recentlyCaughtUp(GROUP),
        `${GROUP} drained the backlog (lag ${g?.lag ?? '?'}), not one order lost`,
        'give it a few seconds',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.post('/api/carrier/latency', { ms: SLOW_MS });
    await ctx.scaleTo(GROUP, 1);
    const burst = Array.from({ length: 10 }, () => ctx.placeOrders(8));
    await Promise.all(burst);
    await ctx.waitFor(
      `${GROUP}'s lag to reach 20`,
      async () => (await ctx.lagHistory(GROUP)).some((p) => (p.lag ?? 0) >= 20),
      30_000,
    );
    await ctx.scaleTo(GROUP, 3);
    await ctx.caughtUp(GROUP, 3, 180_000);
    await ctx.post('/api/carrier/restore');
  },
};
