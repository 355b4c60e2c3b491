/* global process */
// Shared helpers of the prisma/ scripts: find the apps' schemas, derive the PostgreSQL variant, run the CLI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
mkdirSync(path.join(root, '.cache/prisma'), { recursive: true });
const cli = path.join(root, 'node_modules/prisma/build/index.js');
const config = path.join(root, 'prisma/prisma.config.ts');

/** Apps that own a schema: every prisma/<app>/schema.prisma. */
export function apps() {
  return readdirSync(path.join(root, 'prisma'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, 'prisma', d.name, 'schema.prisma')))
    .map((d) => d.name)
    .sort();
}

/**
 * The schema file for a provider. `sqlite` is the file in prisma/<app>/ (the one people edit);
 * `postgres` is derived from it into .cache/prisma/<app>/ with the provider and client output swapped.
 */
export function schemaFor(app, provider) {
  const source = path.join(root, 'prisma', app, 'schema.prisma');
  if (provider === 'sqlite') return source;
  const text = readFileSync(source, 'utf8');
  if (!/provider\s*=\s*"sqlite"/.test(text))
    throw new Error(`${source}: the datasource provider must be "sqlite"`);
  const derived = text
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(
      /(output\s*=\s*")[^"]*\/generated\/sqlite"/,
      `$1${path.join(root, 'apps', app, 'src/generated/postgres')}"`,
    );
  const dir = path.join(root, '.cache/prisma', app);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'postgres.prisma');
  writeFileSync(
    file,
    `// GENERATED from prisma/${app}/schema.prisma by prisma/scripts: do not edit.\n${derived}`,
  );
  return file;
}

/** Runs the Prisma CLI on one schema; resolves to its stdout. */
export function prisma(args, { schema, databaseUrl }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, '--config', config], {
      cwd: root,
      env: {
        ...process.env,
        PRISMA_SCHEMA: schema,
        DATABASE_URL: databaseUrl,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`prisma ${args.join(' ')} failed (${code}):\n${out}${err}`)),
    );
  });
}

/** A DATABASE_URL the CLI accepts without a server, per provider (generate only reads the provider). */
export const placeholderUrl = {
  sqlite: 'file:./.cache/prisma/cli.db',
  postgres: 'postgresql://prisma@127.0.0.1:5432/unused',
};
