// Prisma CLI configuration for every app's schema; prisma/scripts/*.mjs set the variables below.
// The JS schema engine with a driver adapter: nothing is downloaded (see TOOLCHAIN.md).
//   PRISMA_SCHEMA  the schema file, e.g. prisma/order-db/schema.prisma. The CLI reads it early to learn
//                  that no engine binary is needed, so it must be set here, not only with --schema.
//   DATABASE_URL   `file:…` (SQLite) or `postgres…` (PostgreSQL); must be set, or the CLI tries a download.
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

const url = process.env.DATABASE_URL ?? 'file:./.cache/prisma/cli.db';

export default defineConfig({
  schema: process.env.PRISMA_SCHEMA,
  engine: 'js',
  experimental: { adapter: true },
  async adapter() {
    if (url.startsWith('postgres')) return new PrismaPg({ connectionString: url });
    return new PrismaBetterSQLite3({ url: url.replace(/^file:/, '') });
  },
});
