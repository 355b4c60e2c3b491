import { expect, type Lab } from '../lab.js';

export const SCALE_TOPIC = 'lab-scale';
const KEYS = Array.from({ length: 10 }, (_, i) => `customer-${i + 1}`);

export const morePartitions: Lab = {
  id: '12',
  slug: 'scaling-partitions-up',
  title: 'More partitions: up is easy, down is not, and keys move',
  minutes: 10,
  claim: 'any SPS can scale partitions up; Kafka cannot scale the number of partitions down',
  async start(ctx) {
    const created = await ctx.ensureTopic(SCALE_TOPIC, 2);
    return [
      created ? `created ${SCALE_TOPIC} with 2 partitions` : `${SCALE_TOPIC} exists already`,
      'produce customer-1 … customer-10 once (step 1), grow it to 4 partitions (step 2), produce again (step 3)',
    ];
  },
  async check(ctx) {
    const t = await ctx.topic(SCALE_TOPIC);
    if (!t) return [expect(false, `${SCALE_TOPIC} exists`, 'npm run lab -- start 12')];
    const records = await ctx.allRecords(SCALE_TOPIC);
    const moved = KEYS.filter(
      (k) => new Set(records.filter((r) => r.key === k).map((r) => r.partition)).size > 1,
    );
    const answer = await ctx.answer('12');
    return [
      expect(
        t.partitions.length >= 4,
        `${SCALE_TOPIC} has grown to 4 partitions (now ${t.partitions.length})`,
        `npx sps topics add-partitions ${SCALE_TOPIC} --total 4`,
      ),
      expect(
        moved.length > 0,
        `some keys now live in two partitions: ${moved.join(', ') || 'none yet'} — their order across the change is gone`,
        'produce the same ten keys again after adding partitions (step 3)',
      ),
      expect(
        /^(no|false|0)$/i.test(answer ?? ''),
        'you found that a topic cannot shrink (answer 12: no)',
        `try npx sps topics add-partitions ${SCALE_TOPIC} --total 2, read the error, then: echo "12:no" | npx sps produce lab-answers -K :`,
      ),
    ];
  },
  async solve(ctx) {
    await ctx.ensureTopic(SCALE_TOPIC, 2);
    const producer = await ctx.producer();
    await producer.send({ topic: SCALE_TOPIC, messages: KEYS.map((key) => ({ key, value: 'before' })) });
    const t = await ctx.topic(SCALE_TOPIC);
    if (t!.partitions.length < 4) await ctx.post(`/api/topics/${SCALE_TOPIC}/partitions`, { total: 4 });
    // kafkajs refreshes its metadata before it sees the new partitions; wait until it has.
    const admin = await ctx.admin();
    await ctx.waitFor('4 partitions in the metadata', async () => {
      const m = await admin.fetchTopicMetadata({ topics: [SCALE_TOPIC] });
      return m.topics[0]?.partitions.length === 4;
    });
    const fresh = ctx.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await fresh.connect();
    await fresh.send({ topic: SCALE_TOPIC, messages: KEYS.map((key) => ({ key, value: 'after' })) });
    await fresh.disconnect();
    await ctx.giveAnswer('12', 'no');
  },
};
