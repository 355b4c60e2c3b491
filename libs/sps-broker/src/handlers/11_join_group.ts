/**
 * JoinGroup (key 11), v0–5.
 * v0: group, session timeout, member id, protocol type and protocols (no rebalance timeout: the
 *     session timeout is used, as Kafka does).
 * v1: rebalance_timeout_ms.
 * v2: throttle_time_ms.
 * v3: same as v2.
 * v4: an empty member id gets MEMBER_ID_REQUIRED with a generated id to rejoin with.
 * v5: group_instance_id (static membership), also per member in the leader's list.
 * The answer waits until the rebalance completes; only the leader receives the member list.
 */
import { ApiKey } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export default defineHandler<JoinGroupRequest>({
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  async handle(req, { state, version, clientId, clientHost }) {
    const result = await state.groups.join({
      groupId: req.groupId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs:
        version >= 1 && req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      memberId: req.memberId,
      groupInstanceId: version >= 5 ? req.groupInstanceId : null,
      protocolType: req.protocolType,
      // Copied: the request's buffer is reused, the group keeps these for its lifetime.
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      clientId: clientId ?? '',
      clientHost: `/${clientHost.replace(/^::ffff:/, '')}`,
      requireKnownMemberId: version >= 4,
    });
    return { throttleTimeMs: 0, ...result };
  },
});
