/** Opens an app's own database: picks SQLite or PostgreSQL from DATABASE_URL, applies migrations, connects. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { databaseConfig, type DatabaseConfig } from './config.js';
import { applyMigrations } from './migrate.js';

/** A generated PrismaClient class (`apps/<app>/src/generated/<provider>/client.js`). */
export type PrismaClientClass<C> = new (options: { adapter: SqlMigrationAwareDriverAdapterFactory }) => C;

export interface OpenDatabaseOptions<C> {
  /** The app name: `.data/<app>.db`, PostgreSQL schema `<app>`, migrations from prisma/<app>/. */
  app: string;
  /**
   * The app's two generated clients. Both have the same models; the SQLite one gives the type.
   * `postgres` may be omitted by an app that never runs on PostgreSQL (then DATABASE_URL=postgres… fails).
   */
  clients: { sqlite: PrismaClientClass<C>; postgres?: PrismaClientClass<unknown> };
  /** Defaults to process.env (reads DATABASE_URL). */
  env?: NodeJS.ProcessEnv;
  /** Defaults to prisma/<app>/migrations/<provider> in this repository. */
  migrationsDir?: string;
}

export interface Database<C> {
  prisma: C;
  config: DatabaseConfig;
  /** Migrations applied by this start (empty when the database was up to date). */
  migrationsApplied: string[];
  /** Disconnects. */
  close(): Promise<void>;
}

// libs/db/src/ and libs/db/dist/ are both three levels below the repository root.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function adapterFactory(config: DatabaseConfig): SqlMigrationAwareDriverAdapterFactory {
  if (config.provider === 'postgres') {
    return new PrismaPg({ connectionString: config.url }, { schema: config.schema });
  }
  mkdirSync(path.dirname(config.url), { recursive: true });
  return new PrismaBetterSQLite3({ url: config.url });
}

/**
 * The one way an app opens its database:
 * ```ts
 * import { PrismaClient } from './generated/sqlite/client.js';
 * import { PrismaClient as PgClient } from './generated/postgres/client.js';
 * const db = await openDatabase({ app: 'order-db', clients: { sqlite: PrismaClient, postgres: PgClient } });
 * ```
 */
export async function openDatabase<C extends { $disconnect(): Promise<void> }>(
  options: OpenDatabaseOptions<C>,
): Promise<Database<C>> {
  const config = databaseConfig(options.app, options.env);
  const migrationsDir =
    options.migrationsDir ?? path.join(repoRoot, 'prisma', options.app, 'migrations', config.provider);
  const factory = adapterFactory(config);

  const adapter = await factory.connect();
  let migrationsApplied: string[];
  try {
    if (config.provider === 'sqlite') await adapter.executeScript('PRAGMA journal_mode = WAL;');
    migrationsApplied = await applyMigrations(adapter, config, migrationsDir);
  } finally {
    await adapter.dispose();
  }

  const Client = config.provider === 'postgres' ? options.clients.postgres : options.clients.sqlite;
  if (!Client) throw new Error(`${options.app} has no PostgreSQL client; unset DATABASE_URL to use SQLite`);
  const prisma = new Client({ adapter: factory }) as C;
  return { prisma, config, migrationsApplied, close: () => prisma.$disconnect() };
}
