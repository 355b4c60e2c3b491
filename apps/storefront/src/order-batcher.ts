/**
 * Many concurrent checkouts, one produce request: POSTs that arrive while a request is in flight (or
 * within a short linger) are sent together, each still answered with its own partition and offset.
 * The queue is bounded in size and in time: when the broker is slow, waits grow; once the queue is full
 * new orders are refused at once, and an order still unsent after `maxWaitMs` is refused then
 * ({@link Overloaded}, the storefront's 503 with Retry-After; nothing of it was published) — memory
 * and every checkout's wait stay bounded.
 */
import { Partitioners, type Message, type PartitionMetadata, type Producer } from 'kafkajs';

export interface BatcherOptions {
  topic: string;
  /** How long the first order of a batch waits for company when nothing is in flight (ms). */
  lingerMs: number;
  /** Orders per produce request at most. */
  maxBatch: number;
  /** Orders waiting or in flight at most; beyond that {@link OrderBatcher.send} refuses. */
  maxQueued: number;
  /** How long an order may wait for its produce request to go out before it is refused (ms). */
  maxWaitMs: number;
}

export const DEFAULT_BATCHER: Omit<BatcherOptions, 'topic'> = {
  lingerMs: 2,
  maxBatch: 500,
  maxQueued: 5_000,
  maxWaitMs: 5_000,
};

/** The storefront cannot take the order now: too many are waiting for the broker. */
export class Overloaded extends Error {
  constructor(
    readonly queued: number,
    readonly retryAfterSeconds = 1,
    why = `${queued} orders are waiting for the broker`,
  ) {
    super(`${why}; try again in ${retryAfterSeconds} s`);
    this.name = 'Overloaded';
  }
}

/** The partitions of the topic are not known yet (the producer has not read them): nothing was sent. */
export class PartitionsUnknown extends Error {
  constructor(topic: string) {
    super(`the partitions of ${topic} are not known yet`);
    this.name = 'PartitionsUnknown';
  }
}

interface Pending {
  message: Message & { partition: number };
  queuedAt: number;
  resolve(where: { partition: number; offset: string }): void;
  reject(err: unknown): void;
}

export class OrderBatcher {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private sending = false;
  // murmur2 over the key, as the Java client and kafkajs' DefaultPartitioner: same key → same partition.
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(
    private readonly producer: Producer,
    private readonly partitions: () => PartitionMetadata[],
    private readonly options: BatcherOptions,
  ) {}

  /** Produce requests answered, and the orders they carried (GET /health: orders per request). */
  readonly produced = { requests: 0, orders: 0 };

  /** Orders waiting for their produce request to go out. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Orders waiting or being sent. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Queues the message for the next produce request; resolves where it landed (acks=all). */
  send(message: Message): Promise<{ partition: number; offset: string }> {
    if (this.pending >= this.options.maxQueued) return Promise.reject(new Overloaded(this.pending));
    const partitionMetadata = this.partitions();
    if (message.partition === undefined && partitionMetadata.length === 0)
      return Promise.reject(new PartitionsUnknown(this.options.topic));
    const partition =
      message.partition ?? this.partitioner({ topic: this.options.topic, partitionMetadata, message });
    return new Promise((resolve, reject) => {
      this.queue.push({ message: { ...message, partition }, queuedAt: performance.now(), resolve, reject });
      this.schedule();
      if (!this.sweeper) {
        this.sweeper = setInterval(() => this.sweep(), Math.max(20, this.options.maxWaitMs / 4));
        this.sweeper.unref();
      }
    });
  }

  /** Refuses the orders (oldest first) that waited longer than `maxWaitMs` and were not sent yet. */
  private sweep() {
    const tooOld = performance.now() - this.options.maxWaitMs;
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.queuedAt < tooOld) n++;
    const seconds = Math.round(this.options.maxWaitMs / 100) / 10;
    for (const p of this.queue.splice(0, n))
      p.reject(new Overloaded(this.pending, 1, `the broker has not taken the order within ${seconds} s`));
    if (this.queue.length === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private schedule() {
    if (this.sending) return; // the batch in flight takes the next ones when it returns
    if (this.queue.length >= this.options.maxBatch) return void this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs);
  }

  private async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight = batch.length;
    try {
      const meta = await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: batch.map((p) => p.message),
      });
      this.produced.requests++;
      this.produced.orders += batch.length;
      // The broker gives each partition's first offset; the partition's messages follow in order.
      const next = new Map(meta.map((m) => [m.partition, BigInt(m.baseOffset ?? m.offset ?? '-1')]));
      for (const p of batch) {
        const offset = next.get(p.message.partition);
        if (offset === undefined || offset < 0n) {
          p.reject(
            new Error(`the broker did not say where partition ${p.message.partition} stored the order`),
          );
          continue;
        }
        next.set(p.message.partition, offset + 1n);
        p.resolve({ partition: p.message.partition, offset: offset.toString() });
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight = 0;
      this.sending = false;
    }
    // What queued up meanwhile has waited long enough: send it now.
    if (this.queue.length) void this.flush();
  }
}
