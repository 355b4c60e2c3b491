// A tiny stand-in app for the supervisor and control API tests: listens on PORT, logs like the real
// apps, stops on SIGTERM. Test-only (excluded from the build).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppDefinition } from '../apps.js';

const SCRIPT = `
import http from 'node:http';
const server = http.createServer((req, res) =>
  res.end(JSON.stringify({ app: name, instance: process.env.APP_INSTANCE_ID, kafka: process.env.KAFKA_BROKERS, execArgv: process.execArgv, mallocArenaMax: process.env.MALLOC_ARENA_MAX })),
);
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  const port = server.address().port;
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', app: name, msg: 'listening', port }));
  console.log('a plain line from ' + process.env.APP_INSTANCE_ID);
});
process.on('SIGTERM', () => {
  if (name === 'stubborn') return console.log('ignoring SIGTERM');
  console.log('bye');
  server.close(() => process.exit(0));
});
if (name === 'crashy') setTimeout(() => { console.error('oops'); process.exit(3); }, 100);
`;

export const FIXTURE_APPS: AppDefinition[] = [
  { name: 'front', port: 0, kind: 'http', description: 'an http app' },
  { name: 'worker', port: 0, kind: 'consumer', description: 'a consumer app' },
  { name: 'crashy', port: 0, kind: 'consumer', description: 'exits with code 3' },
  { name: 'stubborn', port: 0, kind: 'consumer', description: 'ignores SIGTERM' },
  { name: 'unbuilt', port: 0, kind: 'consumer', description: 'has no script' },
];

/** A temp root with apps/<name>/dist/main.js for each fixture app but `unbuilt`. */
export function fixtureRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'demo-supervisor-'));
  for (const app of FIXTURE_APPS) {
    if (app.name === 'unbuilt') continue;
    const dir = path.join(root, 'apps', app.name, 'dist');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'main.js'), `const name = ${JSON.stringify(app.name)};\n${SCRIPT}`);
  }
  return root;
}
