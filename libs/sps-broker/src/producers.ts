/**
 * Idempotent producers: InitProducerId hands out ids, and each partition remembers, per producer,
 * the sequence numbers of its last few batches. A retried batch (same producer, epoch and
 * sequences) is answered with its original offset instead of being stored twice; a gap in the
 * sequence is refused with OUT_OF_ORDER_SEQUENCE_NUMBER, as Kafka does.
 *
 * The state survives restarts the way Kafka's does: each partition folder holds a snapshot
 * (`producer-snapshot.json`, written when a segment rolls, at clean shutdown, and every 100,000
 * offsets so a crash never replays a whole 1 GiB active segment; atomically), and
 * start-up replays the batch headers after the snapshot's offset (record batch v2 headers carry
 * producer id, epoch, base sequence and last offset delta). So a batch retried after a crash finds
 * the copy that reached the log before the crash.
 *
 * A producer whose last batch is older than `producer.id.expiration.ms` (default 1 day) is forgotten;
 * its next batch is then accepted at any sequence, as Kafka does for an unknown producer.
 * Producer ids are allocated in persisted blocks so they never repeat across restarts.
 *
 * Transactions: each partition also tracks, per producer, the first offset of its open transaction
 * (from its first transactional batch until the commit/abort marker), which gives the partition's
 * last stable offset (LSO: the smallest such offset, else the high watermark), and the list of
 * aborted transactions (producer id, first offset, marker offset) that read_committed fetches get.
 * Both are in the snapshot and rebuilt from the batch headers and markers after it, like the rest.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ControlType, controlTypeOf, ErrorCode, readBatchHeader } from '@orders/kafka-protocol';
import type { PartitionLog } from '@orders/sps-log';
import type { Logger } from './logger.js';
import type { TopicRegistry } from './topics.js';
import { writeFileAtomic } from './atomic-file.js';

/** Kafka keeps the metadata of the last 5 batches per producer, matching max.in.flight = 5. */
const CACHED_BATCHES = 5;
const ID_BLOCK = 1000;
export const SNAPSHOT_FILE = 'producer-snapshot.json';
const SNAPSHOT_VERSION = 2;
/** version 1 snapshots (before transactions) are read as having no transactions */
const READABLE_SNAPSHOT_VERSIONS = new Set([1, 2]);
/** Kafka's producer.id.expiration.ms default. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 24 * 60 * 60 * 1000;
/** bytes read per step when replaying the log tail at start-up */
const REPLAY_CHUNK = 1024 * 1024;

interface CachedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: CachedBatch[];
  /** ms: when its last batch was appended (or that batch's timestamp, when replayed from the log) */
  lastTimestamp: number;
}

/** A transaction that ended with an abort marker: read_committed consumers drop its batches. */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** the abort marker's offset */
  lastOffset: number;
}

interface PersistedSnapshot {
  version: number;
  /** the state covers every batch below this offset */
  offset: number;
  producers: Array<{ id: number } & ProducerEntry>;
  /** open transactions: [producer id, first offset] (version 2+) */
  ongoing?: Array<[number, number]>;
  aborted?: AbortedTxn[];
}

/** One partition's producers; `writing` serialises its snapshot writes. */
class PartitionProducers {
  readonly producers = new Map<number, ProducerEntry>();
  /** producer id → first offset of its open transaction in this partition */
  readonly ongoing = new Map<number, number>();
  /** aborted transactions, in marker order */
  aborted: AbortedTxn[] = [];
  /** offset of the last snapshot taken (or restored) */
  snapshotOffset = 0;
  writing: Promise<void> = Promise.resolve();
  dropped = false;
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

/** The header fields of an appended batch that producer state needs. */
export interface AppendedBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** a batch of a transactional producer (attribute bit 4) */
  isTransactional?: boolean;
}

/** A commit or abort marker just written to a partition. */
export interface AppendedMarker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
}

export interface ProducerRegistryOptions {
  /** producer.id.expiration.ms (default 1 day) */
  expirationMs?: number;
  /** also snapshot when the log has grown this many offsets since the last snapshot (default 100,000) */
  snapshotEveryOffsets?: number;
  logger?: Logger;
  now?: () => number;
}

export class ProducerRegistry {
  /** key: `${topic}\u0000${partition}` */
  private readonly partitions = new Map<string, PartitionProducers>();
  private nextId = 0;
  private reservedUntil = 0;
  private allocating: Promise<void> | null = null;
  readonly expirationMs: number;
  private readonly snapshotEvery: number;
  private readonly now: () => number;
  private readonly logger: Logger | undefined;

  private constructor(
    private readonly file: string,
    private readonly topics: TopicRegistry | null,
    opts: ProducerRegistryOptions,
  ) {
    this.expirationMs = opts.expirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.now = opts.now ?? Date.now;
    this.snapshotEvery = opts.snapshotEveryOffsets ?? 100_000;
    this.logger = opts.logger;
  }

  /**
   * Opens the id block file and, given the topics, rebuilds every partition's producer state from
   * its snapshot plus the batches after it.
   */
  static async open(
    dataDir: string,
    topics: TopicRegistry | null = null,
    opts: ProducerRegistryOptions = {},
  ): Promise<ProducerRegistry> {
    const registry = new ProducerRegistry(path.join(dataDir, 'producer-ids.json'), topics, opts);
    try {
      const saved = JSON.parse(await fs.readFile(registry.file, 'utf8'));
      registry.nextId = registry.reservedUntil = Number(saved.reservedUntil) || 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (topics) {
      for (const topic of topics.list())
        for (const [p, log] of topic.partitions.entries()) await registry.restore(topic.name, p, log);
    }
    return registry;
  }

  /** The next producer id; a new block is persisted (fsynced) before any id of it is handed out. */
  async allocateId(): Promise<number> {
    while (this.nextId >= this.reservedUntil) {
      if (!this.allocating) {
        const until = this.reservedUntil + ID_BLOCK;
        this.allocating = writeFileAtomic(this.file, JSON.stringify({ reservedUntil: until }))
          .then(() => {
            this.reservedUntil = until;
          })
          .finally(() => (this.allocating = null));
      }
      await this.allocating;
    }
    return this.nextId++;
  }

  /** Decides what to do with an idempotent batch before it is appended. */
  check(
    topic: string,
    partition: number,
    producerId: number,
    epoch: number,
    firstSeq: number,
    count: number,
  ): SequenceCheck {
    const state = this.partitions.get(key(topic, partition))?.producers.get(producerId);
    if (!state) return { kind: 'append' };
    if (epoch < state.epoch)
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `producer ${producerId} epoch ${epoch} is older than the current ${state.epoch}`,
      };
    if (epoch > state.epoch) {
      return firstSeq === 0
        ? { kind: 'append' }
        : {
            kind: 'error',
            errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            message: `a new epoch must start at sequence 0, got ${firstSeq}`,
          };
    }
    // an epoch opened by a marker (the coordinator fenced an older epoch) has no batches yet
    if (state.batches.length === 0) return { kind: 'append' };
    const lastSeq = seqAdd(firstSeq, count - 1);
    const dup = state.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const expected = seqAdd(state.batches[state.batches.length - 1]!.lastSeq, 1);
    if (firstSeq !== expected)
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `expected sequence ${expected} from producer ${producerId}, got ${firstSeq}`,
      };
    return { kind: 'append' };
  }

  /**
   * Books a batch just appended at `baseOffset` (any batch: non-idempotent ones only matter for
   * noticing a segment roll). A batch at position 0 of its segment opened a new segment: the state
   * before it is snapshotted at its offset, as Kafka does at roll.
   */
  appended(
    topic: string,
    partition: number,
    log: PartitionLog,
    batch: AppendedBatch,
    baseOffset: number,
    segmentPosition: number,
  ): void {
    const k = key(topic, partition);
    let part = this.partitions.get(k);
    if (
      part &&
      baseOffset > 0 &&
      (segmentPosition === 0 || baseOffset - part.snapshotOffset >= this.snapshotEvery)
    )
      this.snapshot(part, log.dir, baseOffset);
    if (batch.producerId < 0) return;
    if (!part) this.partitions.set(k, (part = new PartitionProducers()));
    book(part, batch, baseOffset, this.now());
  }

  /** Books a transaction marker just appended at `offset` (same roll rule as batches). */
  markerAppended(
    topic: string,
    partition: number,
    log: PartitionLog,
    marker: AppendedMarker,
    offset: number,
    segmentPosition: number,
  ): void {
    const k = key(topic, partition);
    let part = this.partitions.get(k);
    if (part && offset > 0 && (segmentPosition === 0 || offset - part.snapshotOffset >= this.snapshotEvery))
      this.snapshot(part, log.dir, offset);
    if (!part) this.partitions.set(k, (part = new PartitionProducers()));
    bookMarker(part, marker, offset, this.now());
  }

  /**
   * The last stable offset: below it every transaction has ended. The first offset of the oldest
   * open transaction, or the high watermark when there is none.
   */
  lastStableOffset(topic: string, partition: number, highWatermark: number): number {
    const part = this.partitions.get(key(topic, partition));
    let lso = highWatermark;
    if (part) for (const first of part.ongoing.values()) if (first < lso) lso = first;
    return lso;
  }

  /** The aborted transactions that overlap offsets [from, to) (what a read_committed fetch needs). */
  abortedTransactions(topic: string, partition: number, from: number, to: number): AbortedTxn[] {
    const part = this.partitions.get(key(topic, partition));
    if (!part) return [];
    return part.aborted.filter((a) => a.lastOffset >= from && a.firstOffset < to);
  }

  /** Open transactions of a partition: producer id → first offset (admin, DescribeProducers). */
  openTransactions(topic: string, partition: number): ReadonlyMap<number, number> {
    return this.partitions.get(key(topic, partition))?.ongoing ?? new Map();
  }

  /** Writes every partition's snapshot at its log end (clean shutdown). */
  async snapshotAll(): Promise<void> {
    if (!this.topics) return;
    const writes: Promise<void>[] = [];
    for (const topic of this.topics.list())
      for (const [p, log] of topic.partitions.entries()) {
        const part = this.partitions.get(key(topic.name, p));
        if (part) writes.push(this.snapshot(part, log.dir, log.highWatermark));
      }
    await Promise.all(writes);
  }

  /**
   * Forgets producers whose last batch is older than producer.id.expiration.ms (never one with an
   * open transaction); returns how many. Also drops aborted transactions that retention or
   * DeleteRecords left entirely below the log start.
   */
  expire(now = this.now()): number {
    if (this.topics)
      for (const topic of this.topics.list())
        topic.partitions.forEach((log, p) => {
          const part = this.partitions.get(key(topic.name, p));
          if (part && part.aborted.length > 0 && part.aborted[0]!.lastOffset < log.logStartOffset)
            part.aborted = part.aborted.filter((a) => a.lastOffset >= log.logStartOffset);
        });
    let removed = 0;
    for (const part of this.partitions.values())
      for (const [id, entry] of part.producers)
        if (now - entry.lastTimestamp > this.expirationMs && !part.ongoing.has(id)) {
          part.producers.delete(id);
          removed++;
        }
    return removed;
  }

  /** How many producers a partition remembers (tests, admin). */
  producerCount(topic: string, partition: number): number {
    return this.partitions.get(key(topic, partition))?.producers.size ?? 0;
  }

  /**
   * The producers a partition remembers, for DescribeProducers: id, epoch, the last sequence
   * written and when its last batch was appended (ms).
   */
  activeProducers(
    topic: string,
    partition: number,
  ): Array<{ producerId: number; producerEpoch: number; lastSequence: number; lastTimestamp: number }> {
    const part = this.partitions.get(key(topic, partition));
    if (!part) return [];
    return [...part.producers].map(([producerId, entry]) => ({
      producerId,
      producerEpoch: entry.epoch,
      lastSequence: entry.batches.at(-1)?.lastSeq ?? -1,
      lastTimestamp: entry.lastTimestamp,
    }));
  }

  forgetTopic(topic: string): void {
    for (const [k, part] of this.partitions)
      if (k.startsWith(`${topic}\u0000`)) {
        part.dropped = true;
        this.partitions.delete(k);
      }
  }

  /** Waits for snapshot writes in flight (close, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.partitions.values()].map((p) => p.writing));
  }

  // ---- internals ----

  /**
   * Captures the state now (synchronously) and writes it after any earlier write of the partition.
   * A failed write (disk full) is logged; the previous snapshot stays, and start-up replays more log.
   */
  private snapshot(part: PartitionProducers, dir: string, offset: number): Promise<void> {
    part.snapshotOffset = offset;
    const body: PersistedSnapshot = {
      version: SNAPSHOT_VERSION,
      offset,
      producers: [...part.producers].map(([id, e]) => ({
        id,
        epoch: e.epoch,
        lastTimestamp: e.lastTimestamp,
        batches: e.batches.map((b) => ({ ...b })),
      })),
      ongoing: [...part.ongoing],
      aborted: part.aborted.map((a) => ({ ...a })),
    };
    const text = JSON.stringify(body);
    const write = async () => {
      if (part.dropped) return;
      try {
        await writeFileAtomic(path.join(dir, SNAPSHOT_FILE), text);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // partition deleted meanwhile
        this.logger?.warn('producer state snapshot not written; start-up will replay more of the log', {
          dir,
          offset,
          error: String(err),
        });
      }
    };
    part.writing = part.writing.then(write, write);
    return part.writing;
  }

  /** Rebuilds one partition's state: snapshot (if it is usable) plus the batches after it. */
  private async restore(topic: string, partition: number, log: PartitionLog): Promise<void> {
    const part = new PartitionProducers();
    let from = log.logStartOffset;
    const saved = await readSnapshot(path.join(log.dir, SNAPSHOT_FILE));
    if (saved && saved.offset <= log.highWatermark) {
      for (const p of saved.producers)
        part.producers.set(p.id, {
          epoch: p.epoch,
          lastTimestamp: p.lastTimestamp,
          batches: p.batches.slice(-CACHED_BATCHES),
        });
      for (const [id, first] of saved.ongoing ?? []) part.ongoing.set(id, first);
      part.aborted = (saved.aborted ?? []).filter((a) => a.lastOffset >= log.logStartOffset);
      from = Math.max(saved.offset, log.logStartOffset);
      part.snapshotOffset = saved.offset;
    } else if (saved) {
      // the log lost its tail below the snapshot (a crash before fsync): rebuild from the log alone
      this.logger?.warn('producer state snapshot is past the log end; rebuilding from the log', {
        topic,
        partition,
        snapshotOffset: saved.offset,
        logEndOffset: log.highWatermark,
      });
    }
    let replayed = 0;
    while (from < log.highWatermark) {
      const chunk = await log.read(from, REPLAY_CHUNK);
      if (chunk.bytes === 0) break;
      let next = from;
      for (const buf of chunk.records) {
        for (let at = 0; at + 61 <= buf.length;) {
          const h = readBatchHeader(buf, at);
          if (h.totalSize <= 0) break;
          at += h.totalSize;
          if (h.lastOffset < from) continue;
          next = h.lastOffset + 1;
          if (h.producerId < 0) continue;
          // replayed batches are dated by their own timestamp, as Kafka does
          const when = h.maxTimestamp >= 0 ? h.maxTimestamp : this.now();
          if (h.isControl) {
            const type = controlTypeOf(buf, h.position);
            if (type === ControlType.abort || type === ControlType.commit)
              bookMarker(
                part,
                {
                  producerId: h.producerId,
                  producerEpoch: h.producerEpoch,
                  commit: type === ControlType.commit,
                },
                h.baseOffset,
                when,
              );
            continue;
          }
          book(part, h, h.baseOffset, when);
          replayed++;
        }
      }
      if (next <= from) break;
      from = next;
    }
    if (part.producers.size > 0 || part.aborted.length > 0) this.partitions.set(key(topic, partition), part);
    if (replayed > 0)
      this.logger?.debug('producer state rebuilt', {
        topic,
        partition,
        producers: part.producers.size,
        replayedBatches: replayed,
      });
  }
}

function book(part: PartitionProducers, batch: AppendedBatch, baseOffset: number, at: number): void {
  let entry = part.producers.get(batch.producerId);
  if (!entry || entry.epoch !== batch.producerEpoch) {
    entry = { epoch: batch.producerEpoch, batches: [], lastTimestamp: at };
    part.producers.set(batch.producerId, entry);
  }
  entry.batches.push({
    firstSeq: batch.baseSequence,
    lastSeq: seqAdd(batch.baseSequence, batch.recordCount - 1),
    baseOffset,
  });
  if (entry.batches.length > CACHED_BATCHES) entry.batches.shift();
  entry.lastTimestamp = Math.max(entry.lastTimestamp, at);
  if (batch.isTransactional && !part.ongoing.has(batch.producerId))
    part.ongoing.set(batch.producerId, baseOffset);
}

/**
 * A marker ends the producer's open transaction (an abort is remembered for read_committed) and
 * carries its epoch: a higher one (the coordinator fenced a zombie) makes older epochs invalid here.
 */
function bookMarker(part: PartitionProducers, marker: AppendedMarker, offset: number, at: number): void {
  const first = part.ongoing.get(marker.producerId);
  if (first !== undefined) {
    part.ongoing.delete(marker.producerId);
    if (!marker.commit)
      part.aborted.push({ producerId: marker.producerId, firstOffset: first, lastOffset: offset });
  }
  const entry = part.producers.get(marker.producerId);
  if (!entry)
    part.producers.set(marker.producerId, { epoch: marker.producerEpoch, batches: [], lastTimestamp: at });
  else {
    if (marker.producerEpoch > entry.epoch) {
      entry.epoch = marker.producerEpoch;
      entry.batches = [];
    }
    entry.lastTimestamp = Math.max(entry.lastTimestamp, at);
  }
}

async function readSnapshot(file: string): Promise<PersistedSnapshot | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const s = JSON.parse(text) as PersistedSnapshot;
    if (
      !READABLE_SNAPSHOT_VERSIONS.has(s.version) ||
      !Number.isSafeInteger(s.offset) ||
      !Array.isArray(s.producers)
    )
      return null;
    return s;
  } catch {
    return null; // unreadable: replay the whole log instead
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Sequences wrap from Int32.MAX to 0. */
function seqAdd(seq: number, n: number): number {
  return (seq + n) % 0x80000000;
}
