/**
 * ApiVersions (key 18), v0–3.
 * v0: error code and the [key, min, max] list.
 * v1: throttle_time_ms at the end.
 * v2: same as v1.
 * v3: flexible (compact arrays, tagged fields); the request names the client software.
 * A request above v3 is answered by the connection layer with a v0-framed UNSUPPORTED_VERSION
 * that still lists our versions, so the client can retry with one we speak (KIP-511).
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { advertisedApis } from './registry.js';
import { defineHandler } from './handler.js';

export default defineHandler({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  handle: () => ({ errorCode: ErrorCode.NONE, apiKeys: advertisedApis(), throttleTimeMs: 0 }),
});
