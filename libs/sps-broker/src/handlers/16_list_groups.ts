/**
 * ListGroups (key 16), v0–2.
 * v0: every group with its protocol type.
 * v1: throttle_time_ms.
 * v2: same as v1.
 * Groups that only have committed offsets (no members, e.g. after a restart) are listed too.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler({
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  handle: (_req, { state }) => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    groups: state.groups
      .list()
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? 'consumer' })),
  }),
});
