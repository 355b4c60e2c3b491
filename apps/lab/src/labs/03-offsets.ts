import { ORDERS_TOPIC, type OrderEvent } from '@orders/contracts';
import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';

const PARTITION = 2;

/** The order the question asks about: the one at offset 3 of partition 2 (or the first retained one after it). */
async function target(ctx: LabContext): Promise<{ offset: number; orderId: string } | null> {
  const t = await ctx.topic(ORDERS_TOPIC);
  const p = t?.partitions[PARTITION];
  if (!p || p.highWatermark <= p.logStartOffset) return null;
  const offset = Math.min(Math.max(3, p.logStartOffset), p.highWatermark - 1);
  const [r] = await ctx.records(ORDERS_TOPIC, PARTITION, offset, 1);
  if (!r) return null;
  return { offset: r.offset, orderId: (JSON.parse(r.value ?? '{}') as OrderEvent).orderId };
}

export const offsets: Lab = {
  id: '03',
  slug: 'offsets-and-your-own-index',
  title: 'Offsets: a consumer asks for records at an index',
  minutes: 8,
  claim:
    'consumers do not just ask for the next record: they manage their own position and read at a given index',
  async start(ctx) {
    const t = await target(ctx);
    return [
      t
        ? `question: which order id is at partition ${PARTITION}, offset ${t.offset} of \`${ORDERS_TOPIC}\`?`
        : `partition ${PARTITION} has no records yet: turn the order trickle on (Apps view) and try again`,
      'answer with: echo "03:<orderId>" | npx sps produce lab-answers -K :',
    ];
  },
  async check(ctx) {
    const t = await target(ctx);
    if (!t)
      return [
        expect(false, `partition ${PARTITION} of ${ORDERS_TOPIC} has records`, 'let the order trickle run'),
      ];
    const answer = await ctx.answer('03');
    return [
      expect(
        answer === t.orderId,
        `your answer is the order id at partition ${PARTITION}, offset ${t.offset}`,
        answer
          ? `you answered ${answer}; read it again: npx sps consume ${ORDERS_TOPIC} --partition ${PARTITION} --offset ${t.offset} -n 1 --format json`
          : 'no answer yet: echo "03:<orderId>" | npx sps produce lab-answers -K :',
      ),
    ];
  },
  async solve(ctx) {
    const t = await ctx.waitFor('a record in partition 2 of orders', () => target(ctx));
    await ctx.giveAnswer('03', t.orderId);
  },
};
