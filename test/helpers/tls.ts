/**
 * A throwaway self-signed certificate for localhost/127.0.0.1, made with the machine's `openssl`
 * at test time (nothing secret is committed). Clients trust it via its own PEM as the CA file.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestCert {
  dir: string;
  certFile: string;
  keyFile: string;
  /** The certificate is its own CA: give this file as ssl.ca.location / KAFKA_SSL_CA_FILE. */
  caFile: string;
  cert: string;
  key: string;
}

export async function selfSignedCert(): Promise<TestCert> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sps-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
  } catch {
    throw new Error(
      'the TLS tests make a certificate with openssl, which is not installed (apt-get install -y openssl)',
    );
  }
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'pipe' },
  );
  return {
    dir,
    certFile,
    keyFile,
    caFile: certFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
  };
}
