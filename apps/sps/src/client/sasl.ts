// The client side of SASL for our small client: SaslHandshake v1, then SaslAuthenticate v1
// carrying PLAIN (RFC 4616) or SCRAM-SHA-256/512 (RFC 5802/7677) tokens, as librdkafka and kafkajs do.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { CliError } from '../errors.js';
import type { ClientSecurity } from '../security.js';
import { ApiKeys, Errors, errorName } from './protocol.js';

interface Requester {
  address: string;
  request<T>(apiKey: number, version: number, body: object): Promise<T>;
}

interface AuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Uint8Array;
}

export async function authenticate(
  conn: Requester,
  sasl: NonNullable<ClientSecurity['sasl']>,
): Promise<void> {
  const mechanism = sasl.mechanism.toUpperCase();
  const hs = await conn.request<{ errorCode: number; mechanisms: string[] }>(ApiKeys.SaslHandshake, 1, {
    mechanism,
  });
  if (hs.errorCode !== Errors.NONE)
    throw new CliError(
      hs.errorCode === Errors.UNSUPPORTED_SASL_MECHANISM
        ? `${conn.address} does not offer SASL ${mechanism} (it offers ${hs.mechanisms.join(', ') || 'none'}): change KAFKA_SASL_MECHANISM`
        : `${conn.address} refused the SASL handshake: ${errorName(hs.errorCode)} (is SASL enabled on that port?)`,
    );
  const step = async (token: Buffer): Promise<Buffer> => {
    const res = await conn.request<AuthenticateResponse>(ApiKeys.SaslAuthenticate, 1, { authBytes: token });
    if (res.errorCode !== Errors.NONE)
      throw new CliError(
        `SASL ${mechanism} login as '${sasl.username}' to ${conn.address} failed: ${res.errorMessage ?? errorName(res.errorCode)}`,
      );
    return Buffer.from(res.authBytes);
  };
  if (sasl.mechanism === 'plain') {
    await step(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return;
  }
  const hash = sasl.mechanism === 'scram-sha-256' ? 'sha256' : 'sha512';
  const saslName = sasl.username.replace(/=/g, '=3D').replace(/,/g, '=2C');
  const clientNonce = randomBytes(18).toString('base64url');
  const clientFirstBare = `n=${saslName},r=${clientNonce}`;
  const serverFirst = (await step(Buffer.from(`n,,${clientFirstBare}`, 'utf8'))).toString('utf8');
  const attrs = new Map(serverFirst.split(',').map((p) => [p[0], p.slice(2)] as const));
  const nonce = attrs.get('r') ?? '';
  const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
  const iterations = Number(attrs.get('i'));
  if (!nonce.startsWith(clientNonce) || !Number.isInteger(iterations) || iterations < 1)
    throw new CliError(`${conn.address} sent an invalid SCRAM server-first message`);
  const salted = pbkdf2Sync(
    sasl.password.normalize('NFKC'),
    salt,
    iterations,
    hash === 'sha256' ? 32 : 64,
    hash,
  );
  const hmac = (key: Buffer, data: string) => createHmac(hash, key).update(data).digest();
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
  const serverFinal = (
    await step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8'))
  ).toString('utf8');
  const expected = hmac(hmac(salted, 'Server Key'), authMessage);
  const got = Buffer.from(serverFinal.startsWith('v=') ? serverFinal.slice(2) : '', 'base64');
  if (got.length !== expected.length || !timingSafeEqual(got, expected))
    throw new CliError(
      `${conn.address} could not prove it knows the SCRAM credentials (server signature mismatch)`,
    );
}
