/**
 * What Kinesis knows about a stream that a Kafka topic has no place for: its tags, its registered
 * (enhanced fan-out) consumers and whether it was created on-demand. Kept in
 * `<dataDir>/kinesis.json`, keyed by the topic's id, so a topic deleted and re-created under the same
 * name (through either dialect) starts clean. Written atomically (temp file, fsync, rename). Also
 * holds the key that signs shard iterators, so iterators survive a broker restart within their 5
 * minutes.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ConsumerRecord {
  name: string;
  createdAt: number;
}

export interface StreamMeta {
  tags: Record<string, string>;
  consumers: ConsumerRecord[];
  mode: 'PROVISIONED' | 'ON_DEMAND';
}

interface Persisted {
  iteratorKey: string;
  streams: Record<string, StreamMeta>;
}

export class KinesisMetadata {
  private persisting: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly data: Persisted,
  ) {}

  static async open(dataDir: string): Promise<KinesisMetadata> {
    const file = path.join(dataDir, 'kinesis.json');
    let data: Persisted | undefined;
    try {
      data = JSON.parse(await fs.readFile(file, 'utf8')) as Persisted;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const meta = new KinesisMetadata(
      file,
      data ?? { iteratorKey: randomBytes(32).toString('base64'), streams: {} },
    );
    if (!data) await meta.persist();
    return meta;
  }

  get iteratorKey(): Buffer {
    return Buffer.from(this.data.iteratorKey, 'base64');
  }

  /** The stream's Kinesis-only metadata (defaults for a topic created through Kafka). */
  of(topicId: string): StreamMeta {
    return this.data.streams[topicId] ?? { tags: {}, consumers: [], mode: 'PROVISIONED' };
  }

  async update(topicId: string, change: (meta: StreamMeta) => void): Promise<StreamMeta> {
    const meta = structuredClone(this.of(topicId));
    change(meta);
    this.data.streams[topicId] = meta;
    await this.persist();
    return meta;
  }

  /** Forgets streams whose topics are gone (called with the live topic ids). */
  async prune(liveTopicIds: Set<string>): Promise<void> {
    const stale = Object.keys(this.data.streams).filter((id) => !liveTopicIds.has(id));
    if (stale.length === 0) return;
    for (const id of stale) delete this.data.streams[id];
    await this.persist();
  }

  flush(): Promise<void> {
    return this.persisting;
  }

  private persist(): Promise<void> {
    const snapshot = JSON.stringify(this.data, null, 2);
    const run = async () => {
      const tmp = `${this.file}.tmp`;
      const fh = await fs.open(tmp, 'w');
      try {
        await fh.writeFile(snapshot);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, this.file);
    };
    this.persisting = this.persisting.then(run, run);
    return this.persisting;
  }
}
