import { ORDERS_TOPIC, type OrderEvent } from '@orders/contracts';
import { decodeSequenceNumber } from '@orders/kinesis-api';
import type { LabContext } from '../context.js';
import { expect, type Lab } from '../lab.js';
import { kinesisPut, kinesisRead, type KinesisPut } from '../tools/kinesis.js';

/** Where `npm run lab -- kinesis-put` notes the record it put (on lab-answers), so `check` can find it. */
export const KINESIS_PUT_KEY = '14-put';

/** Puts an order through the Kinesis API and notes it for the check. */
export async function putAndNote(ctx: LabContext): Promise<KinesisPut> {
  const put = await kinesisPut(ctx);
  await ctx.giveAnswer(KINESIS_PUT_KEY, JSON.stringify(put));
  return put;
}

async function notedPut(ctx: LabContext): Promise<KinesisPut | null> {
  const noted = await ctx.answer(KINESIS_PUT_KEY);
  return noted ? (JSON.parse(noted) as KinesisPut) : null;
}

/** Whether order-db (a Kafka consumer group) has stored the order: its own HTTP API, from its own DB. */
async function inOrderDb(ctx: LabContext, orderId: string): Promise<boolean> {
  const orderDb = (await ctx.running('order-db'))[0];
  if (!orderDb) return false;
  const res = await fetch(`${orderDb.url}/orders/${encodeURIComponent(orderId)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return res.ok;
}

export const kinesisApi: Lab = {
  id: '14',
  slug: 'the-same-stream-through-the-kinesis-api',
  title: 'The same stream through the Kinesis API: shards, sequence numbers, the AWS SDK',
  minutes: 12,
  claim:
    'Kafka and Kinesis are one model under different words: a topic is a stream, a partition a shard, an offset a sequence number',
  async start(ctx) {
    const endpoint = await ctx.kinesisEndpoint();
    return [
      endpoint
        ? `the broker serves the Kinesis API on ${endpoint} (the AWS SDK's endpoint; any credentials)`
        : 'the broker does not serve the Kinesis API: restart the demo without --kinesis-port off',
      'read the orders as shard records: npm run lab -- kinesis-read',
      'put an order with PutRecord: npm run lab -- kinesis-put (it prints its shard and sequence number)',
      'decode that sequence number to a Kafka partition and offset (see the lab), then answer with:',
      '  echo "14:<partition>,<offset>" | npx sps produce lab-answers -K :',
    ];
  },
  async check(ctx) {
    const put = await notedPut(ctx);
    if (!put)
      return [
        expect(
          false,
          'an order was put on the orders stream through the Kinesis API',
          'run: npm run lab -- kinesis-put',
        ),
      ];
    const at = decodeSequenceNumber(put.sequenceNumber);
    const [record] = at ? await ctx.records(ORDERS_TOPIC, at.partition, at.offset, 1) : [];
    const sameRecord =
      record?.offset === at?.offset &&
      (JSON.parse(record?.value ?? '{}') as Partial<OrderEvent>).orderId === put.orderId;
    const stored = await inOrderDb(ctx, put.orderId).catch(() => false);
    const answer = (await ctx.answer('14')) ?? '';
    const [partition, offset] = answer.split(/[,:/ ]+/).map((s) => Number(s.trim()));
    return [
      expect(true, `order ${put.orderId} was put through the Kinesis API (${put.shardId})`),
      expect(
        sameRecord,
        `through Kafka, partition ${at?.partition} offset ${at?.offset} of ${ORDERS_TOPIC} is that same order`,
        'the record is no longer retained, or the sequence number is not one of ours; put another one',
      ),
      expect(
        stored,
        'order-db (a Kafka consumer group) stored the order put through Kinesis',
        'give order-db a few seconds; is it running (console, Apps)?',
      ),
      expect(
        Boolean(at) && partition === at!.partition && offset === at!.offset,
        `you decoded sequence number ${put.sequenceNumber} to partition ${at?.partition}, offset ${at?.offset}`,
        answer
          ? `you answered "${answer}"; the digits after 49 are the partition, the last 20 the offset`
          : 'no answer yet: echo "14:<partition>,<offset>" | npx sps produce lab-answers -K :',
      ),
    ];
  },
  async solve(ctx) {
    const [placed] = await ctx.placeOrders(1);
    await ctx.waitFor(`order ${placed!.orderId} to be readable through the Kinesis API`, async () =>
      (await kinesisRead(ctx, 50)).some((r) => r.orderId === placed!.orderId),
    );
    const put = await putAndNote(ctx);
    await ctx.waitFor(`order-db to store order ${put.orderId}, put through Kinesis`, () =>
      inOrderDb(ctx, put.orderId),
    );
    const at = decodeSequenceNumber(put.sequenceNumber)!;
    await ctx.giveAnswer('14', `${at.partition},${at.offset}`);
  },
};
