/**
 * FindCoordinator (key 10), v0–2. Keep 0 in the advertised range (librdkafka's group feature gate).
 * v1: request keyType (0 group, 1 transaction); response throttleTimeMs, errorMessage. v2: same.
 */
import { defineApi, field as f } from '../schema.js';

export const FindCoordinator = defineApi({
  name: 'FindCoordinator',
  apiKey: 10,
  validVersions: '0-2',
  flexibleVersions: '3+',
  request: [f('key', 'string', '0-3'), f('keyType', 'int8', '1+', { default: 0 })],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0-3'),
    f('errorMessage', 'string', '1-3', { nullable: '1-3', default: null }),
    f('nodeId', 'int32', '0-3'),
    f('host', 'string', '0-3'),
    f('port', 'int32', '0-3'),
  ],
});
