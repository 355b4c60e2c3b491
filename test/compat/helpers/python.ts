/**
 * kafka-python from PyPI in virtualenvs under .cache/compat-python/kafka-python-<version>, created
 * lazily on first use (python3 -m venv, then pip install), and the scripts in test/compat/python/.
 * Outside CI a missing python3 (or its venv module) skips the tests with a message; with `CI` set
 * they fail instead. Also a CLI that prepares the venvs ahead: npx tsx test/compat/helpers/python.ts
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, runOk, type RunResult } from './exec.js';
import { inCI, repoRoot } from './tools.js';

/**
 * The kafka-python releases under test: the newest (negotiates versions with ApiVersions) and 2.0.2,
 * the long-lived release that probes ApiVersions v0 + Metadata v0 and then sends fixed versions.
 */
export const kafkaPythonVersions = ['3.0.12', '2.0.2'] as const;
export type KafkaPythonVersion = (typeof kafkaPythonVersions)[number];

const python3 = process.env.PYTHON ?? 'python3';
const venvRoot = join(repoRoot, '.cache/compat-python');
const scriptDir = join(repoRoot, 'test/compat/python');

const havePython = (await run(python3, ['-c', 'import venv, ensurepip']).catch(() => undefined))?.code === 0;
const why = `${python3} with the venv module is missing (apt-get install -y python3-venv)`;

/** For describe.skipIf(pythonMissing()): true (skip) only outside CI; prints why. */
export function pythonMissing(): boolean {
  if (havePython || inCI) return false; // in CI the tests run and fail: CI must have python3
  console.warn(`[compat] skipping kafka-python: ${why}`);
  return true;
}

/** Call in beforeAll: fails with the reason when python3 is missing (only reached in CI). */
export function requirePython(): void {
  if (!havePython) throw new Error(`[compat] ${why}; CI must provide it`);
}

const venvs = new Map<string, Promise<string>>();

/** Creates the venv with kafka-python==version unless it is already there; resolves to its python. */
export function kafkaPythonVenv(version: KafkaPythonVersion): Promise<string> {
  let venv = venvs.get(version);
  if (!venv) {
    venv = (async () => {
      const dir = join(venvRoot, `kafka-python-${version}`);
      const python = join(dir, 'bin/python');
      // Written last, so an interrupted install is redone rather than half used.
      const marker = join(dir, '.installed');
      if (existsSync(marker)) return python;
      rmSync(dir, { recursive: true, force: true });
      await runOk(python3, ['-m', 'venv', dir], { timeoutMs: 120_000 });
      await runOk(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `kafka-python==${version}`],
        { timeoutMs: 300_000 },
      );
      await runOk(python, [
        '-c',
        `import kafka; assert kafka.__version__ == '${version}', kafka.__version__`,
      ]);
      writeFileSync(marker, `kafka-python==${version}\n`);
      return python;
    })();
    venvs.set(version, venv);
  }
  return venv;
}

/** Runs test/compat/python/<script> with the given kafka-python version. */
export async function runPython(
  version: KafkaPythonVersion,
  script: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const python = await kafkaPythonVenv(version);
  return run(python, [join(scriptDir, script), ...args], {
    input: options.input,
    timeoutMs: options.timeoutMs ?? 90_000,
    env: { PYTHONUNBUFFERED: '1' },
  });
}

/** boto3 (the AWS SDK for Python) for the Kinesis API tests, in its own venv. */
export const boto3Version = '1.44.8';

let boto3: Promise<string> | undefined;

/** Creates .cache/compat-python/boto3-<version> with boto3==version unless it is there; its python. */
export function boto3Venv(): Promise<string> {
  boto3 ??= (async () => {
    const dir = join(venvRoot, `boto3-${boto3Version}`);
    const python = join(dir, 'bin/python');
    const marker = join(dir, '.installed');
    if (existsSync(marker)) return python;
    rmSync(dir, { recursive: true, force: true });
    await runOk(python3, ['-m', 'venv', dir], { timeoutMs: 120_000 });
    await runOk(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `boto3==${boto3Version}`],
      { timeoutMs: 300_000 },
    );
    writeFileSync(marker, `boto3==${boto3Version}\n`);
    return python;
  })();
  return boto3;
}

/** Runs test/compat/python/<script> with boto3. */
export async function runBoto3(
  script: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<RunResult> {
  const python = await boto3Venv();
  return run(python, [join(scriptDir, script), ...args], {
    timeoutMs: options.timeoutMs ?? 90_000,
    env: { PYTHONUNBUFFERED: '1' },
  });
}

/** confluent-kafka (its wheel bundles librdkafka) for the librdkafka transaction tests, in its own venv. */
export const confluentKafkaVersion = '2.16.1';

let confluentKafka: Promise<string> | undefined;

/** Creates .cache/compat-python/confluent-kafka-<version> unless it is there; resolves to its python. */
export function confluentKafkaVenv(): Promise<string> {
  confluentKafka ??= (async () => {
    const dir = join(venvRoot, `confluent-kafka-${confluentKafkaVersion}`);
    const python = join(dir, 'bin/python');
    const marker = join(dir, '.installed');
    if (existsSync(marker)) return python;
    rmSync(dir, { recursive: true, force: true });
    await runOk(python3, ['-m', 'venv', dir], { timeoutMs: 120_000 });
    await runOk(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        `confluent-kafka==${confluentKafkaVersion}`,
      ],
      { timeoutMs: 300_000 },
    );
    writeFileSync(marker, `confluent-kafka==${confluentKafkaVersion}\n`);
    return python;
  })();
  return confluentKafka;
}

/** Runs test/compat/python/<script> with confluent-kafka. */
export async function runConfluentKafka(
  script: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<RunResult> {
  const python = await confluentKafkaVenv();
  return run(python, [join(scriptDir, script), ...args], {
    timeoutMs: options.timeoutMs ?? 90_000,
    env: { PYTHONUNBUFFERED: '1' },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  Promise.all([
    ...kafkaPythonVersions.map((v) => kafkaPythonVenv(v)),
    boto3Venv(),
    confluentKafkaVenv(),
  ]).then(
    (pythons) =>
      console.log(`Python venvs ready (kafka-python, boto3, confluent-kafka):\n${pythons.join('\n')}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
