/**
 * Applies an app's migrations on start: every prisma/<app>/migrations/<provider>/<name>/migration.sql not
 * yet recorded, in name order, each in one transaction together with its ledger row. The ledger is
 * Prisma's own `_prisma_migrations` table, so `prisma migrate status` agrees. Several instances starting
 * at once are fine: the loser of a race sees the migration recorded and skips it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import type { DatabaseConfig } from './config.js';

const LEDGER = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0);`,
  postgres: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0);`,
};

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteText = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Returns the names of the migrations it applied (empty when the database was up to date). */
export async function applyMigrations(
  adapter: SqlDriverAdapter,
  config: DatabaseConfig,
  migrationsDir: string,
): Promise<string[]> {
  if (!existsSync(migrationsDir)) {
    throw new Error(
      `no ${config.provider} migrations in ${migrationsDir}: write them with \`npm run db:migration -- <app> <name>\``,
    );
  }
  // PostgreSQL: every script first selects the app's own schema (executeScript may use any pooled connection).
  const prelude =
    config.provider === 'postgres' && config.schema
      ? `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(config.schema)}; SET search_path TO ${quoteIdent(config.schema)};\n`
      : '';
  await adapter.executeScript(prelude + LEDGER[config.provider]);

  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && existsSync(path.join(migrationsDir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
  const applied: string[] = [];
  for (const name of names) {
    if ((await recorded(adapter, config)).has(name)) continue;
    const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    const now = config.provider === 'postgres' ? 'now()' : `${Date.now()}`;
    const begin = config.provider === 'postgres' ? 'BEGIN;' : 'BEGIN IMMEDIATE;';
    const script = `${prelude}${begin}\n${sql}\n;INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "started_at", "applied_steps_count") VALUES (${quoteText(randomUUID())}, ${quoteText(checksum)}, ${now}, ${quoteText(name)}, ${now}, 1);\nCOMMIT;`;
    try {
      await adapter.executeScript(script);
      applied.push(name);
    } catch (err) {
      await adapter.executeScript('ROLLBACK;').catch(() => undefined);
      if ((await recorded(adapter, config)).has(name)) continue; // another instance applied it meanwhile
      throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return applied;
}

async function recorded(adapter: SqlDriverAdapter, config: DatabaseConfig): Promise<Set<string>> {
  const table =
    config.provider === 'postgres' && config.schema
      ? `${quoteIdent(config.schema)}."_prisma_migrations"`
      : '"_prisma_migrations"';
  const result = await adapter.queryRaw({
    sql: `SELECT "migration_name" FROM ${table} WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    args: [],
    argTypes: [],
  });
  return new Set(result.rows.map((r) => String(r[0])));
}
