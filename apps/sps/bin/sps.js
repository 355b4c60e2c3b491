#!/usr/bin/env node
/* global URL, console, process */
// The `sps` command. Runs the compiled CLI (built by `npm install` via the root `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error(
    'sps is not built yet: run `npm run build` in the repository root (npm install does it too).',
  );
  process.exit(1);
}
await import(compiled);
