/* global console, process */
// `npm run db:migration -- <app> <name>`: writes the next migration of prisma/<app>/schema.prisma, from
// the schema as of the last migration (migrations/schema.snapshot.prisma) to the current one, with
// `prisma migrate diff` (`migrate dev` does not work with the JS engine here).
//   SQLite:     migrations/sqlite/<timestamp>_<name>/migration.sql   (always)
//   PostgreSQL: migrations/postgres/<timestamp>_<name>/migration.sql (when POSTGRES_URL names a scratch
//               database: the JS schema engine connects even to diff two schema files; e.g.
//               `scripts/postgres/postgres.sh start`, then POSTGRES_URL=$(scripts/postgres/postgres.sh url)).
//               An app without PostgreSQL migrations yet gets one from the empty database to its current
//               schema (catching up with its SQLite history); once it has them, every later migration must
//               be written for both, so POSTGRES_URL is then required.
// Apps apply them on start (@orders/db openDatabase).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apps, placeholderUrl, prisma, root, schemaFor } from './prisma.mjs';

const [app, name] = process.argv.slice(2);
if (!app || !name || !/^[a-z0-9_]+$/.test(name)) {
  console.error(`usage: npm run db:migration -- <app> <name_in_snake_case>   (apps: ${apps().join(', ')})`);
  process.exit(2);
}
if (!apps().includes(app)) {
  console.error(`no schema prisma/${app}/schema.prisma; apps with a schema: ${apps().join(', ')}`);
  process.exit(2);
}

const dir = path.join(root, 'prisma', app, 'migrations');
const snapshot = path.join(dir, 'schema.snapshot.prisma');
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const hasMigrations = (provider) =>
  existsSync(path.join(dir, provider)) &&
  readdirSync(path.join(dir, provider)).some((m) => existsSync(path.join(dir, provider, m, 'migration.sql')));
const providers = { sqlite: placeholderUrl.sqlite };
if (process.env.POSTGRES_URL) providers.postgres = process.env.POSTGRES_URL;
else if (hasMigrations('postgres')) {
  console.error(
    `${app} has PostgreSQL migrations, so this one must be written for PostgreSQL too: set POSTGRES_URL to a scratch database\n` +
      '  (scripts/postgres/postgres.sh start; POSTGRES_URL=$(scripts/postgres/postgres.sh url) npm run db:migration -- …)',
  );
  process.exit(2);
} else console.warn('POSTGRES_URL not set: writing the SQLite migration only');

for (const [provider, databaseUrl] of Object.entries(providers)) {
  const to = schemaFor(app, provider);
  let from = ['--from-empty'];
  // A provider without migrations yet starts from the empty database (PostgreSQL catching up with SQLite).
  if (existsSync(snapshot) && hasMigrations(provider)) {
    const old = path.join(root, '.cache/prisma', app, `snapshot.${provider}.prisma`);
    const text = readFileSync(snapshot, 'utf8');
    writeFileSync(
      old,
      provider === 'sqlite' ? text : text.replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"'),
    );
    from = ['--from-schema-datamodel', old];
  }
  const sql = await prisma(['migrate', 'diff', ...from, '--to-schema-datamodel', to, '--script'], {
    schema: to,
    databaseUrl,
  });
  if (/^-- This is an empty migration\.\s*$/m.test(sql) && sql.trim().split('\n').length <= 2) {
    console.log(`${app} (${provider}): no changes`);
    continue;
  }
  const out = path.join(dir, provider, `${stamp}_${name}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'migration.sql'), sql.replace(/^Loaded Prisma config.*\n\n?/m, ''));
  console.log(`wrote ${path.relative(root, out)}/migration.sql`);
}
mkdirSync(dir, { recursive: true });
copyFileSync(path.join(root, 'prisma', app, 'schema.prisma'), snapshot);
