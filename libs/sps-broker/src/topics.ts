/**
 * Topics and their partitions: which exist, their configs, and the partition logs behind them.
 * The list of topics (names, ids, partition counts, config overrides) is persisted atomically to
 * `<dataDir>/topics.json`; each partition's data lives in `<dataDir>/logs/<topic>-<partition>/`.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PartitionLog } from '@orders/sps-log';
import { effectiveLogConfig, type BrokerLogDefaults } from './configs.js';
import type { Logger } from './logger.js';

export interface Topic {
  name: string;
  /** Kafka topic ids are UUIDs; Metadata v10+ and the admin API show them. */
  id: string;
  createdAt: number;
  overrides: Record<string, string>;
  partitions: PartitionLog[];
  /** Effective max.message.bytes, cached for the produce path. */
  maxMessageBytes: number;
}

interface PersistedTopic {
  name: string;
  id: string;
  createdAt: number;
  partitions: number;
  overrides: Record<string, string>;
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic naming rules; returns the reason a name is illegal, or undefined. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name '${name}' is not allowed`;
  if (name.length > 249) return `topic name is ${name.length} characters long; the limit is 249`;
  if (!LEGAL_NAME.test(name))
    return `topic name '${name}' has characters other than ASCII letters, digits, '.', '_' and '-'`;
  return undefined;
}

/** Partitions can only be added: the reason (in Kafka's words) a new total is refused, or undefined. */
export function partitionIncreaseProblem(
  topic: string,
  current: number,
  requested: number,
): string | undefined {
  if (requested < current)
    return `The topic ${topic} currently has ${current} partition(s); ${requested} would not be an increase.`;
  if (requested === current) return `The topic ${topic} already has ${current} partition(s).`;
  return undefined;
}

export class TopicRegistry {
  private readonly topics = new Map<string, Topic>();
  private readonly creating = new Map<string, Promise<Topic>>();
  private persisting: Promise<void> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    readonly defaults: BrokerLogDefaults,
    private readonly logger: Logger,
  ) {}

  static async open(dataDir: string, defaults: BrokerLogDefaults, logger: Logger): Promise<TopicRegistry> {
    const registry = new TopicRegistry(dataDir, defaults, logger);
    await fs.mkdir(path.join(dataDir, 'logs'), { recursive: true });
    let persisted: PersistedTopic[] = [];
    try {
      persisted = JSON.parse(await fs.readFile(registry.metaFile, 'utf8')).topics ?? [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const t of persisted) {
      const config = effectiveLogConfig(t.overrides, defaults);
      const partitions = await Promise.all(
        Array.from({ length: t.partitions }, (_, p) =>
          PartitionLog.open(registry.partitionDir(t.name, p), config),
        ),
      );
      registry.topics.set(t.name, { ...t, partitions, maxMessageBytes: config.maxMessageBytes });
    }
    return registry;
  }

  private get metaFile(): string {
    return path.join(this.dataDir, 'topics.json');
  }

  partitionDir(topic: string, partition: number): string {
    return path.join(this.dataDir, 'logs', `${topic}-${partition}`);
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(name: string, partition: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[partition];
  }

  list(): Topic[] {
    return [...this.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): string[] {
    return this.list().map((t) => t.name);
  }

  /** A topic still being created (its logs opening), so concurrent auto-creates share the work. */
  pending(name: string): Promise<Topic> | undefined {
    return this.creating.get(name);
  }

  async create(name: string, partitionCount: number, overrides: Record<string, string> = {}): Promise<Topic> {
    if (this.topics.has(name) || this.creating.has(name)) throw new Error(`topic '${name}' already exists`);
    const creation = this.doCreate(name, partitionCount, overrides);
    this.creating.set(name, creation);
    try {
      return await creation;
    } finally {
      this.creating.delete(name);
    }
  }

  private async doCreate(
    name: string,
    partitionCount: number,
    overrides: Record<string, string>,
  ): Promise<Topic> {
    const config = effectiveLogConfig(overrides, this.defaults);
    // A leftover folder from a topic of the same name deleted before a crash must not leak in.
    for (let p = 0; p < partitionCount; p++)
      await fs.rm(this.partitionDir(name, p), { recursive: true, force: true });
    const partitions = await Promise.all(
      Array.from({ length: partitionCount }, (_, p) => PartitionLog.open(this.partitionDir(name, p), config)),
    );
    const topic: Topic = {
      name,
      id: randomUUID(),
      createdAt: Date.now(),
      overrides: { ...overrides },
      partitions,
      maxMessageBytes: config.maxMessageBytes,
    };
    this.topics.set(name, topic);
    await this.persist();
    this.logger.info('topic created', { topic: name, partitions: partitionCount, ...overrides });
    return topic;
  }

  async delete(name: string): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) return;
    this.topics.delete(name);
    await this.persist();
    await Promise.all(topic.partitions.map((log) => log.delete()));
    this.logger.info('topic deleted', { topic: name });
  }

  async addPartitions(name: string, total: number): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`topic '${name}' does not exist`);
    const config = effectiveLogConfig(topic.overrides, this.defaults);
    const start = topic.partitions.length;
    for (let p = start; p < total; p++)
      await fs.rm(this.partitionDir(name, p), { recursive: true, force: true });
    const added = await Promise.all(
      Array.from({ length: total - start }, (_, i) =>
        PartitionLog.open(this.partitionDir(name, start + i), config),
      ),
    );
    topic.partitions.push(...added);
    await this.persist();
    this.logger.info('partitions added', { topic: name, from: start, to: total });
  }

  /** Replaces a topic's config overrides and applies them to its live logs. */
  async setOverrides(name: string, overrides: Record<string, string>): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`topic '${name}' does not exist`);
    topic.overrides = { ...overrides };
    const config = effectiveLogConfig(topic.overrides, this.defaults);
    topic.maxMessageBytes = config.maxMessageBytes;
    for (const log of topic.partitions) log.config = { ...log.config, ...config };
    await this.persist();
    this.logger.info('topic config changed', { topic: name, ...overrides });
  }

  /** Runs time and size retention over every partition; returns how many segments went. */
  async applyRetention(now = Date.now()): Promise<number> {
    let deleted = 0;
    for (const topic of this.topics.values()) {
      for (const [p, log] of topic.partitions.entries()) {
        const r = await log.applyRetention(now);
        if (r.deletedSegments > 0) {
          deleted += r.deletedSegments;
          this.logger.info('retention deleted segments', {
            topic: topic.name,
            partition: p,
            segments: r.deletedSegments,
            bytes: r.deletedBytes,
            logStartOffset: r.logStartOffset,
          });
        }
      }
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.persisting;
    await Promise.all([...this.topics.values()].flatMap((t) => t.partitions.map((log) => log.close())));
  }

  /** Serialised, atomic (write temp, fsync, rename) so a crash leaves the old or the new file. */
  private persist(): Promise<void> {
    const snapshot = JSON.stringify(
      {
        topics: [...this.topics.values()].map((t): PersistedTopic => ({
          name: t.name,
          id: t.id,
          createdAt: t.createdAt,
          partitions: t.partitions.length,
          overrides: t.overrides,
        })),
      },
      null,
      2,
    );
    const run = async () => {
      const tmp = `${this.metaFile}.tmp`;
      const fh = await fs.open(tmp, 'w');
      try {
        await fh.writeFile(snapshot);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, this.metaFile);
    };
    this.persisting = this.persisting.then(run, run);
    return this.persisting;
  }
}
