import { expect, type Lab } from '../lab.js';

export const TTL_TOPIC = 'lab-ttl';
const TTL_MS = 60_000;

export const streamTtl: Lab = {
  id: '01',
  slug: 'stream-and-ttl',
  title: 'The stream keeps records until their TTL',
  minutes: 8,
  claim:
    'the SPS stores what a producer sends on a stream with a TTL; when the TTL is reached the data expires',
  async start(ctx) {
    const t = await ctx.topic(TTL_TOPIC);
    return [
      t
        ? `topic ${TTL_TOPIC} exists already (${t.retainedRecords} records, retention.ms ${t.retention.retentionMs})`
        : `create the topic ${TTL_TOPIC} yourself (step 1), with retention.ms=${TTL_MS}`,
    ];
  },
  async check(ctx) {
    const t = await ctx.topic(TTL_TOPIC);
    if (!t)
      return [
        expect(
          false,
          `topic ${TTL_TOPIC} exists`,
          `create it: npx sps topics create ${TTL_TOPIC} --partitions 1 --config retention.ms=${TTL_MS} --config segment.ms=10000`,
        ),
      ];
    const produced = t.partitions.reduce((a, p) => a + p.highWatermark, 0);
    const expired = t.partitions.reduce((a, p) => a + p.logStartOffset, 0);
    return [
      expect(true, `topic ${TTL_TOPIC} exists`),
      expect(
        t.retention.retentionMs <= 5 * 60_000,
        `its TTL (retention.ms) is short: ${t.retention.retentionMs} ms`,
        `set it: npx sps topics alter ${TTL_TOPIC} --config retention.ms=${TTL_MS}`,
      ),
      expect(
        produced >= 3,
        `at least 3 records were produced to it (${produced})`,
        `step 2: printf 'a\\nb\\nc\\n' | npx sps produce ${TTL_TOPIC}`,
      ),
      expect(
        expired > 0,
        `some records have expired: the log now starts at offset ${expired}, where it started at 0`,
        'wait: the TTL counts from when a segment was closed (segment.ms) and retention runs every few seconds; watch the Topics view',
      ),
    ];
  },
  async solve(ctx) {
    if (!(await ctx.topic(TTL_TOPIC)))
      // Shorter than the doc's minute, so CI does not wait long; the lesson is the same.
      await ctx.ensureTopic(TTL_TOPIC, 1, { 'retention.ms': '15000', 'segment.ms': '5000' });
    const producer = await ctx.producer();
    for (const v of ['first', 'second', 'third'])
      await producer.send({ topic: TTL_TOPIC, messages: [{ value: `${v} at ${new Date().toISOString()}` }] });
    // A record appended later makes the broker roll the (old) segment; retention then deletes it.
    await ctx.waitFor(
      `the oldest records of ${TTL_TOPIC} to expire (TTL ${TTL_MS / 1000} s)`,
      async () => {
        await producer.send({ topic: TTL_TOPIC, messages: [{ value: `tick ${new Date().toISOString()}` }] });
        const t = await ctx.topic(TTL_TOPIC);
        return t && t.partitions[0]!.logStartOffset > 0;
      },
      4 * 60_000,
    );
  },
};
