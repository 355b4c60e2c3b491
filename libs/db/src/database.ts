/** Opens an app's own database: picks SQLite or PostgreSQL from DATABASE_URL, applies migrations, connects. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { inTransaction, type SqlTransaction } from './batch.js';
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
  /**
   * Runs `fn` in one transaction of multi-row statements (batch.ts) on the connection the Prisma client
   * uses: all of them commit, or none. What `oncePerOrders(db, …)` runs a batch of orders in.
   */
  transaction<R>(fn: (tx: SqlTransaction) => Promise<R>): Promise<R>;
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

  const Client = config.provider === 'postgres' ? options.clients.postgres : options.clients.sqlite;
  if (!Client) throw new Error(`${options.app} has no PostgreSQL client; unset DATABASE_URL to use SQLite`);

  const adapter = await factory.connect();
  let migrationsApplied: string[];
  try {
    if (config.provider === 'sqlite') await adapter.executeScript(SQLITE_PRAGMAS);
    migrationsApplied = await applyMigrations(adapter, config, migrationsDir);
  } catch (err) {
    await adapter.dispose();
    throw err;
  }
  // One connection (SQLite) or pool (PostgreSQL) for the Prisma client and the batch transactions alike.
  const prisma = new Client({ adapter: sharing(factory, adapter) }) as C;
  let closed: Promise<void> | undefined;
  return {
    prisma,
    config,
    migrationsApplied,
    transaction: (fn) => inTransaction(adapter, config, fn),
    close: () =>
      (closed ??= (async () => {
        await prisma.$disconnect();
        await adapter.dispose();
      })()),
  };
}

/**
 * - WAL: readers (the HTTP API) never wait for the consumer's writes, nor it for them.
 * - synchronous = FULL: a commit is on disk before the consumer commits its offsets. better-sqlite3
 *   builds SQLite with WAL's default lowered to NORMAL, where a committed transaction can vanish in a
 *   power cut or OS crash; its offsets would already be committed at the broker, and the orders of that
 *   batch would then never take effect. FULL costs one fsync per transaction — per fetched batch.
 */
const SQLITE_PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;';

/** A factory that hands Prisma's client `adapter` (already connected) and leaves closing it to us. */
function sharing(
  factory: SqlMigrationAwareDriverAdapterFactory,
  adapter: SqlDriverAdapter,
): SqlMigrationAwareDriverAdapterFactory {
  // Methods bound to the adapter itself: its private fields (#mutex) do not pass through a Proxy.
  const shared = new Proxy(adapter, {
    get(target, property) {
      if (property === 'dispose') return () => Promise.resolve();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => Promise.resolve(shared),
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
