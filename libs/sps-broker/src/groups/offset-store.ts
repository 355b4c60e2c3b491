/**
 * Committed offsets, durable across restarts. Every commit is one JSON line appended to
 * `<dataDir>/consumer-offsets.jsonl` and fsynced before the commit is acknowledged (group commit:
 * concurrent commits share one fsync), so a broker crash never forgets an acknowledged position.
 * Start-up replays the journal; a torn last line (a crash mid-write) is dropped. When the journal
 * holds far more lines than live offsets it is rewritten compactly (write temp, fsync, rename).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestamp: number;
}

interface JournalLine {
  g: string;
  t?: string;
  p?: number;
  o?: number;
  e?: number;
  m?: string | null;
  ts?: number;
  /** deletion: of one partition's offset (with t, p) or of the whole group (without). */
  del?: true;
}

const COMPACT_MIN_LINES = 10_000;

export class OffsetStore {
  /** group → "topic\u0000partition" → offset */
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  private fd: number;
  private lines = 0;
  private syncing: Promise<void> | null = null;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  private constructor(private readonly file: string) {
    this.fd = -1;
  }

  static async open(dataDir: string): Promise<OffsetStore> {
    const store = new OffsetStore(path.join(dataDir, 'consumer-offsets.jsonl'));
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    let text = '';
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let goodBytes = 0;
    for (const raw of text.split('\n')) {
      if (goodBytes + raw.length >= text.length) break; // last piece has no newline: torn or empty
      try {
        this.apply(JSON.parse(raw) as JournalLine);
      } catch {
        break; // a corrupt line: keep what came before it
      }
      goodBytes += Buffer.byteLength(raw) + 1;
      this.lines++;
    }
    this.fd = fs.openSync(this.file, 'a+');
    if (goodBytes < Buffer.byteLength(text)) fs.ftruncateSync(this.fd, goodBytes);
  }

  private apply(line: JournalLine): void {
    if (line.del && line.t === undefined) {
      this.offsets.delete(line.g);
      return;
    }
    const key = `${line.t}\u0000${line.p}`;
    let group = this.offsets.get(line.g);
    if (line.del) {
      group?.delete(key);
      if (group?.size === 0) this.offsets.delete(line.g);
      return;
    }
    if (!group) this.offsets.set(line.g, (group = new Map()));
    group.set(key, {
      offset: line.o!,
      leaderEpoch: line.e ?? -1,
      metadata: line.m ?? null,
      commitTimestamp: line.ts ?? 0,
    });
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(group)?.get(`${topic}\u0000${partition}`);
  }

  /** All committed offsets of a group, grouped by topic. */
  byTopic(group: string): Map<string, Map<number, CommittedOffset>> {
    const out = new Map<string, Map<number, CommittedOffset>>();
    for (const [key, value] of this.offsets.get(group) ?? []) {
      const [topic, p] = key.split('\u0000') as [string, string];
      let m = out.get(topic);
      if (!m) out.set(topic, (m = new Map()));
      m.set(Number(p), value);
    }
    return out;
  }

  groups(): string[] {
    return [...this.offsets.keys()];
  }

  hasOffsets(group: string): boolean {
    return (this.offsets.get(group)?.size ?? 0) > 0;
  }

  lastCommitTimestamp(group: string): number {
    let max = 0;
    for (const v of this.offsets.get(group)?.values() ?? []) max = Math.max(max, v.commitTimestamp);
    return max;
  }

  /** Records offsets and resolves once they are on disk. */
  commit(
    group: string,
    entries: Array<{
      topic: string;
      partition: number;
      offset: number;
      leaderEpoch: number;
      metadata: string | null;
    }>,
    now = Date.now(),
  ): Promise<void> {
    return this.write(
      entries.map((e) => ({
        g: group,
        t: e.topic,
        p: e.partition,
        o: e.offset,
        e: e.leaderEpoch,
        m: e.metadata,
        ts: now,
      })),
    );
  }

  deleteGroup(group: string): Promise<void> {
    return this.write([{ g: group, del: true }]);
  }

  deletePartitions(group: string, partitions: Array<{ topic: string; partition: number }>): Promise<void> {
    return this.write(partitions.map((p) => ({ g: group, t: p.topic, p: p.partition, del: true })));
  }

  /** Offsets of topics that no longer exist are dropped with them. */
  async deleteTopic(topic: string): Promise<void> {
    const lines: JournalLine[] = [];
    for (const g of this.groups())
      for (const [t, parts] of this.byTopic(g))
        if (t === topic) for (const p of parts.keys()) lines.push({ g, t, p, del: true });
    if (lines.length > 0) await this.write(lines);
  }

  private write(lines: JournalLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    for (const l of lines) this.apply(l);
    fs.writeSync(this.fd, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    this.lines += lines.length;
    return this.sync();
  }

  /** Group commit: callers arriving during an fsync share the next one. */
  private sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.syncing) this.runSync();
    });
  }

  private runSync(): void {
    const batch = this.waiters.splice(0);
    this.syncing = new Promise<void>((res, rej) => fs.fsync(this.fd, (err) => (err ? rej(err) : res())))
      .then(
        () => batch.forEach((w) => w.resolve()),
        (err) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.syncing = null;
        if (this.waiters.length > 0) this.runSync();
        else this.maybeCompact();
      });
  }

  private liveCount(): number {
    let n = 0;
    for (const g of this.offsets.values()) n += g.size;
    return n;
  }

  private maybeCompact(): void {
    if (this.lines < COMPACT_MIN_LINES || this.lines < 4 * this.liveCount()) return;
    const tmp = `${this.file}.tmp`;
    const out: string[] = [];
    for (const [g, group] of this.offsets)
      for (const [key, v] of group) {
        const [t, p] = key.split('\u0000') as [string, string];
        out.push(
          JSON.stringify({
            g,
            t,
            p: Number(p),
            o: v.offset,
            e: v.leaderEpoch,
            m: v.metadata,
            ts: v.commitTimestamp,
          }),
        );
      }
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, out.length ? out.join('\n') + '\n' : '');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'a+');
    this.lines = out.length;
  }

  async close(): Promise<void> {
    while (this.syncing) await this.syncing.catch(() => undefined);
    if (this.fd >= 0) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }
}
