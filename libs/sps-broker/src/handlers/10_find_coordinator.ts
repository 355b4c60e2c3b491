/**
 * FindCoordinator (key 10), v0–2.
 * v0: a group id; the answer is the coordinator's node, host and port.
 * v1: key_type (0 group, 1 transaction); throttle_time_ms and error_message in the response.
 * v2: same as v1.
 * On a single node the coordinator for every group (key_type 0) and every transactional id
 * (key_type 1, the transaction coordinator in transactions/) is this broker.
 * An unknown key_type is INVALID_REQUEST, as Apache Kafka answers it.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { advertisedAddress } from '../address.js';
import { defineHandler } from './handler.js';

const GROUP = 0;
const TRANSACTION = 1;

export default defineHandler<{ key: string; keyType: number }>({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const refuse = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      nodeId: -1,
      host: '',
      port: -1,
    });
    if (req.keyType !== GROUP && req.keyType !== TRANSACTION)
      return refuse(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${req.keyType}`);
    const { host, port } = advertisedAddress(ctx);
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
