import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SaslUsers } from './credentials.js';
import { SaslFailure, SaslSession } from './session.js';

const users = new SaslUsers([['user', 'pencil']]);

/** A by-the-RFC SCRAM client, with a knob to send the nonce the way librdkafka < 2.6.1 does. */
async function scramLogin(
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
  password: string,
  nonceStyle: 'rfc' | 'librdkafka' | 'forged' = 'rfc',
) {
  const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  const session = new SaslSession(users);
  expect(session.begin(mechanism, false)).toBe(true);
  const clientNonce = 'rOprNGfwEbeRWgbNEkqO';
  const clientFirstBare = `n=user,r=${clientNonce}`;
  const serverFirst = (await session.step(Buffer.from(`n,,${clientFirstBare}`))).toString();
  const attrs = new Map(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
  const nonce = attrs.get('r')!;
  expect(nonce.startsWith(clientNonce)).toBe(true);
  const salted = pbkdf2Sync(
    password,
    Buffer.from(attrs.get('s')!, 'base64'),
    Number(attrs.get('i')),
    hash === 'sha256' ? 32 : 64,
    hash,
  );
  const hmac = (k: Buffer, d: string) => createHmac(hash, k).update(d).digest();
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash(hash).update(clientKey).digest();
  const sentNonce =
    nonceStyle === 'rfc' ? nonce : nonceStyle === 'librdkafka' ? clientNonce + nonce : clientNonce + 'forged';
  const withoutProof = `c=biws,r=${sentNonce}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const sig = hmac(storedKey, authMessage);
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
  const serverFinal = (
    await session.step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`))
  ).toString();
  expect(serverFinal).toBe(`v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`);
  return session;
}

describe('SCRAM server', () => {
  for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    it(`${m}: the right password logs in and the server proves it knows the credentials`, async () => {
      const s = await scramLogin(m, 'pencil');
      expect(s.authenticated).toBe(true);
      expect(s.user).toBe('user');
    });
    it(`${m}: a wrong password is refused`, async () => {
      await expect(scramLogin(m, 'pen')).rejects.toThrow(/invalid username or password/);
    });
  }
  it("accepts librdkafka < 2.6.1's doubled client nonce (librdkafka#4895), as Kafka 3.8.1–3.9 did", async () => {
    expect((await scramLogin('SCRAM-SHA-256', 'pencil', 'librdkafka')).authenticated).toBe(true);
  });
  it('refuses a nonce without the server part', async () => {
    await expect(scramLogin('SCRAM-SHA-256', 'pencil', 'forged')).rejects.toThrow(SaslFailure);
  });
});

describe('credentials', () => {
  it('keep no plain password in memory', () => {
    const u = new SaslUsers([['alice', 'a-very-distinct-password']]);
    const dump = JSON.stringify(u, (_k, v) =>
      v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v,
    );
    expect(dump).not.toContain('a-very-distinct-password');
    expect(u.scram('alice', 'sha256')).toMatchObject({ iterations: 4096 });
  });
  it('PLAIN checks the password against the salted StoredKey', async () => {
    const s = new SaslSession(users);
    s.begin('PLAIN', false);
    await s.step(Buffer.from('\0user\0pencil'));
    expect(s.authenticated).toBe(true);
  });
});
