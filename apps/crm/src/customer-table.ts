/**
 * crm's customers as a table on the compacted topic `customers` (key = customer id, value = the
 * customer as crm knows it, null = forgotten). A compacted topic keeps the latest record per key, so
 * replaying it from offset 0 rebuilds the table — for a new app, a cache, a Kafka Streams join.
 *
 * Exactly once in effect, with crm's idempotent database writes: the states are read from the database
 * AFTER a batch's transaction committed, and published BEFORE its offsets are committed. A crash in
 * between redelivers the batch; the ledger makes its orders no-ops and the same states are published
 * again: duplicate records, which a reader of the table cannot tell apart (the latest per key is the
 * same) and which compaction removes. The producer is idempotent, so its own retries add no copies.
 *
 * Publishing and forgetting run one at a time, each reading the database inside its turn: a state read
 * before a forget is never published after its tombstone.
 */
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  CUSTOMERS_PARTITIONS,
  CUSTOMERS_TOPIC,
  CUSTOMERS_TOPIC_CONFIGS,
  type CustomerState,
} from '@orders/contracts';
import { kafkaConfigFromEnv, logLine, TransientError } from '@orders/messaging';
import kafkajs, { Kafka, Partitioners, type Message, type Producer } from 'kafkajs';
import { APP, CustomerStore, type Customer } from './store.js';

// Not a named export Node's ESM loader can see in kafkajs' CommonJS build.
const { ConfigResourceTypes } = kafkajs;

/** Customers per produce request when a new table is filled from crm's database. */
const BACKFILL_PAGE = 500;

/** The value crm publishes for a customer. */
export function customerState(c: Customer): CustomerState {
  return {
    id: c.id,
    email: c.email,
    name: c.name,
    address: c.address,
    firstSeenAt: c.firstSeenAt.toISOString(),
    lastOrderAt: c.lastOrderAt.toISOString(),
    orderCount: c.orderCount,
    lifetimeValueCents: c.lifetimeValueCents,
  };
}

const unreachable = (err: unknown) =>
  new TransientError(`could not publish to ${CUSTOMERS_TOPIC}: ${(err as Error).message}`, { cause: err });

/** Where a tombstone landed. */
export interface Forgotten {
  id: string;
  /** Whether crm had a row for the customer (false: forgotten before, or never seen). */
  existed: boolean;
  partition: number;
  offset: number;
}

@Injectable()
export class CustomerTable implements OnModuleInit, OnApplicationShutdown {
  private readonly kafka = new Kafka(kafkaConfigFromEnv(APP));
  private readonly producer: Producer = this.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2, as the Java client
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  private starting: Promise<void> | null = null;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: CustomerStore) {}

  onModuleInit(): Promise<void> {
    return this.start();
  }

  /** Creates the topic when missing (compacted), connects the producer; retried on the next call if it failed. */
  private start(): Promise<void> {
    this.starting ??= (async () => {
      const created = await this.ensureTopic();
      await this.producer.connect();
      // A new table starts complete: the customers crm knew before it existed are published once.
      if (created) await this.inTurn(() => this.backfill());
    })().catch((err: unknown) => {
      this.starting = null;
      throw err;
    });
    return this.starting;
  }

  /**
   * Creates `customers` with {@link CUSTOMERS_TOPIC_CONFIGS} unless it exists. One that exists without
   * `compact` (e.g. auto-created by a reader on a broker with auto.create.topics.enable) is not a table:
   * its configs are set to ours. True when this call created it.
   */
  async ensureTopic(): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const configEntries = Object.entries(CUSTOMERS_TOPIC_CONFIGS).map(([name, value]) => ({ name, value }));
      if (!(await admin.listTopics()).includes(CUSTOMERS_TOPIC)) {
        // false when another crm instance created it a moment ago: fine.
        const created = await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic: CUSTOMERS_TOPIC, numPartitions: CUSTOMERS_PARTITIONS, configEntries }],
        });
        if (created)
          logLine(APP, 'info', 'created topics', {
            topics: [CUSTOMERS_TOPIC],
            configs: CUSTOMERS_TOPIC_CONFIGS,
          });
        return created;
      }
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: CUSTOMERS_TOPIC, configNames: ['cleanup.policy'] },
        ],
      });
      const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy');
      if (!policy?.configValue.split(',').includes('compact')) {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: CUSTOMERS_TOPIC, configEntries }],
        });
        logLine(APP, 'warn', `topic ${CUSTOMERS_TOPIC} was not compacted: set its configs`, {
          was: policy?.configValue ?? null,
          configs: CUSTOMERS_TOPIC_CONFIGS,
        });
      }
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Publishes the current state of each of these customers in one produce request; a customer crm has
   * no row for (forgotten meanwhile) gets a tombstone again. Failures are a `TransientError`: the
   * broker is away, not the orders wrong, so the batch waits and is retried, never dead-lettered.
   */
  async publish(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return;
    await this.started();
    return this.inTurn(async () => {
      const known = new Map((await this.store.getMany(unique)).map((c) => [c.id, c]));
      await this.send(
        unique.map((id) => {
          const c = known.get(id);
          return { key: id, value: c ? JSON.stringify(customerState(c)) : null };
        }),
      );
    });
  }

  /**
   * Forgets a customer (a GDPR erasure): deletes crm's row, then writes a tombstone (null value) to the
   * table, which readers apply as "delete this row" and the cleaner removes after delete.retention.ms.
   * Safe to call again when the tombstone could not be written.
   */
  async forget(id: string): Promise<Forgotten> {
    await this.started();
    return this.inTurn(async () => {
      const existed = await this.store.forget(id);
      const [meta] = await this.send([{ key: id, value: null }]);
      logLine(APP, 'info', 'forgot a customer', { id, existed });
      return { id, existed, partition: meta?.partition ?? 0, offset: Number(meta?.baseOffset ?? -1) };
    });
  }

  /** Publishes every customer crm has, a page per produce request. */
  private async backfill(): Promise<void> {
    let published = 0;
    for (let after: string | null = null; ;) {
      const page = await this.store.page(after, BACKFILL_PAGE);
      if (page.length === 0) break;
      await this.producer.send({
        topic: CUSTOMERS_TOPIC,
        acks: -1,
        messages: page.map((c) => ({ key: c.id, value: JSON.stringify(customerState(c)) })),
      });
      published += page.length;
      after = page.at(-1)!.id;
    }
    if (published > 0)
      logLine(APP, 'info', `published the customers crm already knew to ${CUSTOMERS_TOPIC}`, { published });
  }

  /** {@link start} before taking a turn (the start may take one itself, to backfill). */
  private async started(): Promise<void> {
    try {
      await this.start();
    } catch (err) {
      throw unreachable(err);
    }
  }

  private async send(messages: Message[]) {
    try {
      return await this.producer.send({ topic: CUSTOMERS_TOPIC, acks: -1, messages });
    } catch (err) {
      throw unreachable(err);
    }
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  async onApplicationShutdown() {
    await this.producer.disconnect().catch(() => undefined);
  }
}
