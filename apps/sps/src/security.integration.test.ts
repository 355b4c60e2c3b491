// `sps serve` with SASL and TLS (SPS_SASL_USERS, --sasl-users-file, --tls-cert/--tls-key), and the
// client commands against it with the apps' settings (KAFKA_SSL_CA_FILE, KAFKA_SASL_*).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert, type TestCert } from '../../../test/helpers/tls.js';
import { run } from './cli.js';
import { captureIo } from './io.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = ['--conditions=@orders/source', '--import', 'tsx', 'apps/sps/src/main.ts'];

let cert: TestCert;
let dir: string;
let child: ChildProcess;
let stdout = '';
let stderr = '';
let bootstrap = '';

beforeAll(async () => {
  cert = await selfSignedCert();
  dir = await mkdtemp(path.join(tmpdir(), 'sps-sasl-'));
  const usersFile = path.join(dir, 'users.txt');
  await writeFile(usersFile, '# learners\ncarol:c,ol:on=\n');
  child = spawn(
    process.execPath,
    [
      ...cli,
      'serve',
      '--port',
      '0',
      '--http-port',
      'off',
      '--kinesis-port',
      'off',
      '--data-dir',
      path.join(dir, 'data'),
      '--sasl-users-file',
      usersFile,
      '--tls-cert',
      cert.certFile,
      '--tls-key',
      cert.keyFile,
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPS_SASL_USERS: 'alice:s3cret' },
    },
  );
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  for (let i = 0; i < 600 && !/ready|sps:/.test(stdout + stderr) && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 50));
  const m = /kafka on (\S+) /.exec(stdout);
  if (!m) throw new Error(`sps serve did not start: ${stdout}${stderr}`);
  bootstrap = m[1]!.replace('127.0.0.1', 'localhost');
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
  if (cert) await rm(cert.dir, { recursive: true, force: true });
});

async function sps(args: string[], env: NodeJS.ProcessEnv, stdin = '') {
  const io = captureIo(Readable.from(stdin ? [stdin] : []), env);
  const code = await run(['node', 'sps', '-b', bootstrap, ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

const asCarol = (mechanism: string) => ({
  KAFKA_SSL: 'true',
  KAFKA_SSL_CA_FILE: cert.caFile,
  KAFKA_SASL_MECHANISM: mechanism,
  KAFKA_SASL_USERNAME: 'carol',
  KAFKA_SASL_PASSWORD: 'c,ol:on=',
});

describe('sps serve with SASL_SSL', () => {
  it('says in its ready line that clients need SASL_SSL and which mechanisms', () => {
    expect(stdout).toMatch(/kafka on 127\.0\.0\.1:\d+ \(SASL_SSL: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512\),/);
  });

  it('topics, produce, consume and groups list work with KAFKA_SSL_CA_FILE and KAFKA_SASL_* (users from the file)', async () => {
    const env = asCarol('scram-sha-512');
    expect((await sps(['topics', 'create', 'secure', '--partitions', '2'], env)).code).toBe(0);
    expect((await sps(['topics', 'list'], env)).stdout).toContain('secure');
    expect((await sps(['produce', 'secure'], env, 'one\ntwo\n')).code).toBe(0);
    const consumed = await sps(
      ['consume', 'secure', '--from-beginning', '--max-messages', '2'],
      asCarol('scram-sha-256'),
    );
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.split('\n').sort()).toEqual(['one', 'two']);
    const groups = await sps(['groups', 'list'], asCarol('plain'));
    expect(groups.code).toBe(0);
  });

  it('a user from SPS_SASL_USERS logs in too', async () => {
    const r = await sps(['topics', 'list'], {
      KAFKA_SSL_CA_FILE: cert.caFile,
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(r.code).toBe(0);
  });

  it('a wrong password is a one-line error naming the login, exit 1', async () => {
    const r = await sps(['consume', 'secure', '--from-beginning', '--max-messages', '1'], {
      ...asCarol('scram-sha-256'),
      KAFKA_SASL_PASSWORD: 'nope',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SASL SCRAM-SHA-256 login as 'carol' .* failed: .*invalid username or password/);
  });
});
