/**
 * SaslHandshake (key 17), v0–1. Never flexible.
 * v0: after a successful handshake the SASL tokens travel as bare size-prefixed frames, with no
 *     Kafka request header (the pre-KIP-152 exchange; the connection layer reads them).
 * v1: the tokens travel in SaslAuthenticate (36) requests.
 * The response lists the mechanisms we offer: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. A mechanism we
 * don't offer gets UNSUPPORTED_SASL_MECHANISM (33) with that list, then the connection is closed,
 * as Kafka does. On a listener without SASL, or once authenticated (we grant sessions without a
 * lifetime, so there is no re-authentication), the answer is ILLEGAL_SASL_STATE (34), as Kafka's.
 */
import {
  ApiKey,
  ErrorCode,
  type SaslHandshakeRequest,
  type SaslHandshakeResponse,
} from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const sasl = ctx.sasl;
    if (!sasl || sasl.state !== 'initial')
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: sasl?.enabledMechanisms() ?? [] };
    if (!sasl.begin(req.mechanism, ctx.version === 0)) {
      ctx.warn('sasl-mechanism', `SASL mechanism '${req.mechanism}' is not enabled; closing the connection`, {
        client: ctx.clientHost,
        enabled: sasl.enabledMechanisms().join(','),
      });
      ctx.closeAfterResponse();
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: sasl.enabledMechanisms() };
    }
    return { errorCode: ErrorCode.NONE, mechanisms: sasl.enabledMechanisms() };
  },
});
