/**
 * Topics and their partitions: which exist, their configs, and the partition logs behind them.
 * The list of topics (names, ids, partition counts, config overrides) is persisted atomically to
 * `<dataDir>/topics.json`; each partition's data lives in `<dataDir>/logs/<topic>-<partition>/`.
 *
 * Every change is all or nothing across a full disk or a crash: topics.json is the commit point
 * (temp file, fsync, rename, fsync folder), memory changes only after it, and folders are made
 * before it (create: orphans until committed, removed at start-up if the commit never happened)
 * or removed after it. A delete first renames the partition folders to
 * `<topic>-<p>.<topicId>-delete` and empties them (freeing space even on a full disk), then
 * commits; start-up finishes a delete whose markers it finds.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { cleanLog, PartitionLog, type LogConfig } from '@orders/sps-log';
import { effectiveLogConfig, type BrokerLogDefaults } from './configs.js';
import type { Logger } from './logger.js';
import { writeFileAtomic } from './atomic-file.js';

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
const PARTITION_FOLDER = /^(.+)-(\d+)$/;
const DELETE_MARKER = /^(.+)-(\d+)\.([0-9a-f-]{36})-delete$/;

/** Seams for tests (a full disk, a descriptor limit); the defaults are the real file system. */
export interface TopicRegistryIo {
  /** Writes `text` to `file` atomically (temp, fsync, rename, fsync folder). */
  writeFileAtomic(file: string, text: string): Promise<void>;
  openLog(dir: string, config: LogConfig): Promise<PartitionLog>;
}

export const realTopicIo: TopicRegistryIo = {
  writeFileAtomic,
  openLog: (dir, config) => PartitionLog.open(dir, config),
};

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
  /** every metadata change runs alone, in order: its commit writes the whole list */
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    readonly defaults: BrokerLogDefaults,
    private readonly logger: Logger,
    private readonly io: TopicRegistryIo,
  ) {}

  static async open(
    dataDir: string,
    defaults: BrokerLogDefaults,
    logger: Logger,
    io: TopicRegistryIo = realTopicIo,
  ): Promise<TopicRegistry> {
    const registry = new TopicRegistry(dataDir, defaults, logger, io);
    await fs.mkdir(registry.logsDir, { recursive: true });
    await fs.rm(`${registry.metaFile}.tmp`, { force: true });
    let persisted: PersistedTopic[] = [];
    try {
      persisted = JSON.parse(await fs.readFile(registry.metaFile, 'utf8')).topics ?? [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    persisted = await registry.recoverFolders(persisted);
    for (const t of persisted) {
      const config = effectiveLogConfig(t.overrides, defaults);
      const partitions = await Promise.all(
        Array.from({ length: t.partitions }, (_, p) => io.openLog(registry.partitionDir(t.name, p), config)),
      );
      registry.topics.set(t.name, { ...t, partitions, maxMessageBytes: config.maxMessageBytes });
    }
    return registry;
  }

  private get metaFile(): string {
    return path.join(this.dataDir, 'topics.json');
  }

  private get logsDir(): string {
    return path.join(this.dataDir, 'logs');
  }

  partitionDir(topic: string, partition: number): string {
    return path.join(this.logsDir, `${topic}-${partition}`);
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
    const creation = this.serialize(() => this.doCreate(name, partitionCount, overrides));
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
    if (this.topics.has(name)) throw new Error(`topic '${name}' already exists`);
    const config = effectiveLogConfig(overrides, this.defaults);
    const partitions = await this.openNewLogs(name, 0, partitionCount, config);
    const topic: Topic = {
      name,
      id: randomUUID(),
      createdAt: Date.now(),
      overrides: { ...overrides },
      partitions,
      maxMessageBytes: config.maxMessageBytes,
    };
    try {
      await this.commit([...this.persistedList(), persistedOf(topic)]);
    } catch (err) {
      await this.discardLogs(partitions);
      throw err;
    }
    this.topics.set(name, topic);
    this.logger.info('topic created', { topic: name, partitions: partitionCount, ...overrides });
    return topic;
  }

  /**
   * Deletes a topic; resolves once it is gone from memory and its data is freed. Works on a full
   * disk: the folders are emptied before the registry is rewritten. If even then the registry
   * cannot be written, the delete stays marked and the next commit or start-up finishes it.
   */
  delete(name: string): Promise<void> {
    return this.serialize(async () => {
      const topic = this.topics.get(name);
      if (!topic) return;
      // 1. mark: rename every partition folder (atomic, needs no space)
      const markers: string[] = [];
      for (const [p, log] of topic.partitions.entries()) {
        const marker = path.join(this.logsDir, `${name}-${p}.${topic.id}-delete`);
        await fs.rename(log.dir, marker).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
        markers.push(marker);
      }
      // 2. the topic is gone for clients from here on; free its space
      this.topics.delete(name);
      await Promise.all(topic.partitions.map((log) => log.close().catch(() => undefined)));
      for (const marker of markers) await emptyFolder(marker);
      // 3. commit, then drop the markers
      try {
        await this.commit(this.persistedList());
      } catch (err) {
        this.logger.warn(
          'topic deleted, but topics.json could not be rewritten; retried at the next change or start',
          {
            topic: name,
            error: String(err),
          },
        );
        return;
      }
      this.logger.info('topic deleted', { topic: name });
    });
  }

  addPartitions(name: string, total: number): Promise<void> {
    return this.serialize(async () => {
      const topic = this.topics.get(name);
      if (!topic) throw new Error(`topic '${name}' does not exist`);
      const config = effectiveLogConfig(topic.overrides, this.defaults);
      const start = topic.partitions.length;
      if (total <= start) return;
      const added = await this.openNewLogs(name, start, total - start, config);
      try {
        await this.commit(
          this.persistedList().map((t) => (t.name === name ? { ...t, partitions: total } : t)),
        );
      } catch (err) {
        await this.discardLogs(added);
        throw err;
      }
      topic.partitions.push(...added);
      this.logger.info('partitions added', { topic: name, from: start, to: total });
    });
  }

  /** Replaces a topic's config overrides and applies them to its live logs (after the commit). */
  setOverrides(name: string, overrides: Record<string, string>): Promise<void> {
    return this.serialize(async () => {
      const topic = this.topics.get(name);
      if (!topic) throw new Error(`topic '${name}' does not exist`);
      await this.commit(
        this.persistedList().map((t) => (t.name === name ? { ...t, overrides: { ...overrides } } : t)),
      );
      topic.overrides = { ...overrides };
      const config = effectiveLogConfig(topic.overrides, this.defaults);
      topic.maxMessageBytes = config.maxMessageBytes;
      for (const log of topic.partitions) log.config = { ...log.config, ...config };
      this.logger.info('topic config changed', { topic: name, ...overrides });
    });
  }

  /**
   * One log cleaner pass over every compacted partition (cleanup.policy contains "compact"), one
   * partition at a time; returns how many records were compacted away.
   */
  async compactLogs(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const topic of [...this.topics.values()]) {
      for (const [p, log] of topic.partitions.entries()) {
        if (this.topics.get(topic.name) !== topic) break; // deleted meanwhile
        if (!log.config.compaction) continue;
        try {
          const r = await cleanLog(log, { now });
          if (r.segmentsRewritten > 0) {
            removed += r.recordsRemoved;
            this.logger.info('log cleaner compacted segments', {
              topic: topic.name,
              partition: p,
              segments: r.segmentsRewritten,
              records: r.recordsRemoved,
              bytesBefore: r.bytesBefore,
              bytesAfter: r.bytesAfter,
            });
          }
        } catch (err) {
          if (this.topics.get(topic.name) !== topic) break; // deleted while cleaning
          this.logger.error('log cleaner failed', { topic: topic.name, partition: p, error: String(err) });
        }
      }
    }
    return removed;
  }

  /** Runs time and size retention over every partition; returns how many segments went. */
  async applyRetention(now = Date.now()): Promise<number> {
    let deleted = 0;
    for (const topic of [...this.topics.values()]) {
      for (const [p, log] of topic.partitions.entries()) {
        if (this.topics.get(topic.name) !== topic) break; // deleted meanwhile
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
    await this.changes.catch(() => undefined);
    await Promise.all([...this.topics.values()].flatMap((t) => t.partitions.map((log) => log.close())));
  }

  // ---- internals ----

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.changes.catch(() => undefined).then(task);
    this.changes = run;
    return run;
  }

  private persistedList(): PersistedTopic[] {
    return [...this.topics.values()].map(persistedOf);
  }

  /** The commit point: topics.json holds `list`; then markers of finished deletes are dropped. */
  private async commit(list: PersistedTopic[]): Promise<void> {
    await this.io.writeFileAtomic(this.metaFile, JSON.stringify({ topics: list }, null, 2));
    const ids = new Set(list.map((t) => t.id));
    for (const n of await fs.readdir(this.logsDir).catch(() => [] as string[])) {
      const m = DELETE_MARKER.exec(n);
      if (m && !ids.has(m[3]!)) await fs.rm(path.join(this.logsDir, n), { recursive: true, force: true });
    }
  }

  /** Opens `count` fresh partition logs from `first`; on any failure closes and removes them all. */
  private async openNewLogs(
    name: string,
    first: number,
    count: number,
    config: LogConfig,
  ): Promise<PartitionLog[]> {
    const dirs = Array.from({ length: count }, (_, i) => this.partitionDir(name, first + i));
    // a leftover folder of the same name (an uncommitted create before a crash) must not leak in
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
    const opened = await Promise.allSettled(dirs.map((dir) => this.io.openLog(dir, config)));
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return opened.map((r) => (r as PromiseFulfilledResult<PartitionLog>).value);
    await Promise.all(
      opened.map((r) => (r.status === 'fulfilled' ? r.value.close().catch(() => undefined) : undefined)),
    );
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw failed.reason;
  }

  private async discardLogs(logs: PartitionLog[]): Promise<void> {
    await Promise.all(logs.map((log) => log.delete().catch(() => undefined)));
  }

  /**
   * Start-up: finishes deletes whose markers are left (dropping those topics from the list) and
   * removes partition folders the registry does not know (a create or partition increase that never
   * committed). Returns the list to open.
   */
  private async recoverFolders(persisted: PersistedTopic[]): Promise<PersistedTopic[]> {
    const names = await fs.readdir(this.logsDir);
    const markedIds = new Set<string>();
    for (const n of names) {
      const m = DELETE_MARKER.exec(n);
      if (m) markedIds.add(m[3]!);
    }
    let list = persisted;
    if (persisted.some((t) => markedIds.has(t.id))) {
      list = persisted.filter((t) => !markedIds.has(t.id));
      for (const t of persisted)
        if (markedIds.has(t.id))
          this.logger.info('finishing a topic delete interrupted by a stop', { topic: t.name });
      await this.commit(list);
    } else if (markedIds.size > 0) {
      await this.commit(list); // also removes the markers
    }
    const known = new Map(list.map((t) => [t.name, t.partitions]));
    for (const n of names) {
      if (DELETE_MARKER.test(n)) continue;
      const m = PARTITION_FOLDER.exec(n);
      if (!m) continue;
      const count = known.get(m[1]!);
      if (count !== undefined && Number(m[2]) < count) continue;
      this.logger.warn('removing a partition folder no topic owns (a create that never committed)', {
        folder: n,
      });
      await fs.rm(path.join(this.logsDir, n), { recursive: true, force: true });
    }
    return list;
  }
}

function persistedOf(t: Topic): PersistedTopic {
  return {
    name: t.name,
    id: t.id,
    createdAt: t.createdAt,
    partitions: t.partitions.length,
    overrides: t.overrides,
  };
}

/** Removes everything inside `dir` but keeps `dir` itself (a delete marker). */
async function emptyFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) await fs.rm(path.join(dir, e), { recursive: true, force: true });
}
