/**
 * AddOffsetsToTxn (key 25), v0–3.
 * v0: transactional id, producer id/epoch and the consumer group whose offsets the transaction
 *     will commit (sendOffsetsToTransaction).
 * v1: same as v0.
 * v2: PRODUCER_FENCED may be answered (v0–1 get INVALID_PRODUCER_EPOCH).
 * v3: flexible.
 * The client then sends TxnOffsetCommit to the group coordinator (this broker too).
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

export default defineHandler<AddOffsetsToTxnRequest>({
  apiKey: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 3,
  async handle(req, { state, version }) {
    let errorCode: number;
    try {
      errorCode = await state.transactions.addOffsets(
        req.transactionalId,
        req.producerId,
        req.producerEpoch,
        req.groupId,
      );
    } catch (err) {
      state.logger.error('transaction state not persisted', { error: String(err) });
      errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    if (errorCode === ErrorCode.PRODUCER_FENCED && version < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode };
  },
});
