import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';
import { runTool } from '../spawn.js';
import { EFFECTS_TOPIC } from '../tools/tally.js';

interface Effect {
  key: string;
  result: 'applied' | 'skipped';
}

async function effects(ctx: LabContext): Promise<Effect[]> {
  return (await ctx.allRecords(EFFECTS_TOPIC)).flatMap((r) =>
    r.key && r.value ? [{ key: r.key, result: (JSON.parse(r.value) as Effect).result }] : [],
  );
}

export const consumerCrash: Lab = {
  id: '06',
  slug: 'at-least-once-consumer-crash',
  title: 'At-least-once, part 1: a consumer crashes between its effect and its commit',
  minutes: 10,
  claim:
    'if the consumer crashes after receiving a record but before acknowledging it, the record is processed again when it recovers',
  async start(ctx) {
    const t = await ctx.topic(EFFECTS_TOPIC);
    return [
      t ? `${EFFECTS_TOPIC} has ${t.retainedRecords} effects from earlier runs` : 'no tally has run yet',
      'run: npm run lab -- tally --crash-after 25   (then run it again without --crash-after)',
    ];
  },
  async check(ctx) {
    const all = await effects(ctx);
    const applied = new Map<string, number>();
    for (const e of all) if (e.result === 'applied') applied.set(e.key, (applied.get(e.key) ?? 0) + 1);
    const twice = [...applied.values()].filter((n) => n > 1).length;
    const skipped = all.filter((e) => e.result === 'skipped').length;
    return [
      expect(
        all.length > 0,
        `the tally consumer ran (${all.length} effects on ${EFFECTS_TOPIC})`,
        'npm run lab -- tally --crash-after 25',
      ),
      expect(
        twice > 0,
        `some orders were applied twice after the crash (${twice} of them): at-least-once, not exactly-once`,
        'crash it (--crash-after 25), then run it again without the flag: it redoes what it had not committed',
      ),
      expect(
        skipped > 0,
        `an idempotent run recognised orders it had applied and skipped them (${skipped} skipped)`,
        'npm run lab -- tally --crash-after 25 --idempotent, then npm run lab -- tally --idempotent',
      ),
    ];
  },
  async solve(ctx) {
    // The crash after 25 effects needs more than 25 orders on the stream.
    const have = await ctx.endOffsets();
    if (have < 40) await ctx.placeOrders(40 - have);
    await runTool(ctx, ['tally', '--crash-after', '25'], { expectCrash: true });
    await runTool(ctx, ['tally']);
    await ctx.placeOrders(3);
    await runTool(ctx, ['tally', '--crash-after', '2', '--idempotent'], { expectCrash: true });
    await runTool(ctx, ['tally', '--idempotent']);
  },
};
