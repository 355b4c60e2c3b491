/**
 * The lease table's client. The real KCL keeps leases in DynamoDB; ours live in the broker behind
 * two actions that are not part of the AWS API (SpsListLeases, SpsPutLease on the Kinesis port),
 * with the one DynamoDB feature the KCL relies on: a conditional write on the lease counter.
 */
export interface Lease {
  LeaseKey: string;
  Owner: string | null;
  Counter: number;
  Checkpoint: string;
  OwnerSwitches: number;
}

export class ConditionalCheckFailed extends Error {
  override readonly name = 'ConditionalCheckFailed';
}

export class LeaseTable {
  constructor(
    private readonly endpoint: string,
    readonly name: string,
  ) {}

  async list(): Promise<Lease[]> {
    const out = (await this.call('SpsListLeases', { LeaseTable: this.name })) as { Leases: Lease[] };
    return out.Leases;
  }

  /** Writes the lease if its stored counter is `expected` (null: it must not exist yet). */
  async put(lease: Omit<Lease, 'OwnerSwitches'>, expected: number | null): Promise<Lease> {
    const out = (await this.call('SpsPutLease', {
      LeaseTable: this.name,
      Lease: {
        LeaseKey: lease.LeaseKey,
        Owner: lease.Owner,
        Counter: lease.Counter,
        Checkpoint: lease.Checkpoint,
      },
      ExpectedCounter: expected,
    })) as { Lease: Lease };
    return out.Lease;
  }

  private async call(action: string, body: object): Promise<unknown> {
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${action}` },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { __type?: string; message?: string };
    if (res.ok) return json;
    if (json.__type === 'ConditionalCheckFailedException') throw new ConditionalCheckFailed(json.message);
    throw new Error(`${action} failed: ${json.__type}: ${json.message}`);
  }
}
