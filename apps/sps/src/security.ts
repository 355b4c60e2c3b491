// TLS and SASL for the client commands, from the same environment variables the apps read
// (libs/messaging kafkaConfigFromEnv): KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM,
// KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD. One source, so `sps topics` works wherever the apps do.
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';

export type SaslMechanismName = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface ClientSecurity {
  /** null: plaintext. `ca`: PEM to trust instead of Node's public CAs. */
  tls: { ca?: string } | null;
  sasl: { mechanism: SaslMechanismName; username: string; password: string } | null;
}

const MECHANISMS: readonly SaslMechanismName[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export function clientSecurityFromEnv(env: NodeJS.ProcessEnv): ClientSecurity {
  const ssl = (env.KAFKA_SSL ?? '').trim().toLowerCase();
  if (ssl && !['true', '1', 'false', '0'].includes(ssl))
    throw new CliError(`KAFKA_SSL must be true or false, got "${env.KAFKA_SSL}"`);
  const caFile = env.KAFKA_SSL_CA_FILE?.trim();
  let tls: ClientSecurity['tls'] = ssl === 'true' || ssl === '1' ? {} : null;
  if (caFile) {
    if (ssl === 'false' || ssl === '0')
      throw new CliError('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false: unset one of them');
    let ca: string;
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new CliError(
        `KAFKA_SSL_CA_FILE: cannot read ${caFile} (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new CliError(
        `KAFKA_SSL_CA_FILE: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      );
    tls = { ca };
  }
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (!mechanism) {
    if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD)
      throw new CliError(
        'KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SASL_MECHANISM is not: set it to plain, scram-sha-256 or scram-sha-512',
      );
    return { tls, sasl: null };
  }
  if (!(MECHANISMS as readonly string[]).includes(mechanism))
    throw new CliError(
      `KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got "${mechanism}"`,
    );
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username || !password)
    throw new CliError(
      'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are needed too',
    );
  return { tls, sasl: { mechanism: mechanism as SaslMechanismName, username, password } };
}
