import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverApps } from './apps.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const app = (name: string, pkg: unknown) => {
  mkdirSync(path.join(root, 'apps', name), { recursive: true });
  writeFileSync(
    path.join(root, 'apps', name, 'package.json'),
    typeof pkg === 'string' ? pkg : JSON.stringify(pkg),
  );
};

describe('discoverApps', () => {
  it('finds the consumer apps marked "orders-stream": {"consumer": true}, and nothing else', () => {
    app('fraud-flag', { description: 'flags', 'orders-stream': { consumer: true, port: 3100 } });
    app('ab-test', { 'orders-stream': { consumer: true } });
    app('a-lib', { name: '@orders/a-lib' });
    app('broken', '{ not json');
    app('email', { 'orders-stream': { consumer: true } }); // one of the six: never rediscovered
    expect(discoverApps(root)).toEqual([
      { name: 'ab-test', port: 3100, kind: 'consumer', description: 'a consumer group' },
      { name: 'fraud-flag', port: 3100, kind: 'consumer', description: 'flags' },
    ]);
  });
});
