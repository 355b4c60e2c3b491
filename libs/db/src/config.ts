/** Which database an app uses, from DATABASE_URL. Each app gets its own: no app can read another's tables. */
import path from 'node:path';

export type Provider = 'sqlite' | 'postgres';

export interface DatabaseConfig {
  provider: Provider;
  /** SQLite: the database file path. PostgreSQL: the connection string without `schema=`. */
  url: string;
  /** PostgreSQL only: the app's own schema (`?schema=` from DATABASE_URL, else the app name, `-` → `_`). */
  schema?: string;
}

/**
 * - DATABASE_URL unset: SQLite file `.data/<app>.db` (relative to the working directory, the repo root
 *   when started by `npm run demo`).
 * - `file:<path>`: SQLite at that path. Give each app its own path.
 * - `postgres://…` / `postgresql://…`: PostgreSQL; the app's tables live in the schema named by
 *   `?schema=`, or by default one named after the app (`order_db`), so apps can share one server and one
 *   database without seeing each other's tables.
 */
export function databaseConfig(app: string, env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return { provider: 'sqlite', url: path.resolve('.data', `${app}.db`) };
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    const url = new URL(raw);
    const schema = url.searchParams.get('schema') ?? app.replace(/-/g, '_');
    url.searchParams.delete('schema');
    return { provider: 'postgres', url: url.toString(), schema };
  }
  if (raw.startsWith('file:')) return { provider: 'sqlite', url: path.resolve(raw.slice('file:'.length)) };
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL), got "${raw.replace(/\/\/[^@]*@/, '//…@')}"`,
  );
}
