/* global console */
// `npm run db:generate` (part of `npm install`): generates each app's Prisma client, for SQLite and for
// PostgreSQL, into apps/<app>/src/generated/{sqlite,postgres}. Offline: no engine is downloaded.
import { apps, placeholderUrl, prisma, schemaFor } from './prisma.mjs';

const started = Date.now();
const jobs = apps().flatMap((app) =>
  ['sqlite', 'postgres'].map(async (provider) => {
    await prisma(['generate'], { schema: schemaFor(app, provider), databaseUrl: placeholderUrl[provider] });
    return `${app} (${provider})`;
  }),
);
const done = await Promise.all(jobs);
console.log(`prisma clients generated in ${Date.now() - started} ms: ${done.join(', ')}`);
