import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';
import { runTool } from '../spawn.js';
import { canRestartBroker, RETRY_TOPIC } from '../tools/lost-ack.js';

interface Run {
  idempotent: boolean;
  restart: boolean;
  copies: number;
}

/** Each lost-ack run on `lab-retry`: its mode (from the headers) and how many copies of it landed. */
async function runs(ctx: LabContext): Promise<Run[]> {
  const byRun = new Map<string, Run>();
  for (const r of await ctx.allRecords(RETRY_TOPIC)) {
    if (!r.value) continue;
    const h = Object.fromEntries(r.headers.map((x) => [x.key, x.value]));
    const run = byRun.get(r.value) ?? {
      idempotent: h.idempotent === 'true',
      restart: h['restart-broker'] === 'true',
      copies: 0,
    };
    run.copies++;
    byRun.set(r.value, run);
  }
  return [...byRun.values()];
}

export const producerRetry: Lab = {
  id: '07',
  slug: 'at-least-once-producer-retry',
  title: 'At-least-once, part 2: a lost acknowledgement and a producer retry',
  minutes: 10,
  claim:
    'if the acknowledgement of a produce is lost and the producer sends again, the stream holds the record twice',
  async start(ctx) {
    return [
      (await canRestartBroker(ctx))
        ? 'this demo can restart its broker: all three runs are possible'
        : 'this demo runs on an external broker: the restart run is not possible here',
      'run: npm run lab -- lost-ack --no-idempotence; then npm run lab -- lost-ack; then npm run lab -- lost-ack --restart-broker',
    ];
  },
  async check(ctx) {
    const all = await runs(ctx);
    const plain = all.filter((r) => !r.idempotent);
    const idem = all.filter((r) => r.idempotent && !r.restart);
    const restarted = all.filter((r) => r.idempotent && r.restart);
    return [
      expect(
        plain.some((r) => r.copies >= 2),
        'without idempotence, the retried record is on the stream twice',
        plain.length
          ? `copies seen: ${plain.map((r) => r.copies).join(', ')}`
          : 'npm run lab -- lost-ack --no-idempotence',
      ),
      expect(
        idem.length > 0 && idem.every((r) => r.copies === 1),
        'with the idempotent producer, the broker recognised the retry: one copy',
        idem.length ? `copies seen: ${idem.map((r) => r.copies).join(', ')}` : 'npm run lab -- lost-ack',
      ),
      expect(
        restarted.length > 0 && restarted.every((r) => r.copies === 1),
        'with the idempotent producer and a broker restart between the send and the retry: still one copy',
        restarted.length
          ? `copies seen: ${restarted.map((r) => r.copies).join(', ')}: this broker forgot the producer's sequence numbers when it restarted ` +
              '(idempotent-producer state that survives a restart is the reliability work; until it is in, this check fails honestly)'
          : 'npm run lab -- lost-ack --restart-broker',
      ),
    ];
  },
  async solve(ctx) {
    await runTool(ctx, ['lost-ack', '--no-idempotence']);
    await runTool(ctx, ['lost-ack']);
    if (await canRestartBroker(ctx)) await runTool(ctx, ['lost-ack', '--restart-broker']);
  },
};
