/** Nest's Kafka server with what `GET /health` needs: connection state, assigned partitions, lag. */
import type { KafkaOptions } from '@nestjs/microservices';
import { ServerKafka } from '@nestjs/microservices';
import { logLine } from './log.js';

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
