/**
 * The transaction coordinator (Kafka's TransactionCoordinator, for one node).
 *
 * Per transactional id it keeps a producer id and epoch, the transaction's state (Kafka's names:
 * Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort), the partitions and
 * consumer groups in the open transaction, and the offsets committed inside it (TxnOffsetCommit),
 * which reach the group's offsets only when the transaction commits.
 *
 * Ending a transaction: the state goes to Prepare* (durably), a commit/abort marker is appended to
 * every partition of the transaction and fsynced, the pending offsets are committed (commit only),
 * then the state goes to Complete* (durably). While the markers are being written, requests for
 * that id answer CONCURRENT_TRANSACTIONS (clients retry). A crash in between is finished at
 * start-up: a Prepare* state writes its markers again (a second marker for a transaction that has
 * already ended changes nothing). An Ongoing transaction older than its transaction.timeout.ms is
 * aborted with a bumped epoch, as Kafka does, so the producer that let it time out is fenced.
 *
 * Durability: the whole table is one JSON file (`transactions.json`, temp + fsync + rename) written
 * before each answer that changes it. The table is small (one entry per transactional id).
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { encodeControlBatch, ErrorCode as E } from '@orders/kafka-protocol';
import { writeFileAtomic } from '../atomic-file.js';
import type { AppendNotifier } from '../appends.js';
import type { GroupCoordinator } from '../groups/coordinator.js';
import type { Logger } from '../logger.js';
import type { ProducerRegistry } from '../producers.js';
import type { TopicRegistry } from '../topics.js';

export const TRANSACTIONS_FILE = 'transactions.json';
/** Kafka's transaction.max.timeout.ms default (15 minutes). */
export const DEFAULT_MAX_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;
/** Kafka's transactional.id.expiration.ms default (7 days). */
export const DEFAULT_TRANSACTIONAL_ID_EXPIRATION_MS = 7 * 24 * 60 * 60 * 1000;
/** An epoch is an int16; Kafka moves to a new producer id before it would overflow. */
const MAX_EPOCH = 32766;

export type TxnState =
  'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';

export const TXN_STATES: readonly TxnState[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
];

export interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** `topic\0partition` keys of the open transaction */
  partitions: string[];
  groups: string[];
  /** group → offsets committed in the open transaction */
  pendingOffsets: Record<string, PendingOffset[]>;
  /** when the open transaction began (its first AddPartitions/AddOffsets), -1 when none */
  startTimeMs: number;
  lastUpdateMs: number;
}

export interface TransactionCoordinatorOptions {
  maxTimeoutMs?: number;
  transactionalIdExpirationMs?: number;
  now?: () => number;
}

/** A producer id/epoch check against the coordinator's view (PRODUCER_FENCED is remapped by callers). */
type Check = { ok: true; meta: TxnMetadata } | { ok: false; errorCode: number };

const partKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const splitKey = (k: string): [string, number] => {
  const at = k.lastIndexOf('\u0000');
  return [k.slice(0, at), Number(k.slice(at + 1))];
};

export class TransactionCoordinator {
  private readonly txns = new Map<string, TxnMetadata>();
  /** ids whose markers are being written right now */
  private readonly ending = new Set<string>();
  private persisting: Promise<void> = Promise.resolve();
  readonly maxTimeoutMs: number;
  private readonly idExpirationMs: number;
  private readonly now: () => number;

  private constructor(
    private readonly file: string,
    private readonly topics: TopicRegistry,
    private readonly producers: ProducerRegistry,
    private readonly groups: GroupCoordinator,
    private readonly appends: AppendNotifier,
    private readonly logger: Logger,
    opts: TransactionCoordinatorOptions,
  ) {
    this.maxTimeoutMs = opts.maxTimeoutMs ?? DEFAULT_MAX_TRANSACTION_TIMEOUT_MS;
    this.idExpirationMs = opts.transactionalIdExpirationMs ?? DEFAULT_TRANSACTIONAL_ID_EXPIRATION_MS;
    this.now = opts.now ?? Date.now;
  }

  /** Loads the table and finishes any transaction a crash left between its two phases. */
  static async open(
    dataDir: string,
    deps: {
      topics: TopicRegistry;
      producers: ProducerRegistry;
      groups: GroupCoordinator;
      appends: AppendNotifier;
      logger: Logger;
    },
    opts: TransactionCoordinatorOptions = {},
  ): Promise<TransactionCoordinator> {
    const c = new TransactionCoordinator(
      path.join(dataDir, TRANSACTIONS_FILE),
      deps.topics,
      deps.producers,
      deps.groups,
      deps.appends,
      deps.logger,
      opts,
    );
    try {
      const saved = JSON.parse(await fs.readFile(c.file, 'utf8')) as { transactions: TxnMetadata[] };
      for (const t of saved.transactions) c.txns.set(t.transactionalId, t);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const meta of c.txns.values())
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        deps.logger.info('finishing a transaction interrupted by a restart', {
          transactionalId: meta.transactionalId,
          state: meta.state,
        });
        await c.complete(meta, meta.state === 'PrepareCommit');
      }
    return c;
  }

  get(transactionalId: string): TxnMetadata | undefined {
    return this.txns.get(transactionalId);
  }

  list(): TxnMetadata[] {
    return [...this.txns.values()];
  }

  /** Does a group-partition have offsets waiting in an open transaction (OffsetFetch requireStable)? */
  hasPendingOffsets(groupId: string, topic: string, partition: number): boolean {
    for (const meta of this.txns.values())
      if (meta.pendingOffsets[groupId]?.some((o) => o.topic === topic && o.partition === partition))
        return true;
    return false;
  }

  // ---- InitProducerId ----

  async initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected: { producerId: number; producerEpoch: number },
  ): Promise<{ errorCode: number; producerId: number; producerEpoch: number }> {
    const fail = (errorCode: number) => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (!transactionalId) return fail(E.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.maxTimeoutMs) return fail(E.INVALID_TRANSACTION_TIMEOUT);
    if (this.ending.has(transactionalId)) return fail(E.CONCURRENT_TRANSACTIONS);
    let meta = this.txns.get(transactionalId);
    const now = this.now();
    if (!meta) {
      meta = {
        transactionalId,
        producerId: await this.producers.allocateId(),
        producerEpoch: 0,
        timeoutMs,
        state: 'Empty',
        partitions: [],
        groups: [],
        pendingOffsets: {},
        startTimeMs: -1,
        lastUpdateMs: now,
      };
      this.txns.set(transactionalId, meta);
      await this.persist();
      return { errorCode: E.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
    }
    // KIP-360: a producer that names its id/epoch may only re-initialise the current one
    if (
      expected.producerId >= 0 &&
      (expected.producerId !== meta.producerId || expected.producerEpoch !== meta.producerEpoch)
    )
      return fail(E.PRODUCER_FENCED);
    await this.bumpEpoch(meta);
    meta.timeoutMs = timeoutMs;
    if (meta.state === 'Ongoing') {
      // a new producer instance with this id: the old one's transaction is aborted, with the new
      // epoch on its markers, so the old instance is fenced on every partition
      await this.end(meta, false);
    } else {
      meta.state = 'Empty';
      meta.lastUpdateMs = now;
      await this.persist();
    }
    return { errorCode: E.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn / TxnOffsetCommit ----

  /** Validates the producer, then adds the partitions (all or none); per-partition error codes. */
  async addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: Array<{ topic: string; partition: number }>,
  ): Promise<{ errorCode: number; partitionErrors?: Map<string, number> }> {
    const check = this.check(transactionalId, producerId, producerEpoch);
    if (!check.ok) return { errorCode: check.errorCode };
    const unknown = partitions.filter((p) => !this.topics.partition(p.topic, p.partition));
    if (unknown.length > 0) {
      const partitionErrors = new Map<string, number>();
      for (const p of partitions)
        partitionErrors.set(partKey(p.topic, p.partition), E.OPERATION_NOT_ATTEMPTED);
      for (const p of unknown)
        partitionErrors.set(partKey(p.topic, p.partition), E.UNKNOWN_TOPIC_OR_PARTITION);
      return { errorCode: E.NONE, partitionErrors };
    }
    const meta = check.meta;
    const began = this.begin(meta);
    const set = new Set(meta.partitions);
    const before = set.size;
    for (const p of partitions) set.add(partKey(p.topic, p.partition));
    if (began || set.size !== before) {
      meta.partitions = [...set];
      meta.lastUpdateMs = this.now();
      await this.persist();
    }
    return { errorCode: E.NONE };
  }

  async addOffsets(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    groupId: string,
  ): Promise<number> {
    const check = this.check(transactionalId, producerId, producerEpoch);
    if (!check.ok) return check.errorCode;
    if (!groupId) return E.INVALID_GROUP_ID;
    const meta = check.meta;
    this.begin(meta);
    if (!meta.groups.includes(groupId)) meta.groups.push(groupId);
    meta.lastUpdateMs = this.now();
    await this.persist();
    return E.NONE;
  }

  /** Offsets committed inside the transaction: kept aside until it commits, dropped if it aborts. */
  async txnOffsetCommit(req: {
    transactionalId: string;
    groupId: string;
    producerId: number;
    producerEpoch: number;
    generationId: number;
    memberId: string;
    offsets: PendingOffset[];
  }): Promise<Map<string, number>> {
    const errors = new Map<string, number>();
    const failAll = (code: number) => {
      for (const o of req.offsets) errors.set(partKey(o.topic, o.partition), code);
      return errors;
    };
    const meta = this.txns.get(req.transactionalId);
    if (!meta || meta.producerId !== req.producerId) return failAll(E.INVALID_PRODUCER_ID_MAPPING);
    if (meta.producerEpoch !== req.producerEpoch) return failAll(E.INVALID_PRODUCER_EPOCH);
    if (meta.state !== 'Ongoing' || !meta.groups.includes(req.groupId)) return failAll(E.INVALID_TXN_STATE);
    if (req.generationId >= 0) {
      // the consumer-group check Kafka makes for sendOffsetsToTransaction(offsets, groupMetadata)
      const group = this.groups.get(req.groupId);
      if (!group || !group.members.has(req.memberId)) return failAll(E.UNKNOWN_MEMBER_ID);
      if (group.generationId !== req.generationId) return failAll(E.ILLEGAL_GENERATION);
    }
    const pending = (meta.pendingOffsets[req.groupId] ??= []);
    for (const o of req.offsets) {
      if (!this.topics.partition(o.topic, o.partition)) {
        errors.set(partKey(o.topic, o.partition), E.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      const at = pending.findIndex((p) => p.topic === o.topic && p.partition === o.partition);
      if (at >= 0) pending[at] = o;
      else pending.push(o);
      errors.set(partKey(o.topic, o.partition), E.NONE);
    }
    meta.lastUpdateMs = this.now();
    await this.persist();
    return errors;
  }

  // ---- EndTxn ----

  async endTxn(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    commit: boolean,
  ): Promise<number> {
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (this.ending.has(transactionalId)) return E.CONCURRENT_TRANSACTIONS;
    if (meta.producerEpoch !== producerEpoch) return E.PRODUCER_FENCED;
    switch (meta.state) {
      case 'Ongoing':
        await this.end(meta, commit);
        return E.NONE;
      case 'PrepareCommit': // an earlier EndTxn failed half-way (disk full): finish it now
      case 'PrepareAbort':
        if ((meta.state === 'PrepareCommit') !== commit) return E.INVALID_TXN_STATE;
        await this.finish(meta, commit);
        return E.NONE;
      case 'CompleteCommit': // a retried EndTxn whose first answer was lost
        return commit ? E.NONE : E.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? E.INVALID_TXN_STATE : E.NONE;
      default:
        return E.INVALID_TXN_STATE;
    }
  }

  // ---- Produce ----

  /**
   * May a transactional batch of `producerId`/`producerEpoch` go to this partition? Only inside an
   * open transaction of its transactional id that added the partition (Kafka's verification).
   */
  verifyProduce(
    transactionalId: string | null,
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
  ): number {
    const meta = transactionalId === null ? undefined : this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch < meta.producerEpoch) return E.INVALID_PRODUCER_EPOCH;
    if (producerEpoch > meta.producerEpoch) return E.INVALID_PRODUCER_EPOCH;
    if (meta.state !== 'Ongoing' || !meta.partitions.includes(partKey(topic, partition)))
      return E.INVALID_TXN_STATE;
    return E.NONE;
  }

  // ---- timers ----

  /**
   * Aborts transactions open longer than their timeout (with a bumped epoch: the producer that let
   * it time out is fenced, as in Kafka), and forgets ids idle for transactional.id.expiration.ms.
   */
  async abortTimedOut(now = this.now()): Promise<string[]> {
    const aborted: string[] = [];
    for (const meta of [...this.txns.values()]) {
      if (this.ending.has(meta.transactionalId)) continue;
      if (meta.state === 'Ongoing' && now - meta.startTimeMs > meta.timeoutMs) {
        this.logger.info('transaction timed out; aborting it', {
          transactionalId: meta.transactionalId,
          producerId: meta.producerId,
          timeoutMs: meta.timeoutMs,
        });
        await this.bumpEpoch(meta);
        await this.end(meta, false);
        aborted.push(meta.transactionalId);
      } else if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        await this.finish(meta, meta.state === 'PrepareCommit'); // an earlier attempt failed half-way
      } else if (meta.state !== 'Ongoing' && now - meta.lastUpdateMs > this.idExpirationMs) {
        this.txns.delete(meta.transactionalId);
        await this.persist();
      }
    }
    return aborted;
  }

  /** Waits for table writes in flight (close, tests). */
  async settled(): Promise<void> {
    await this.persisting.catch(() => undefined);
  }

  // ---- internals ----

  private check(transactionalId: string, producerId: number, producerEpoch: number): Check {
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId)
      return { ok: false, errorCode: E.INVALID_PRODUCER_ID_MAPPING };
    if (meta.producerEpoch !== producerEpoch) return { ok: false, errorCode: E.PRODUCER_FENCED };
    if (this.ending.has(transactionalId) || meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort')
      return { ok: false, errorCode: E.CONCURRENT_TRANSACTIONS };
    return { ok: true, meta };
  }

  /** Opens a transaction unless one is open; true when it did. */
  private begin(meta: TxnMetadata): boolean {
    if (meta.state === 'Ongoing') return false;
    meta.state = 'Ongoing';
    meta.partitions = [];
    meta.groups = [];
    meta.pendingOffsets = {};
    meta.startTimeMs = this.now();
    return true;
  }

  /** The next epoch of the id, or a fresh producer id when the epoch would overflow. */
  private async bumpEpoch(meta: TxnMetadata): Promise<void> {
    if (meta.producerEpoch >= MAX_EPOCH) {
      meta.producerId = await this.producers.allocateId();
      meta.producerEpoch = 0;
    } else meta.producerEpoch++;
  }

  /** Phase one (durable Prepare*), then the markers and offsets, then Complete*. */
  private async end(meta: TxnMetadata, commit: boolean): Promise<void> {
    this.ending.add(meta.transactionalId);
    try {
      meta.state = commit ? 'PrepareCommit' : 'PrepareAbort';
      meta.lastUpdateMs = this.now();
      await this.persist();
      await this.complete(meta, commit);
    } finally {
      this.ending.delete(meta.transactionalId);
    }
  }

  /** Phase two again, for a transaction whose earlier attempt failed after phase one. */
  private async finish(meta: TxnMetadata, commit: boolean): Promise<void> {
    this.ending.add(meta.transactionalId);
    try {
      await this.complete(meta, commit);
    } finally {
      this.ending.delete(meta.transactionalId);
    }
  }

  private async complete(meta: TxnMetadata, commit: boolean): Promise<void> {
    const flushes: Promise<void>[] = [];
    for (const k of meta.partitions) {
      const [topic, partition] = splitKey(k);
      const log = this.topics.partition(topic, partition);
      if (!log) continue; // deleted meanwhile: nothing left to mark
      const marker = encodeControlBatch({
        producerId: meta.producerId,
        producerEpoch: meta.producerEpoch,
        commit,
      });
      const appended = log.append(marker);
      this.producers.markerAppended(
        topic,
        partition,
        log,
        { producerId: meta.producerId, producerEpoch: meta.producerEpoch, commit },
        appended.baseOffset,
        appended.position,
      );
      this.appends.notify(topic, partition);
      flushes.push(log.flush());
    }
    await Promise.all(flushes);
    if (commit)
      for (const [groupId, offsets] of Object.entries(meta.pendingOffsets))
        await this.groups.offsets.commit(groupId, offsets);
    meta.state = commit ? 'CompleteCommit' : 'CompleteAbort';
    meta.partitions = [];
    meta.groups = [];
    meta.pendingOffsets = {};
    meta.startTimeMs = -1;
    meta.lastUpdateMs = this.now();
    await this.persist();
  }

  /** Writes the whole table; writes are chained so the file always ends with the newest state. */
  private persist(): Promise<void> {
    const text = JSON.stringify({ version: 1, transactions: [...this.txns.values()] });
    const write = () => writeFileAtomic(this.file, text);
    const next = this.persisting.then(write, write);
    this.persisting = next.catch(() => undefined);
    return next;
  }
}
