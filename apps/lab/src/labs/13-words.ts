import { expect, type Lab } from '../lab.js';

export const words: Lab = {
  id: '13',
  slug: 'kafka-kinesis-event-hubs-words',
  title: 'The same ideas in Kafka, Kinesis and Event Hubs words',
  minutes: 8,
  claim:
    'Kafka, Kinesis and Event Hubs share these concepts under different names (the seed’s correlate table)',
  async start() {
    return [
      'switch the console’s words (top right) to Kinesis, then Event Hubs, and answer the three questions of the lab',
      'answer with: echo "13:<a>,<b>,<c>" | npx sps produce lab-answers -K :',
    ];
  },
  async check(ctx) {
    const answer = (await ctx.answer('13')) ?? '';
    const [a = '', b = '', c = ''] = answer.split(',').map((s) => s.trim().toLowerCase());
    return [
      expect(
        /shard/.test(a),
        '(a) a Kafka partition is a Kinesis shard',
        answer ? `you answered "${a}"` : 'no answer yet',
      ),
      expect(
        /offset|sequence/.test(b) && !/key/.test(b),
        '(b) an Event Hubs reader positions itself by offset or sequence number — not the partition key, as the seed’s table says',
        answer ? `you answered "${b}"; look at the Words table in the console` : 'no answer yet',
      ),
      expect(
        /merge/.test(c),
        '(c) Kinesis can also reduce shards: it merges two adjacent shards',
        answer ? `you answered "${c}"` : 'no answer yet',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.giveAnswer('13', 'shard,sequence number,merge');
  },
};
