/**
 * Static membership (KIP-345), at the protocol level: an instance that restarts under the same
 * group.instance.id within its session timeout takes its old assignment back without a
 * rebalance, and its old incarnation is fenced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode, encodeAssignment, encodeSubscription } from '@orders/kafka-protocol';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ groups: { initialRebalanceDelayMs: 0 } });
  await broker.state.topics.create('static-t', 2);
});
afterAll(async () => broker?.destroy());

const join = (conn: RawConnection, memberId: string, instance: string) =>
  conn.request(ApiKey.JoinGroup, 5, {
    groupId: 'static-g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: instance,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['static-t']) }],
  });

const sync = (
  conn: RawConnection,
  generationId: number,
  memberId: string,
  instance: string,
  assignments: object[] = [],
) =>
  conn.request(ApiKey.SyncGroup, 3, {
    groupId: 'static-g',
    generationId,
    memberId,
    groupInstanceId: instance,
    assignments,
  });

describe('static membership', () => {
  it('a restarted static member gets its assignment back without a rebalance, and the old incarnation is fenced', async () => {
    const first = await RawConnection.connect(broker.port);
    const joined = await join(first, '', 'instance-1');
    expect(joined.errorCode).toBe(ErrorCode.NONE); // static members get their id at once
    const assignment = encodeAssignment([{ topic: 'static-t', partitions: [0, 1] }]);
    const synced = await sync(first, joined.generationId, joined.memberId, 'instance-1', [
      { memberId: joined.memberId, assignment },
    ]);
    expect(synced.assignment.equals(assignment)).toBe(true);
    expect(broker.state.groups.get('static-g')!.state).toBe('Stable');

    // The process restarts: a new connection, no member id, the same instance id.
    const second = await RawConnection.connect(broker.port);
    const rejoined = await join(second, '', 'instance-1');
    expect(rejoined.errorCode).toBe(ErrorCode.NONE);
    expect(rejoined.memberId).not.toBe(joined.memberId);
    expect(rejoined.generationId).toBe(joined.generationId); // no rebalance
    const resynced = await sync(second, rejoined.generationId, rejoined.memberId, 'instance-1');
    expect(resynced.assignment.equals(assignment)).toBe(true);

    // The old incarnation, still heartbeating, is told it has been replaced.
    const stale = await first.request(ApiKey.Heartbeat, 3, {
      groupId: 'static-g',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: 'instance-1',
    });
    expect(stale.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    first.close();
    second.close();
  });
});
