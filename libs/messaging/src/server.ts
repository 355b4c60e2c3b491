/**
 * Nest's Kafka server, consuming a fetched batch at a time (kafkajs `eachBatch`), with what `GET /health`
 * needs: connection state, assigned partitions, lag.
 */
import type { KafkaOptions } from '@nestjs/microservices';
import { KafkaContext, ServerKafka } from '@nestjs/microservices';
import { TOPICS } from '@orders/contracts';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import type { IncomingMessage } from './handle-order.js';
import { logLine } from './log.js';
import { createMissingTopics } from './topics.js';

/**
 * The most messages handed to a handler at once (one transaction). A fetch of one partition brings up to
 * 1 MiB (~1,400 orders); bigger transactions gain little and hold the partition longer.
 */
export const MAX_BATCH = 500;

const ORDER_BATCH = Symbol('order batch');

/** What OrderConsumerServer passes as the payload of a handler: consecutive messages of one partition. */
export interface OrderBatchPayload {
  [ORDER_BATCH]: true;
  messages: IncomingMessage[];
}

export function isOrderBatch(payload: unknown): payload is OrderBatchPayload {
  return typeof payload === 'object' && payload !== null && ORDER_BATCH in payload;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Committed offset of the group (-1: nothing committed yet). */
  committed: number;
  /** High watermark: the offset the next produced message gets. */
  end: number;
  lag: number;
}

export interface ConsumerHealth {
  group: string;
  /** The consumer has joined its group and is consuming. */
  connected: boolean;
  state: 'starting' | 'connected' | 'rebalancing' | 'stopped' | 'crashed' | 'disconnected';
  /** Partitions this instance owns, by topic. */
  assigned: Record<string, number[]>;
  /** Per partition of the subscribed topics (all instances of the group); null when it could not be read. */
  lag: { total: number; partitions: PartitionLag[] } | null;
  lastError?: string;
}

/** The part of the kafkajs admin client the lag needs. */
interface LagAdmin {
  fetchOffsets(args: {
    groupId: string;
    topics: string[];
  }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  fetchTopicOffsets(topic: string): Promise<{ partition: number; high: string }[]>;
  disconnect(): Promise<void>;
}

/** The kafkajs consumer → aborted when its server closes (see {@link stopSignalOf}). */
const stopping = new WeakMap<object, AbortController>();

/**
 * Aborted when the app owning this kafkajs consumer (KafkaContext.getConsumer()) starts to stop, so a
 * handler waiting to retry gives up and shutdown is not held up (@OnOrder() passes it on).
 */
export function stopSignalOf(consumer: object | undefined): AbortSignal | undefined {
  return consumer ? stopping.get(consumer)?.signal : undefined;
}

export class OrderConsumerServer extends ServerKafka {
  private state: ConsumerHealth['state'] = 'starting';
  private assigned: Record<string, number[]> = {};
  private lastError?: string;
  private admin?: Promise<LagAdmin>;

  constructor(
    readonly group: string,
    options: Required<KafkaOptions>['options'],
  ) {
    super(options);
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    stopping.set(consumer, new AbortController());
    const { events } = consumer;
    consumer.on(events.GROUP_JOIN, (e) => {
      this.state = 'connected';
      this.assigned = e.payload.memberAssignment;
      logLine(this.group, 'info', 'joined the consumer group', { assigned: this.assigned });
    });
    consumer.on(events.REBALANCING, () => (this.state = 'rebalancing'));
    consumer.on(events.STOP, () => (this.state = 'stopped'));
    consumer.on(events.DISCONNECT, () => {
      this.state = 'disconnected';
      this.assigned = {};
    });
    consumer.on(events.CRASH, (e) => {
      this.state = 'crashed';
      this.lastError = e.payload.error?.message;
    });
  }

  /**
   * Instead of Nest's one message per handler call: kafkajs `eachBatch`, handing the handler up to
   * {@link MAX_BATCH} consecutive messages of a partition at once (`@OnOrders()` makes them one
   * transaction; `@OnOrder()` still goes one by one). The offsets of a chunk are resolved and committed
   * only after its handler returned, so a crash mid-chunk redelivers the whole chunk, and the ledger
   * written in the chunk's transaction makes the redelivery change nothing twice.
   */
  override async bindEvents(consumer: Consumer): Promise<void> {
    const patterns = [...this.messageHandlers.keys()];
    if (patterns.length > 0) {
      // The consumer never auto-creates a topic (config.ts): the system's topics (`orders`, and the
      // dead-letter topic it writes to) are made here with their partition counts if this app is the
      // first to start on a fresh broker.
      const admin = this.client!.admin();
      await admin.connect();
      try {
        const created = patterns.some((p) => TOPICS.some((t) => t.name === p))
          ? await createMissingTopics(admin)
          : [];
        if (created.length) logLine(this.group, 'info', 'created topics', { topics: created });
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics: patterns });
    }
    await consumer.run({
      ...(this.options.run ?? {}),
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const handler = this.getHandlerByPattern(batch.topic);
    for (let start = 0; start < batch.messages.length; start += MAX_BATCH) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + MAX_BATCH);
      const last = chunk.at(-1)!.offset;
      if (handler) {
        const messages: IncomingMessage[] = chunk.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          headers: m.headers,
        }));
        const ctx = new KafkaContext([
          chunk[0]! as never,
          batch.partition,
          batch.topic,
          this.consumer!,
          heartbeat,
          this.producer!,
        ]);
        const result: unknown = await handler(
          { [ORDER_BATCH]: true, messages } satisfies OrderBatchPayload,
          ctx,
        );
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      }
      resolveOffset(last);
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: String(BigInt(last) + 1n) }],
          },
        ],
      });
      await heartbeat();
    }
  }

  override async close(): Promise<void> {
    if (this.consumer) stopping.get(this.consumer)?.abort();
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
    await super.close();
    this.state = 'disconnected';
  }

  /** Health of this consumer; lag is read from the broker (committed offsets vs high watermarks). */
  async health(topics: string[]): Promise<ConsumerHealth> {
    let lag: ConsumerHealth['lag'] = null;
    try {
      lag = await this.readLag(topics);
    } catch (err) {
      this.lastError = (err as Error).message;
    }
    return {
      group: this.group,
      connected: this.state === 'connected',
      state: this.state,
      assigned: this.assigned,
      lag,
      ...(this.lastError && { lastError: this.lastError }),
    };
  }

  private async readLag(topics: string[]): Promise<NonNullable<ConsumerHealth['lag']>> {
    if (!this.client) throw new Error('not started');
    const client = this.client;
    this.admin ??= (async (): Promise<LagAdmin> => {
      const admin = client.admin();
      await admin.connect();
      return admin;
    })();
    const admin: LagAdmin = await this.admin;
    const partitions: PartitionLag[] = [];
    const committed = await admin.fetchOffsets({ groupId: this.group, topics });
    for (const { topic, partitions: parts } of committed) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
      for (const p of parts) {
        const end = ends.get(p.partition) ?? 0;
        const done = Number(p.offset);
        partitions.push({
          topic,
          partition: p.partition,
          committed: done,
          end,
          lag: Math.max(0, end - Math.max(done, 0)),
        });
      }
    }
    return { total: partitions.reduce((s, p) => s + p.lag, 0), partitions };
  }
}
