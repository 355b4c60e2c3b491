/**
 * SaslAuthenticate (key 36), v0–2: one SASL token each way (KIP-152).
 * v0: error code, error message, server token.
 * v1: adds sessionLifetimeMs; we answer 0 (no session expiry, so clients never re-authenticate).
 * v2: flexible (compact bytes/strings, tagged fields).
 * Only read after a SaslHandshake v1; a failed login answers SASL_AUTHENTICATION_FAILED (58) with
 * a message naming the mechanism and user, then closes the connection, as Kafka does. On a
 * listener without SASL, or after authentication, the answer is ILLEGAL_SASL_STATE (34).
 */
import {
  ApiKey,
  ErrorCode,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponse,
} from '@orders/kafka-protocol';
import { SaslFailure } from '../sasl/session.js';
import { defineHandler } from './handler.js';

export default defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const sasl = ctx.sasl;
    if (!sasl || sasl.state !== 'authenticate')
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: sasl
          ? 'SaslAuthenticate is only valid after a SaslHandshake v1, once per connection'
          : 'SASL is not enabled on this listener',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      };
    try {
      const authBytes = await sasl.step(Buffer.from(req.authBytes));
      if (sasl.authenticated)
        ctx.state.logger.debug('SASL authenticated', {
          client: ctx.clientHost,
          user: sasl.user,
          mechanism: sasl.mechanism,
        });
      return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes, sessionLifetimeMs: 0n };
    } catch (err) {
      if (!(err instanceof SaslFailure)) throw err;
      ctx.warn('sasl-failed', `SASL ${sasl.mechanism} login failed; closing the connection`, {
        client: ctx.clientHost,
        reason: err.message,
      });
      ctx.closeAfterResponse();
      return {
        errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
        errorMessage: err.message,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      };
    }
  },
});
