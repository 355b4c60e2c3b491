/**
 * ApiVersions (key 18), v0–3.
 * v0: error code and the [key, min, max] list.
 * v1: throttle_time_ms at the end.
 * v2: same as v1.
 * v3: flexible (compact arrays, tagged fields); the request names the client software.
 * A request above v3 is answered by the connection layer with a v0-framed UNSUPPORTED_VERSION
 * that still lists our versions, so the client can retry with one we speak (KIP-511).
 *
 * v3 also carries feature flags (KIP-584), which `kafka-features describe` prints and the Java client
 * reads: this broker supports only level 0 of `group.version` (the classic group protocol, no
 * KIP-848) and of `transaction.version` (classic transactions: clients add partitions with
 * AddPartitionsToTxn and keep one epoch per producer session; level 2 would be KIP-890's per-transaction
 * epochs), and finalizes none above 0, so clients never switch those protocols on. metadata.version / kraft.version are KRaft controller features
 * this single-node broker has no equivalent for, so they are not claimed.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { advertisedApis } from './registry.js';
import { defineHandler } from './handler.js';

const SUPPORTED_FEATURES = [
  { name: 'group.version', minVersion: 0, maxVersion: 0 },
  { name: 'transaction.version', minVersion: 0, maxVersion: 0 },
];

export default defineHandler({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  handle: () => ({
    errorCode: ErrorCode.NONE,
    apiKeys: advertisedApis(),
    throttleTimeMs: 0,
    supportedFeatures: SUPPORTED_FEATURES,
    finalizedFeaturesEpoch: 0,
    finalizedFeatures: [],
  }),
});
