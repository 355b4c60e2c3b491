/**
 * Limits on topics and partitions, so one request cannot exhaust file descriptors or disk (each
 * partition is a folder with open segment files). Kafka has no such defaults; managed services do
 * (partition caps per cluster and per request). Refusals use INVALID_PARTITIONS with a message
 * naming the limit and how to raise it.
 */
export interface TopicLimits {
  /** Most partitions one topic may have (CreateTopics, CreatePartitions, the console API). */
  maxPartitionsPerTopic: number;
  /** Most partitions one CreateTopics or CreatePartitions request may add in total. */
  maxPartitionsPerRequest: number;
  /** Most topics one Metadata (or Produce) request may auto-create; the rest wait for the next. */
  maxAutoCreatedTopicsPerRequest: number;
}

export const DEFAULT_TOPIC_LIMITS: TopicLimits = {
  maxPartitionsPerTopic: 1000,
  maxPartitionsPerRequest: 2000,
  maxAutoCreatedTopicsPerRequest: 100,
};

/** Why a topic may not have `total` partitions, or undefined. */
export function partitionsPerTopicProblem(
  limits: TopicLimits,
  topic: string,
  total: number,
): string | undefined {
  if (total <= limits.maxPartitionsPerTopic) return undefined;
  return `Topic '${topic}' would have ${total} partitions; this broker allows at most ${limits.maxPartitionsPerTopic} per topic (sps serve --max-partitions-per-topic).`;
}

/** Counts the partitions a request adds and says why one more batch of `adding` is too many. */
export class RequestPartitionBudget {
  private used = 0;
  constructor(private readonly limits: TopicLimits) {}

  /** Books `adding` partitions, or returns why they exceed the per-request limit (nothing booked). */
  take(adding: number): string | undefined {
    if (this.used + adding > this.limits.maxPartitionsPerRequest)
      return `This request would add ${this.used + adding} partitions; this broker allows at most ${this.limits.maxPartitionsPerRequest} per request (sps serve --max-partitions-per-request).`;
    this.used += adding;
    return undefined;
  }
}
