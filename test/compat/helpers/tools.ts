/**
 * Which external tools are here, and whether a test may be skipped without them.
 * Outside CI a missing tool skips its tests with a message; in CI (`CI` set) nothing is skipped,
 * so a missing tool fails loudly instead of hiding behind a green run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath } from './exec.js';

export const repoRoot = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
export const inCI = !!process.env.CI && process.env.CI !== 'false';

/** The folder of cached Apache Kafka jars (scripts/kafka/fetch-kafka.sh), if present. */
export function kafkaLibs(): string | undefined {
  const cache = process.env.KAFKA_CACHE_DIR ?? join(repoRoot, '.cache/kafka');
  const currentFile = join(cache, 'current');
  const version =
    process.env.KAFKA_VERSION ?? (existsSync(currentFile) ? readFileSync(currentFile, 'utf8').trim() : '');
  const libs = join(cache, version, 'libs');
  return version && existsSync(libs) ? libs : undefined;
}

export const javaBin = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java';
export const javacBin = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/javac') : 'javac';

export const have = {
  kcat: await onPath('kcat'),
  java: (await onPath(javacBin)) && (await onPath(javaBin)) && kafkaLibs() !== undefined,
};

const why = {
  kcat: 'kcat is not installed (apt-get install -y kcat)',
  java: 'java/javac or the Apache Kafka jars are missing (run scripts/kafka/fetch-kafka.sh)',
};

/** For describe.skipIf(missing('kcat')): true (skip) only outside CI; prints why. */
export function missing(tool: keyof typeof have): boolean {
  if (have[tool]) return false;
  if (inCI) return false; // the tests run and fail: CI must have every tool
  console.warn(`[compat] skipping: ${why[tool]}`);
  return true;
}

/** Call in beforeAll: fails with the reason when a tool is missing (only reached in CI). */
export function requireTool(tool: keyof typeof have): void {
  if (!have[tool]) throw new Error(`[compat] ${why[tool]}; CI must provide it`);
}
