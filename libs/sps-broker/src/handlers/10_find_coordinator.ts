/**
 * FindCoordinator (key 10), v0–2.
 * v0: a group id; the answer is the coordinator's node, host and port.
 * v1: key_type (0 group, 1 transaction); throttle_time_ms and error_message in the response.
 * v2: same as v1.
 * On a single node the coordinator for every group is this broker.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { advertisedAddress } from '../address.js';
import { defineHandler } from './handler.js';

const TRANSACTION = 1;

export default defineHandler<{ key: string; keyType: number }>({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const { host, port } = advertisedAddress(ctx);
    if (req.keyType === TRANSACTION)
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: 'sps does not support transactions',
        nodeId: -1,
        host: '',
        port: -1,
      };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: ctx.state.settings.nodeId,
      host,
      port,
    };
  },
});
