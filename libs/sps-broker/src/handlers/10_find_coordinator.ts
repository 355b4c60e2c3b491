/**
 * FindCoordinator (key 10), v0–2.
 * v0: a group id; the answer is the coordinator's node, host and port.
 * v1: key_type (0 group, 1 transaction); throttle_time_ms and error_message in the response.
 * v2: same as v1.
 * On a single node the coordinator for every group is this broker.
 *
 * There is no transaction coordinator yet. key_type 1 is refused with
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53) and an error_message saying why: it is the one code all
 * three client families treat as fatal at this step — librdkafka retries every other FindCoordinator
 * error, the Java client and kafkajs retry COORDINATOR_NOT_AVAILABLE (which made transactional
 * producers hang for seconds). librdkafka and the Java client print the error_message.
 * An unknown key_type is INVALID_REQUEST, as Apache Kafka answers it.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { advertisedAddress } from '../address.js';
import { defineHandler } from './handler.js';

const GROUP = 0;
const TRANSACTION = 1;

export const TRANSACTIONS_UNSUPPORTED =
  'sps does not support Kafka transactions; unset transactional.id (the idempotent producer still ' +
  'gives exactly-once writes per partition)';

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
    if (req.keyType === TRANSACTION) {
      ctx.state.logger.warn('transaction coordinator lookup refused: sps does not support transactions', {
        transactionalId: req.key,
        clientId: ctx.clientId,
      });
      return refuse(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, TRANSACTIONS_UNSUPPORTED);
    }
    if (req.keyType !== GROUP)
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
