/** Shared by the four stream-consumer actions: finding a registered consumer by ARN or by name. */
import { consumerArnOf, parseConsumerArn, streamNameFromArn } from '../arn.js';
import { resolveStream, seconds, type ActionContext, type ResolvedStream } from '../context.js';
import { invalidArgument, KinesisError } from '../errors.js';
import type { ConsumerRecord } from '../metadata.js';

/** Kinesis allows 20 registered consumers per stream. */
export const MAX_CONSUMERS = 20;

export function consumerView(ctx: ActionContext, stream: ResolvedStream, c: ConsumerRecord) {
  return {
    ConsumerName: c.name,
    ConsumerARN: consumerArnOf(ctx.region, stream.name, c.name, c.createdAt),
    ConsumerStatus: 'ACTIVE',
    ConsumerCreationTimestamp: seconds(c.createdAt),
  };
}

export function findConsumer(
  ctx: ActionContext,
  input: { StreamARN?: string; ConsumerName?: string; ConsumerARN?: string },
): { stream: ResolvedStream; consumer: ConsumerRecord } {
  let streamName: string | undefined;
  let name: string | undefined;
  let createdAtSec: number | undefined;
  if (input.ConsumerARN) {
    const parsed = parseConsumerArn(input.ConsumerARN);
    if (!parsed) throw invalidArgument(`ConsumerARN ${input.ConsumerARN} is not a consumer ARN.`);
    ({ stream: streamName, consumer: name, createdAtSec } = parsed);
  } else if (input.StreamARN && input.ConsumerName) {
    streamName = streamNameFromArn(input.StreamARN);
    name = input.ConsumerName;
  } else throw invalidArgument('Give either ConsumerARN, or StreamARN and ConsumerName.');
  const stream = resolveStream(ctx, { StreamName: streamName });
  const consumer = stream.meta.consumers.find(
    (c) => c.name === name && (createdAtSec === undefined || Math.floor(c.createdAt / 1000) === createdAtSec),
  );
  if (!consumer)
    throw new KinesisError(
      'ResourceNotFoundException',
      `Consumer ${name} under stream ${stream.name} under account 000000000000 not found.`,
    );
  return { stream, consumer };
}
