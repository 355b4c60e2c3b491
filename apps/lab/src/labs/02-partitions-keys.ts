import { expect, type Lab } from '../lab.js';

export const KEYS_TOPIC = 'lab-keys';
const KEYS = ['alice', 'bob', 'carol'];

export const partitionsKeys: Lab = {
  id: '02',
  slug: 'partitions-and-keys',
  title: 'Partitions spread the data; a key keeps its records in order',
  minutes: 10,
  claim:
    'with several partitions and no key there is no guaranteed order; with a key, order is kept within its partition',
  async start(ctx) {
    const created = await ctx.ensureTopic(KEYS_TOPIC, 3);
    return [
      created ? `created topic ${KEYS_TOPIC} with 3 partitions` : `topic ${KEYS_TOPIC} exists already`,
      'now produce keyed records (alice:1, bob:1, …) and unkeyed ones (step 2)',
    ];
  },
  async check(ctx) {
    const t = await ctx.topic(KEYS_TOPIC);
    if (!t) return [expect(false, `topic ${KEYS_TOPIC} exists`, 'run: npm run lab -- start 2')];
    const records = await ctx.allRecords(KEYS_TOPIC);
    const keyed = records.filter((r) => r.key && KEYS.includes(r.key));
    const unkeyed = records.filter((r) => r.key === null);
    const partitionsOf = (key: string) => new Set(keyed.filter((r) => r.key === key).map((r) => r.partition));
    const inOrder = (key: string) => {
      const vs = keyed.filter((r) => r.key === key).map((r) => Number(r.value));
      return vs.every((v, i) => i === 0 || v > vs[i - 1]!);
    };
    const enough = KEYS.filter((k) => keyed.filter((r) => r.key === k).length >= 3);
    return [
      expect(t.partitions.length === 3, `${KEYS_TOPIC} has 3 partitions`),
      expect(
        enough.length === KEYS.length,
        `each of ${KEYS.join(', ')} has at least 3 records`,
        `produce them: printf 'alice:1\\nbob:1\\ncarol:1\\nalice:2\\n…' | npx sps produce ${KEYS_TOPIC} -K :`,
      ),
      expect(
        KEYS.every((k) => partitionsOf(k).size === 1),
        'all the records of one key are in one partition',
        KEYS.map((k) => `${k}: partitions ${[...partitionsOf(k)].join(',')}`).join('; '),
      ),
      expect(
        KEYS.every(inOrder),
        "each key's values come back in the order they were produced (1, 2, 3)",
        "produce each key's numbers in increasing order",
      ),
      expect(
        new Set(unkeyed.map((r) => r.partition)).size > 1,
        `records without a key went to more than one partition (${unkeyed.length} unkeyed)`,
        `produce a few lines without a key, one command each: echo hello | npx sps produce ${KEYS_TOPIC}`,
      ),
    ];
  },
  async solve(ctx) {
    await ctx.ensureTopic(KEYS_TOPIC, 3);
    const producer = await ctx.producer();
    for (let n = 1; n <= 3; n++)
      await producer.send({ topic: KEYS_TOPIC, messages: KEYS.map((key) => ({ key, value: String(n) })) });
    for (let n = 0; n < 6; n++)
      await producer.send({ topic: KEYS_TOPIC, messages: [{ value: `no key ${n}` }] });
  },
};
