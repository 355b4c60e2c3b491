/**
 * A consumer the learner runs and crashes: group `lab-tally` (or another), reads `orders` from the
 * group's committed position, applies an "effect" per order (a record on `lab-tally-effects`, keyed
 * by order id) and commits its position only every 10 orders — after the effect, as at-least-once
 * consumers do. `--crash-after N` kills the process (SIGKILL) after N effects, between an effect and
 * its commit; the next run redoes what was not committed. `--idempotent` first reads which orders
 * were applied already and skips them. It stops once it has caught up with the end of the stream as
 * it was when it started: the cron-style consumer of lab 10, too.
 */
import { ORDERS_TOPIC, type OrderEvent } from '@orders/contracts';
import type { LabContext } from '../context.js';

export const EFFECTS_TOPIC = 'lab-tally-effects';
const COMMIT_EVERY = 10;

export interface TallyOptions {
  group: string;
  crashAfter?: number;
  idempotent?: boolean;
  /** Where effects go (default `lab-tally-effects`); null: none, just a summary (the cron report). */
  effectsTopic?: string | null;
}

export interface TallySummary {
  group: string;
  read: number;
  applied: number;
  skipped: number;
  revenueCents: number;
  byPromo: Record<string, number>;
}

export async function runTally(ctx: LabContext, o: TallyOptions): Promise<TallySummary> {
  const effects = o.effectsTopic === undefined ? EFFECTS_TOPIC : o.effectsTopic;
  if (effects) await ctx.ensureTopic(effects, 1);
  const done = new Set<string>();
  if (o.idempotent && effects)
    for (const r of await ctx.allRecords(effects))
      if (r.key && r.value && (JSON.parse(r.value) as { result: string }).result === 'applied')
        done.add(r.key);

  const admin = await ctx.admin();
  const offsets = await admin.fetchTopicOffsets(ORDERS_TOPIC);
  const ends = new Map(offsets.map((p) => [p.partition, Number(p.high)]));
  const starts = new Map(offsets.map((p) => [p.partition, Number(p.low)]));
  const committed = await admin.fetchOffsets({ groupId: o.group, topics: [ORDERS_TOPIC] });
  const position = new Map<number, number>();
  for (const p of committed[0]?.partitions ?? []) position.set(p.partition, Number(p.offset));
  // -1: nothing committed yet (the group starts at the oldest retained record).
  const remaining = () =>
    [...ends].some(([p, high]) => Math.max(position.get(p) ?? 0, starts.get(p) ?? 0) < high);

  const summary: TallySummary = {
    group: o.group,
    read: 0,
    applied: 0,
    skipped: 0,
    revenueCents: 0,
    byPromo: {},
  };
  const producer = await ctx.producer();
  const consumer = ctx.kafka().consumer({ groupId: o.group, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: ORDERS_TOPIC, fromBeginning: true });
  const pending = new Map<number, number>();
  const commit = async () => {
    if (!pending.size) return;
    await consumer.commitOffsets(
      [...pending].map(([partition, next]) => ({ topic: ORDERS_TOPIC, partition, offset: String(next) })),
    );
    pending.clear();
  };
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  if (!remaining()) finish();
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      if (offset >= (ends.get(partition) ?? 0)) return; // newer than the run: the next run's work
      summary.read++;
      let order: OrderEvent | null = null;
      try {
        order = JSON.parse(message.value?.toString() ?? '') as OrderEvent;
      } catch {
        order = null;
      }
      if (order?.orderId) {
        const dup = done.has(order.orderId);
        if (dup) summary.skipped++;
        else {
          summary.applied++;
          summary.revenueCents += order.totalCents ?? 0;
          if (order.promoCode) summary.byPromo[order.promoCode] = (summary.byPromo[order.promoCode] ?? 0) + 1;
          if (o.idempotent) done.add(order.orderId);
        }
        if (effects)
          await producer.send({
            topic: effects,
            messages: [
              {
                key: order.orderId,
                value: JSON.stringify({
                  result: dup ? 'skipped' : 'applied',
                  group: o.group,
                  partition,
                  offset,
                }),
              },
            ],
          });
        if (o.crashAfter !== undefined && summary.applied + summary.skipped >= o.crashAfter) {
          console.log(
            `crashing now (SIGKILL) after ${o.crashAfter} effects; what it did since its last commit (it commits every ${COMMIT_EVERY}) will be redone`,
          );
          process.kill(process.pid, 'SIGKILL');
        }
      }
      pending.set(partition, offset + 1);
      position.set(partition, offset + 1);
      if (summary.read % COMMIT_EVERY === 0) await commit();
      if (!remaining()) finish();
    },
  });
  await finished;
  await commit();
  await consumer.disconnect();
  return summary;
}
