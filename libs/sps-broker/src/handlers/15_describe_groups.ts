/**
 * DescribeGroups (key 15), v0–4.
 * v0: state, protocol, and members with client id, host, metadata and assignment.
 * v1: throttle_time_ms.
 * v2: same as v1.
 * v3: include_authorized_operations (we report none: INT32_MIN, "not requested").
 * v4: group_instance_id per member.
 * An unknown group is described as "Dead" with no error, as Kafka does.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler<{ groups: string[] }>({
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 4,
  handle(req, { state }) {
    const groups = req.groups.map((groupId) => {
      const g = state.groups.get(groupId);
      if (!g)
        return {
          errorCode: ErrorCode.NONE,
          groupId,
          groupState: 'Dead',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: -2147483648,
        };
      const stable = g.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: g.state,
        protocolType: g.protocolType ?? (state.groups.offsets.hasOffsets(groupId) ? 'consumer' : ''),
        protocolData: stable || g.state === 'CompletingRebalance' ? (g.protocolName ?? '') : '',
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata:
            m.protocols.find((p) => p.name === g.protocolName)?.metadata ??
            m.protocols[0]?.metadata ??
            Buffer.alloc(0),
          memberAssignment: stable ? m.assignment : Buffer.alloc(0),
        })),
        authorizedOperations: -2147483648,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
});
