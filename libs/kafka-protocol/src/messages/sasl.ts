/**
 * SaslHandshake (key 17), v0–1: never flexible. v0: raw SASL tokens follow on the socket;
 * v1: tokens travel in SaslAuthenticate.
 * SaslAuthenticate (key 36), v0–2. v1: response sessionLifetimeMs. v2: flexible (compact strings and
 * bytes, tagged fields; the Java client 2.5+ and librdkafka 2.x send it).
 */
import { array, defineApi, field as f } from '../schema.js';

export const SaslHandshake = defineApi({
  name: 'SaslHandshake',
  apiKey: 17,
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: [f('mechanism', 'string', '0+')],
  response: [f('errorCode', 'int16', '0+'), f('mechanisms', array('string'), '0+')],
});

export const SaslAuthenticate = defineApi({
  name: 'SaslAuthenticate',
  apiKey: 36,
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [f('authBytes', 'bytes', '0+')],
  response: [
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
    f('authBytes', 'bytes', '0+'),
    f('sessionLifetimeMs', 'int64', '1+', { default: 0 }),
  ],
});
