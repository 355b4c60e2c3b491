/**
 * Compiles test/compat/java/*.java against the cached Kafka jars (clients, streams) (once per content hash, into
 * .cache/compat-java/<hash>) and runs them. Also a CLI, used by .ci/run to compile ahead of the tests:
 *   npx tsx test/compat/helpers/java.ts
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, runOk, type RunResult } from './exec.js';
import { javaBin, javacBin, kafkaLibs, repoRoot } from './tools.js';

const sourceDir = join(repoRoot, 'test/compat/java');
const outRoot = join(repoRoot, '.cache/compat-java');

function libsOrThrow(): string {
  const libs = kafkaLibs();
  if (!libs) throw new Error('Apache Kafka jars not found: run scripts/kafka/fetch-kafka.sh');
  return libs;
}

let compiled: Promise<string> | undefined;

/** Compiles the Java helpers if their sources changed; resolves to the classes folder. */
export function compileJava(): Promise<string> {
  compiled ??= (async () => {
    const libs = libsOrThrow();
    const clientsJar = readdirSync(libs).find((f) => /^kafka-clients-.*\.jar$/.test(f));
    if (!clientsJar) throw new Error(`no kafka-clients jar in ${libs}`);
    const sources = readdirSync(sourceDir)
      .filter((f) => f.endsWith('.java'))
      .sort();
    const hash = createHash('sha256').update(clientsJar);
    for (const f of sources) hash.update(f).update(readFileSync(join(sourceDir, f)));
    const out = join(outRoot, hash.digest('hex').slice(0, 16));
    if (existsSync(out)) return out;
    const tmp = `${out}.tmp-${process.pid}`;
    mkdirSync(tmp, { recursive: true });
    await runOk(
      javacBin,
      // all of Kafka's jars: the clients, and kafka-streams for WordCountStreams
      ['-d', tmp, '-cp', join(libs, '*'), ...sources.map((f) => join(sourceDir, f))],
      { timeoutMs: 120_000 },
    );
    try {
      renameSync(tmp, out);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process won the race
    }
    return out;
  })();
  return compiled;
}

/** Runs one of the Java helpers (e.g. 'IdempotentProducer') with Kafka's jars on the classpath. */
export async function runJava(
  mainClass: string,
  args: string[],
  timeoutMs = 120_000,
  /** e.g. COMPAT_CLIENT_PROPERTIES: a properties file of SASL/TLS settings (java/ClientProps.java). */
  env?: NodeJS.ProcessEnv,
): Promise<RunResult> {
  const classes = await compileJava();
  return run(
    javaBin,
    [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${classes}:${libsOrThrow()}/*`,
      mainClass,
      ...args,
    ],
    { timeoutMs, env },
  );
}

/** Parses JSON-lines output. */
export function jsonLines<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  compileJava().then(
    (dir) => console.log(`Java compat helpers compiled in ${dir}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
