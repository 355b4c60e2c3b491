/* global console, process */
// `npm run db:migration -- <app> <name>`: writes the next migration of prisma/<app>/schema.prisma, from
// the schema as of the last migration (migrations/schema.snapshot.prisma) to the current one, with
// `prisma migrate diff` (`migrate dev` does not work with the JS engine here).
//   SQLite:     migrations/sqlite/<timestamp>_<name>/migration.sql   (always)
//   PostgreSQL: migrations/postgres/<timestamp>_<name>/migration.sql (when POSTGRES_URL names a scratch
//               database: the JS schema engine connects even to diff two schema files)
// Apps apply them on start (@orders/db openDatabase).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const providers = { sqlite: placeholderUrl.sqlite };
if (process.env.POSTGRES_URL) providers.postgres = process.env.POSTGRES_URL;
else console.warn('POSTGRES_URL not set: writing the SQLite migration only');

for (const [provider, databaseUrl] of Object.entries(providers)) {
  const to = schemaFor(app, provider);
  let from = ['--from-empty'];
  if (existsSync(snapshot)) {
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
