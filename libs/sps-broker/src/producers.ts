/**
 * Idempotent producers: InitProducerId hands out ids, and each partition remembers, per producer,
 * the sequence numbers of its last few batches. A retried batch (same producer, epoch and
 * sequences) is answered with its original offset instead of being stored twice; a gap in the
 * sequence is refused with OUT_OF_ORDER_SEQUENCE_NUMBER, as Kafka does.
 *
 * State is in memory: after a broker restart a known producer's next batch is accepted at any
 * sequence (like Kafka for a producer whose state has expired).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '@orders/kafka-protocol';

/** Kafka keeps the metadata of the last 5 batches per producer, matching max.in.flight = 5. */
const CACHED_BATCHES = 5;
const ID_BLOCK = 1000;

interface CachedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerPartitionState {
  epoch: number;
  batches: CachedBatch[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

export class ProducerRegistry {
  /** key: `${topic}\u0000${partition}` → producerId → state */
  private readonly partitions = new Map<string, Map<number, ProducerPartitionState>>();
  private nextId = 0;
  private reservedUntil = 0;

  private constructor(private readonly file: string) {}

  /** Producer ids are allocated in persisted blocks so ids are never reused across restarts. */
  static async open(dataDir: string): Promise<ProducerRegistry> {
    const registry = new ProducerRegistry(path.join(dataDir, 'producer-ids.json'));
    try {
      const saved = JSON.parse(await fs.readFile(registry.file, 'utf8'));
      registry.nextId = registry.reservedUntil = Number(saved.reservedUntil) || 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return registry;
  }

  async allocateId(): Promise<number> {
    if (this.nextId >= this.reservedUntil) {
      this.reservedUntil = this.nextId + ID_BLOCK;
      const tmp = `${this.file}.tmp`;
      await fs.writeFile(tmp, JSON.stringify({ reservedUntil: this.reservedUntil }));
      await fs.rename(tmp, this.file);
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
    const state = this.partitions.get(key(topic, partition))?.get(producerId);
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

  /** Records an appended idempotent batch. */
  record(
    topic: string,
    partition: number,
    producerId: number,
    epoch: number,
    firstSeq: number,
    count: number,
    baseOffset: number,
  ): void {
    const k = key(topic, partition);
    let producers = this.partitions.get(k);
    if (!producers) this.partitions.set(k, (producers = new Map()));
    let state = producers.get(producerId);
    if (!state || state.epoch !== epoch) producers.set(producerId, (state = { epoch, batches: [] }));
    state.batches.push({ firstSeq, lastSeq: seqAdd(firstSeq, count - 1), baseOffset });
    if (state.batches.length > CACHED_BATCHES) state.batches.shift();
  }

  forgetTopic(topic: string): void {
    for (const k of this.partitions.keys()) if (k.startsWith(`${topic}\u0000`)) this.partitions.delete(k);
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Sequences wrap from Int32.MAX to 0. */
function seqAdd(seq: number, n: number): number {
  return (seq + n) % 0x80000000;
}
