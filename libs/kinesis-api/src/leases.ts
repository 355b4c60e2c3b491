/**
 * A small lease table kept in the broker, for the teaching KCL (libs/kinesis-consumer). The real
 * KCL keeps its leases in a DynamoDB table and relies on conditional writes; here the broker keeps
 * the same rows (lease key = shard id, owner, counter, checkpoint) in
 * `<dataDir>/kinesis-leases.json` behind two actions that are NOT part of the AWS API
 * (SpsListLeases, SpsPutLease). A write names the counter it expects, and fails with DynamoDB's
 * ConditionalCheckFailedException when another worker changed the lease first.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KinesisError } from './errors.js';

export interface Lease {
  LeaseKey: string;
  Owner: string | null;
  /** Bumped by every write: renewals show liveness, and a write expecting an old value fails. */
  Counter: number;
  /** The last sequence number processed, or TRIM_HORIZON before the first checkpoint. */
  Checkpoint: string;
  OwnerSwitches: number;
}

export class LeaseTables {
  private persisting: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly tables: Record<string, Record<string, Lease>>,
  ) {}

  static async open(dataDir: string): Promise<LeaseTables> {
    const file = path.join(dataDir, 'kinesis-leases.json');
    let tables: Record<string, Record<string, Lease>> = {};
    try {
      tables = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new LeaseTables(file, tables);
  }

  list(table: string): Lease[] {
    return Object.values(this.tables[table] ?? {}).sort((a, b) => a.LeaseKey.localeCompare(b.LeaseKey));
  }

  /** Writes the lease if its stored counter is `expected` (null: the lease must not exist yet). */
  async put(table: string, lease: Omit<Lease, 'OwnerSwitches'>, expected: number | null): Promise<Lease> {
    const rows = (this.tables[table] ??= {});
    const current = rows[lease.LeaseKey];
    const actual = current ? current.Counter : null;
    if (actual !== expected)
      throw new KinesisError(
        'ConditionalCheckFailedException',
        `The conditional request failed: lease ${lease.LeaseKey} has counter ${actual ?? 'none'} (owner ${current?.Owner ?? 'none'}), not ${expected ?? 'none'}.`,
      );
    const next: Lease = {
      ...lease,
      OwnerSwitches: (current?.OwnerSwitches ?? 0) + (current && current.Owner !== lease.Owner ? 1 : 0),
    };
    rows[lease.LeaseKey] = next;
    await this.persist();
    return next;
  }

  flush(): Promise<void> {
    return this.persisting;
  }

  private persist(): Promise<void> {
    const snapshot = JSON.stringify(this.tables);
    const run = async () => {
      const tmp = `${this.file}.tmp`;
      await fs.writeFile(tmp, snapshot);
      await fs.rename(tmp, this.file);
    };
    this.persisting = this.persisting.then(run, run);
    return this.persisting;
  }
}
