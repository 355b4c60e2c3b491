/**
 * A teaching KCL: one worker of a Kinesis "application" (the KCL's word for a consumer group).
 * Workers of one application share a lease table with one lease per shard (owner, counter,
 * checkpoint). Every `leaseDurationMs / 3` a worker:
 *   1. creates the leases of shards that have none (checkpoint TRIM_HORIZON);
 *   2. renews its own leases (counter + 1, conditional on the counter it last wrote; a failed write
 *      means another worker took the lease, and the worker stops processing that shard);
 *   3. takes leases that expired (no counter change seen for `leaseDurationMs`), and, when it holds
 *      fewer than its share (shards / live workers, rounded up), steals one lease from the most
 *      loaded worker — the KCL's lease stealing, which balances a group as workers come and go.
 * For each lease it holds it reads the shard (GetRecords from the checkpoint, AFTER_SEQUENCE_NUMBER),
 * hands the records to `processRecords`, then checkpoints the last sequence number (a conditional
 * write too). Delivery is at-least-once, as with the KCL: a stolen lease's last batch may be
 * processed again by the new owner.
 */
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { ConditionalCheckFailed, LeaseTable, type Lease } from './lease-table.js';

export interface KinesisWorkerOptions {
  /** The Kinesis endpoint, e.g. http://127.0.0.1:4567. */
  endpoint: string;
  region?: string;
  stream: string;
  /** The application name: its lease table (as the KCL names its DynamoDB table after it). */
  application: string;
  workerId: string;
  processRecords(records: _Record[], shardId: string): Promise<void>;
  /** A lease not renewed for this long is taken over (default 10 s, as the KCL's failover time). */
  leaseDurationMs?: number;
  /** How long to wait before polling a shard again when GetRecords came back empty (default 500 ms). */
  idlePollMs?: number;
}

interface Held {
  lease: Lease;
  /** serialises renewals and checkpoints of one lease */
  writing: Promise<unknown>;
  lost: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KinesisWorker {
  private readonly kinesis: KinesisClient;
  private readonly table: LeaseTable;
  private readonly held = new Map<string, Held>();
  private readonly seen = new Map<string, { counter: number; at: number }>();
  private readonly shardLoops = new Set<Promise<void>>();
  private running = false;
  private coordinator: Promise<void> | null = null;
  private readonly leaseDurationMs: number;

  constructor(private readonly options: KinesisWorkerOptions) {
    this.kinesis = new KinesisClient({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: { accessKeyId: options.workerId, secretAccessKey: 'unused' },
    });
    this.table = new LeaseTable(options.endpoint, options.application);
    this.leaseDurationMs = options.leaseDurationMs ?? 10_000;
  }

  /** The shards this worker holds leases for now. */
  ownedShards(): string[] {
    return [...this.held.keys()].sort();
  }

  leases(): Promise<Lease[]> {
    return this.table.list();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.coordinator = (async () => {
      while (this.running) {
        try {
          await this.coordinate();
        } catch (err) {
          if (this.running) console.warn(`[kcl ${this.options.workerId}] lease round failed: ${String(err)}`);
        }
        await sleep(this.leaseDurationMs / 3);
      }
    })();
  }

  /** Stops reading and renewing; the leases expire and other workers take them over. */
  async stop(): Promise<void> {
    this.running = false;
    for (const h of this.held.values()) h.lost = true;
    await this.coordinator;
    await Promise.all(this.shardLoops);
    this.held.clear();
    this.kinesis.destroy();
  }

  private async coordinate(): Promise<void> {
    const shards = await this.listShards();
    let leases = await this.table.list();
    for (const shardId of shards)
      if (!leases.some((l) => l.LeaseKey === shardId))
        await this.table
          .put({ LeaseKey: shardId, Owner: null, Counter: 0, Checkpoint: 'TRIM_HORIZON' }, null)
          .catch((err: unknown) => {
            if (!(err instanceof ConditionalCheckFailed)) throw err;
          });
    leases = await this.table.list();
    const now = Date.now();
    for (const l of leases) {
      const s = this.seen.get(l.LeaseKey);
      if (!s || s.counter !== l.Counter) this.seen.set(l.LeaseKey, { counter: l.Counter, at: now });
    }
    // renew what we hold
    for (const [shardId, h] of this.held) {
      await this.write(h, (lease) => lease).catch(() => undefined);
      if (h.lost) this.held.delete(shardId);
    }
    const expired = (l: Lease) =>
      l.Owner === null || now - this.seen.get(l.LeaseKey)!.at > this.leaseDurationMs;
    const live = new Set(leases.filter((l) => !expired(l) && l.Owner).map((l) => l.Owner!));
    live.add(this.options.workerId);
    const target = Math.ceil(leases.length / live.size);
    const mine = () => this.held.size;
    for (const l of leases) {
      if (mine() >= target) break;
      if (l.Owner !== this.options.workerId && expired(l)) await this.take(l);
    }
    if (mine() < target) {
      const counts = new Map<string, Lease[]>();
      for (const l of leases)
        if (!expired(l) && l.Owner && l.Owner !== this.options.workerId)
          counts.set(l.Owner, [...(counts.get(l.Owner) ?? []), l]);
      const [, richest] = [...counts].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
      if (richest && richest.length > target) await this.take(richest[0]!);
    }
  }

  private async take(lease: Lease): Promise<void> {
    try {
      const taken = await this.table.put(
        { ...lease, Owner: this.options.workerId, Counter: lease.Counter + 1 },
        lease.Counter,
      );
      const h: Held = { lease: taken, writing: Promise.resolve(), lost: false };
      this.held.set(lease.LeaseKey, h);
      const loop = this.processShard(lease.LeaseKey, h).finally(() => this.shardLoops.delete(loop));
      this.shardLoops.add(loop);
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailed)) throw err; // someone else was quicker
    }
  }

  /** A conditional write of the held lease (counter + 1); marks it lost if another worker changed it. */
  private write(h: Held, change: (lease: Lease) => Lease): Promise<void> {
    const run = async () => {
      if (h.lost) throw new ConditionalCheckFailed('lease lost');
      const next = change(h.lease);
      try {
        h.lease = await this.table.put({ ...next, Counter: h.lease.Counter + 1 }, h.lease.Counter);
      } catch (err) {
        if (err instanceof ConditionalCheckFailed) h.lost = true;
        throw err;
      }
    };
    const p = h.writing.then(run, run);
    h.writing = p.catch(() => undefined);
    return p;
  }

  private async processShard(shardId: string, h: Held): Promise<void> {
    let iterator: string | undefined;
    while (this.running && !h.lost) {
      try {
        if (!iterator) {
          const checkpoint = h.lease.Checkpoint;
          iterator = (
            await this.kinesis.send(
              new GetShardIteratorCommand({
                StreamName: this.options.stream,
                ShardId: shardId,
                ...(checkpoint === 'TRIM_HORIZON'
                  ? { ShardIteratorType: 'TRIM_HORIZON' }
                  : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: checkpoint }),
              }),
            )
          ).ShardIterator;
        }
        const out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        iterator = out.NextShardIterator;
        const records = out.Records ?? [];
        if (records.length === 0) {
          await sleep(this.options.idlePollMs ?? 500);
          continue;
        }
        if (h.lost) return;
        await this.options.processRecords(records, shardId);
        const last = records[records.length - 1]!.SequenceNumber!;
        await this.write(h, (lease) => ({ ...lease, Checkpoint: last }));
      } catch (err) {
        if (err instanceof ConditionalCheckFailed) return; // the lease went to another worker
        if (err instanceof ExpiredIteratorException) iterator = undefined;
        else if (this.running) {
          console.warn(`[kcl ${this.options.workerId}] ${shardId}: ${String(err)}`);
          await sleep(500);
          iterator = undefined;
        }
      }
    }
  }

  private async listShards(): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.kinesis.send(
        token
          ? new ListShardsCommand({ NextToken: token })
          : new ListShardsCommand({ StreamName: this.options.stream }),
      );
      ids.push(...(out.Shards ?? []).map((s) => s.ShardId!));
      token = out.NextToken;
    } while (token);
    return ids;
  }
}
