/**
 * One connection's SASL state, as Kafka's server-side authenticator keeps it:
 *
 *   initial ──SaslHandshake v1──▶ authenticate ──SaslAuthenticate…──▶ authenticated
 *           └─SaslHandshake v0──▶ raw (tokens as bare size-prefixed frames) ──▶ authenticated
 *
 * Before `authenticated` only ApiVersions and SaslHandshake (then only SaslAuthenticate, or raw
 * tokens) are read; anything else closes the connection, which is what Kafka does. A failed
 * step ends in `failed`: the error is answered (SaslAuthenticate) and the connection closed.
 *
 * Mechanisms: PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, RFC 7677), without channel
 * binding, as Kafka.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  SASL_MECHANISMS,
  hmac,
  digest,
  type SaslMechanism,
  type SaslUsers,
  type ScramHash,
} from './credentials.js';

export type SaslState = 'initial' | 'authenticate' | 'raw' | 'authenticated' | 'failed';

/** A failed login: the message goes to the client in SaslAuthenticate's errorMessage. */
export class SaslFailure extends Error {}

interface Step {
  response: Buffer;
  done: boolean;
}

interface MechanismServer {
  step(token: Buffer): Promise<Step>;
  /** The authenticated user once done. */
  user: string | null;
}

export class SaslSession {
  state: SaslState = 'initial';
  mechanism: SaslMechanism | null = null;
  user: string | null = null;
  private server: MechanismServer | null = null;

  constructor(readonly users: SaslUsers) {}

  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  enabledMechanisms(): string[] {
    return [...SASL_MECHANISMS];
  }

  /** SaslHandshake: picks the mechanism; false if we don't offer it. */
  begin(mechanism: string, raw: boolean): boolean {
    const m = SASL_MECHANISMS.find((x) => x === mechanism.toUpperCase());
    if (!m) {
      this.state = 'failed';
      return false;
    }
    this.mechanism = m;
    this.server =
      m === 'PLAIN'
        ? plainServer(this.users)
        : scramServer(this.users, m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
    this.state = raw ? 'raw' : 'authenticate';
    return true;
  }

  /** One client token → the server's token; moves to authenticated or failed. */
  async step(token: Buffer): Promise<Buffer> {
    if (!this.server || (this.state !== 'authenticate' && this.state !== 'raw'))
      throw new SaslFailure('no SASL handshake in progress');
    try {
      const { response, done } = await this.server.step(token);
      if (done) {
        this.user = this.server.user;
        this.state = 'authenticated';
      }
      return response;
    } catch (err) {
      this.state = 'failed';
      throw err instanceof SaslFailure ? err : new SaslFailure(`malformed ${this.mechanism} message`);
    }
  }
}

function plainServer(users: SaslUsers): MechanismServer {
  const server: MechanismServer = {
    user: null,
    async step(token) {
      // [authzid] NUL authcid NUL password
      const parts = token.toString('utf8').split('\u0000');
      if (parts.length !== 3)
        throw new SaslFailure(
          'Authentication failed: malformed PLAIN message (expected authzid\\0user\\0password)',
        );
      const [authzid, user, password] = parts as [string, string, string];
      if (authzid && authzid !== user)
        throw new SaslFailure(
          'Authentication failed: the authorization id must be empty or equal the username',
        );
      if (!(await users.checkPassword(user, password)))
        throw new SaslFailure(
          `Authentication failed: invalid username or password (SASL PLAIN, user '${user}')`,
        );
      server.user = user;
      return { response: Buffer.alloc(0), done: true };
    },
  };
  return server;
}

/** `a=1,b=2` → Map; values may contain '=' (base64). */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1)
      throw new SaslFailure(`Authentication failed: malformed SCRAM attribute '${part.slice(0, 16)}'`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function scramServer(users: SaslUsers, hash: ScramHash): MechanismServer {
  const name = hash === 'sha256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
  let expect: 'client-first' | 'client-final' = 'client-first';
  let gs2Header = '';
  let clientFirstBare = '';
  let serverFirst = '';
  let nonce = '';
  let clientNonce = '';
  let user = '';
  const server: MechanismServer = {
    user: null,
    async step(token) {
      const text = token.toString('utf8');
      if (expect === 'client-first') {
        // gs2-header "n,," or "y,," (no channel binding) or "n,a=authzid,", then client-first-bare.
        const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text);
        if (!m) {
          if (text.startsWith('p='))
            throw new SaslFailure(`Authentication failed: ${name} channel binding is not supported`);
          throw new SaslFailure(`Authentication failed: malformed ${name} client-first message`);
        }
        gs2Header = text.slice(0, text.length - m[3]!.length);
        clientFirstBare = m[3]!;
        const attrs = attributes(clientFirstBare);
        const saslName = attrs.get('n');
        clientNonce = attrs.get('r') ?? '';
        if (saslName === undefined || !clientNonce)
          throw new SaslFailure(`Authentication failed: ${name} client-first message needs n= and r=`);
        user = saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
        const authzid = m[2]?.slice(2);
        if (authzid && authzid.replace(/=2C/g, ',').replace(/=3D/g, '=') !== user)
          throw new SaslFailure(
            'Authentication failed: the authorization id must be empty or equal the username',
          );
        const cred = users.scram(user, hash);
        if (!cred)
          throw new SaslFailure(
            `Authentication failed: invalid username or password (${name}, user '${user}')`,
          );
        nonce = clientNonce + randomBytes(18).toString('base64url');
        serverFirst = `r=${nonce},s=${cred.salt.toString('base64')},i=${cred.iterations}`;
        expect = 'client-final';
        return { response: Buffer.from(serverFirst, 'utf8'), done: false };
      }
      const cred = users.scram(user, hash)!;
      const proofAt = text.lastIndexOf(',p=');
      if (proofAt < 0)
        throw new SaslFailure(`Authentication failed: ${name} client-final message has no proof`);
      const withoutProof = text.slice(0, proofAt);
      const attrs = attributes(withoutProof);
      if (attrs.get('c') !== Buffer.from(gs2Header, 'utf8').toString('base64'))
        throw new SaslFailure(`Authentication failed: ${name} channel-binding attribute does not match`);
      // librdkafka before 2.6.1 (kcat on Debian/Ubuntu links 2.0.x) sends the client nonce once
      // more in front of the full nonce (librdkafka#4895). Kafka 3.8.1–3.9 accepted that; we do
      // too, so the workshop's kcat can log in. The fresh server part must still be there, so a
      // replayed exchange still fails, and the proof covers the message as sent.
      const r = attrs.get('r');
      if (r !== nonce && r !== clientNonce + nonce)
        throw new SaslFailure(`Authentication failed: ${name} nonce does not match`);
      const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientSignature = hmac(hash, cred.storedKey, authMessage);
      if (proof.length !== clientSignature.length)
        throw new SaslFailure(
          `Authentication failed: invalid username or password (${name}, user '${user}')`,
        );
      const clientKey = xor(proof, clientSignature);
      if (!timingSafeEqual(digest(hash, clientKey), cred.storedKey))
        throw new SaslFailure(
          `Authentication failed: invalid username or password (${name}, user '${user}')`,
        );
      server.user = user;
      const serverSignature = hmac(hash, cred.serverKey, authMessage);
      return { response: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), done: true };
    },
  };
  return server;
}
