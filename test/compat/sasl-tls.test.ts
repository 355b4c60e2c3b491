/**
 * SASL and TLS on our broker's Kafka port with kcat (librdkafka) and the Java clients, configured
 * exactly as against a managed service: security.protocol SASL_SSL / SASL_PLAINTEXT,
 * sasl.mechanism(s) PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512, a CA file for the (self-signed) cert.
 *
 * Only against our broker: the Apache Kafka the suite compares with (scripts/kafka) runs a
 * plaintext listener, so under COMPAT_TARGET=kafka these tests are skipped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, silentLogger, type BrokerHandle } from '@orders/sps-broker';
import { selfSignedCert, type TestCert } from '../helpers/tls.js';
import { run } from './helpers/exec.js';
import { compileJava, jsonLines, runJava } from './helpers/java.js';
import { targetName, uniqueTopic } from './helpers/target.js';
import { missing, requireTool } from './helpers/tools.js';

const USER = 'learner';
const PASSWORD = 'Wr0ng-horse=battery';
const onKafka = targetName === 'kafka';
if (onKafka)
  console.warn(
    '[compat] skipping sasl-tls: the reference Apache Kafka (scripts/kafka) has no SASL/TLS listener',
  );

let cert: TestCert;
let dir: string;
const brokers: { saslSsl?: BrokerHandle; saslPlain?: BrokerHandle } = {};

beforeAll(async () => {
  if (onKafka) return;
  cert = await selfSignedCert();
  dir = mkdtempSync(path.join(tmpdir(), 'sps-compat-sasl-'));
  const common = {
    host: '127.0.0.1',
    port: 0,
    httpPort: null,
    logger: silentLogger,
    saslUsers: { [USER]: PASSWORD },
    groups: { initialRebalanceDelayMs: 0 },
  };
  brokers.saslSsl = await startBroker({
    ...common,
    dataDir: path.join(dir, 'ssl'),
    tls: { cert: cert.cert, key: cert.key },
  });
  brokers.saslPlain = await startBroker({ ...common, dataDir: path.join(dir, 'plain') });
});

afterAll(async () => {
  await brokers.saslSsl?.close();
  await brokers.saslPlain?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (cert) rmSync(cert.dir, { recursive: true, force: true });
});

type Mechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
const CASES: Array<{ protocol: 'SASL_SSL' | 'SASL_PLAINTEXT'; mechanism: Mechanism }> = [
  { protocol: 'SASL_SSL', mechanism: 'PLAIN' },
  { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-256' },
  { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512' },
  { protocol: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-256' },
];

const brokerFor = (protocol: string) => (protocol === 'SASL_SSL' ? brokers.saslSsl! : brokers.saslPlain!);

describe.skipIf(onKafka || missing('kcat'))('kcat (librdkafka) with SASL', () => {
  beforeAll(() => requireTool('kcat'));

  const kcatArgs = (protocol: string, mechanism: string, password = PASSWORD) => [
    '-b',
    brokerFor(protocol).bootstrap,
    '-X',
    `security.protocol=${protocol}`,
    '-X',
    `sasl.mechanisms=${mechanism}`,
    '-X',
    `sasl.username=${USER}`,
    '-X',
    `sasl.password=${password}`,
    ...(protocol === 'SASL_SSL' ? ['-X', `ssl.ca.location=${cert.caFile}`] : []),
  ];

  for (const { protocol, mechanism } of CASES)
    it(`${protocol} + ${mechanism}: produces 3 records and reads them back`, async () => {
      const topic = uniqueTopic(`kcat-${mechanism.toLowerCase()}`);
      const base = kcatArgs(protocol, mechanism);
      const produced = await run('kcat', [...base, '-P', '-t', topic, '-K:'], {
        input: 'k1:one\nk2:two\nk3:three\n',
        timeoutMs: 30_000,
      });
      expect(produced.code, produced.stderr).toBe(0);
      const consumed = await run(
        'kcat',
        [...base, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n'],
        { timeoutMs: 30_000 },
      );
      expect(consumed.code, consumed.stderr).toBe(0);
      expect(consumed.stdout.trim().split('\n')).toEqual(['k1=one', 'k2=two', 'k3=three']);
    });

  it('a wrong password fails with the broker\'s "Authentication failed" message', async () => {
    const r = await run('kcat', [...kcatArgs('SASL_SSL', 'SCRAM-SHA-512', 'nope'), '-L', '-m', '5'], {
      timeoutMs: 30_000,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Authentication failed/);
  });
});

describe.skipIf(onKafka || missing('java'))('Java clients with SASL', () => {
  beforeAll(async () => {
    requireTool('java');
    await compileJava();
  });

  function propertiesFile(protocol: string, mechanism: Mechanism): string {
    const module =
      mechanism === 'PLAIN'
        ? 'org.apache.kafka.common.security.plain.PlainLoginModule'
        : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    const lines = [
      `security.protocol=${protocol}`,
      `sasl.mechanism=${mechanism}`,
      `sasl.jaas.config=${module} required username="${USER}" password="${PASSWORD}";`,
    ];
    if (protocol === 'SASL_SSL')
      lines.push('ssl.truststore.type=PEM', `ssl.truststore.location=${cert.caFile}`);
    const file = path.join(dir, `client-${protocol}-${mechanism}.properties`);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  for (const { protocol, mechanism } of CASES)
    it(`${protocol} + ${mechanism}: the idempotent producer sends 100 records, the assign() consumer reads all`, async () => {
      const topic = uniqueTopic(`java-${mechanism.toLowerCase()}`);
      const env = { COMPAT_CLIENT_PROPERTIES: propertiesFile(protocol, mechanism) };
      const bootstrap = brokerFor(protocol).bootstrap;
      const p = await runJava('IdempotentProducer', [bootstrap, topic, '100', 'sasl'], 120_000, env);
      expect(p.code, `IdempotentProducer failed:\n${p.stderr}`).toBe(0);
      expect(jsonLines(p.stdout)).toHaveLength(100);
      const c = await runJava('AssignConsumer', [bootstrap, topic, '100', '30000'], 120_000, env);
      expect(c.code, `AssignConsumer failed:\n${c.stderr}`).toBe(0);
      const values = jsonLines<{ value: string }>(c.stdout).map((r) => r.value);
      expect(values.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `sasl-value-${i}`).sort());
    });
});
