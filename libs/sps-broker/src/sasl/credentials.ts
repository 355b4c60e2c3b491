/**
 * The broker's SASL users, kept only as salted SCRAM credentials (RFC 5802 §3: salt, iteration
 * count, StoredKey, ServerKey) for SHA-256 and SHA-512 — the plain password is hashed at start-up
 * and dropped, as Kafka stores SCRAM credentials. PLAIN logins are checked by deriving the
 * StoredKey from the offered password with the stored salt and comparing.
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

export type ScramHash = 'sha256' | 'sha512';
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Kafka's minimum (and the usual) SCRAM iteration count. */
export const SCRAM_ITERATIONS = 4096;

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const KEY_BYTES: Record<ScramHash, number> = { sha256: 32, sha512: 64 };

export function hmac(hash: ScramHash, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash, key).update(data).digest();
}

export function digest(hash: ScramHash, data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

function fromSaltedPassword(hash: ScramHash, salted: Buffer): { storedKey: Buffer; serverKey: Buffer } {
  return {
    storedKey: digest(hash, hmac(hash, salted, 'Client Key')),
    serverKey: hmac(hash, salted, 'Server Key'),
  };
}

export function scramCredential(
  hash: ScramHash,
  password: string,
  iterations = SCRAM_ITERATIONS,
  salt: Buffer = randomBytes(24),
): ScramCredential {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, KEY_BYTES[hash], hash);
  return { salt, iterations, ...fromSaltedPassword(hash, salted) };
}

/** The users one listener accepts. Built from user:password pairs; holds no password. */
export class SaslUsers {
  private readonly users = new Map<string, Record<ScramHash, ScramCredential>>();

  constructor(users: Iterable<[string, string]>) {
    for (const [name, password] of users) {
      if (!name) throw new Error('SASL user with an empty name');
      if (!password) throw new Error(`SASL user '${name}' has an empty password`);
      this.users.set(name, {
        sha256: scramCredential('sha256', password),
        sha512: scramCredential('sha512', password),
      });
    }
    if (this.users.size === 0) throw new Error('SASL is enabled but no users are configured');
  }

  get size(): number {
    return this.users.size;
  }

  names(): string[] {
    return [...this.users.keys()];
  }

  scram(user: string, hash: ScramHash): ScramCredential | undefined {
    return this.users.get(user)?.[hash];
  }

  /** PLAIN: derives the offered password's StoredKey with the user's salt; constant-time compare. */
  async checkPassword(user: string, password: string): Promise<boolean> {
    const cred = this.users.get(user)?.sha256;
    // An unknown user costs the same derivation, so timing does not tell which users exist.
    const { salt, iterations, storedKey } = cred ?? DUMMY;
    const salted = await pbkdf2Async(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
    const offered = fromSaltedPassword('sha256', salted).storedKey;
    return timingSafeEqual(offered, storedKey) && cred !== undefined;
  }
}

const DUMMY: ScramCredential = {
  salt: Buffer.alloc(24),
  iterations: SCRAM_ITERATIONS,
  storedKey: Buffer.alloc(32),
  serverKey: Buffer.alloc(32),
};

/**
 * `user:pass,user2:pass2` (SPS_SASL_USERS) → pairs. The password is everything after the first
 * ':' of each entry, so it may hold ':' but not ','; use a users file for such passwords.
 */
export function parseSaslUsers(spec: string, where = 'SPS_SASL_USERS'): Array<[string, string]> {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => splitUser(entry, `${where} entry ${i + 1}`));
}

/**
 * A users file: one `user:password` per line; blank lines and lines starting with '#' are
 * ignored; the password is the rest of the line after the first ':' (it may hold ':' and ',').
 */
export function parseSaslUsersFile(text: string, file: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    out.push(splitUser(line, `${file} line ${i + 1}`));
  });
  return out;
}

export function readSaslUsersFile(file: string): Array<[string, string]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read SASL users file ${file}: ${(err as Error).message}`);
  }
  const users = parseSaslUsersFile(text, file);
  if (users.length === 0)
    throw new Error(`SASL users file ${file} lists no users (one user:password per line)`);
  return users;
}

function splitUser(entry: string, where: string): [string, string] {
  const i = entry.indexOf(':');
  if (i <= 0 || i === entry.length - 1)
    // The entry is not echoed: it may be a password.
    throw new Error(`${where}: expected user:password (user and password both non-empty)`);
  return [entry.slice(0, i).trim(), entry.slice(i + 1)];
}
