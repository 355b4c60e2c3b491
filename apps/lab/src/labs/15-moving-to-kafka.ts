import { expect, type Lab } from '../lab.js';

export const movingToKafka: Lab = {
  id: '15',
  slug: 'moving-to-apache-kafka',
  title: 'Outgrowing one machine: the same apps on Apache Kafka or a managed service',
  minutes: 10,
  claim: 'producers and consumers are decoupled from the SPS itself: only where it is changes',
  async start() {
    return [
      'read docs/managed-kafka.md, then answer: which environment variable points an app at another broker?',
      'answer with: echo "15:<NAME>" | npx sps produce lab-answers -K :',
    ];
  },
  async check(ctx) {
    const answer = (await ctx.answer('15')) ?? '';
    return [
      expect(
        answer.toUpperCase().includes('KAFKA_BROKERS'),
        'KAFKA_BROKERS (plus KAFKA_SSL and KAFKA_SASL_* for a managed service) is all that changes',
        answer ? `you answered "${answer}"; see the table in docs/managed-kafka.md` : 'no answer yet',
      ),
    ];
  },
  async solve(ctx) {
    await ctx.giveAnswer('15', 'KAFKA_BROKERS');
  },
};
