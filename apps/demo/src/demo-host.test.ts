// `--host` moves only the broker's HTTP port (console, admin and control API) off loopback; the
// Kafka port stays on 127.0.0.1; without `--token` the demo warns and remote writes stay refused.
// 127.0.0.2 stands in for "another interface": a socket bound to 127.0.0.1 does not accept it.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_NAMES } from './apps.js';
import { startDemo, type RunningDemo } from './demo.js';

// No apps run here, so no traces: don't take the OTLP receiver's default port (4318).
process.env.OTEL_EXPORTER_OTLP_ENDPOINT ??= 'http://127.0.0.1:9';

const dirs: string[] = [];
const demos: RunningDemo[] = [];
afterAll(async () => {
  for (const d of demos) await d.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function demoOn(host: string | undefined, token?: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-host-'));
  dirs.push(dir);
  const lines: string[] = [];
  const demo = await startDemo({
    rootDir: dir,
    workDir: dir,
    dataDir: path.join(dir, 'sps'),
    without: [...APP_NAMES],
    host,
    token,
    load: false,
    consoleDir: null,
    ports: { kafka: 0, http: 0, control: 0, smtp: 0, mailHttp: 0, kinesis: null },
    color: false,
    output: (l) => lines.push(l),
  });
  demos.push(demo);
  return { demo, lines };
}

describe('the demo with --host', () => {
  it('listens on loopback only by default', async () => {
    const { demo } = await demoOn(undefined);
    expect(await accepts('127.0.0.1', demo.broker!.httpPort!)).toBe(true);
    expect(await accepts('127.0.0.2', demo.broker!.httpPort!)).toBe(false);
  });

  it('--host 0.0.0.0 opens the HTTP port on every interface, not the Kafka port, and warns without a token', async () => {
    const { demo, lines } = await demoOn('0.0.0.0');
    expect(await accepts('127.0.0.2', demo.broker!.httpPort!)).toBe(true);
    expect(await accepts('127.0.0.2', demo.broker!.port)).toBe(false);
    expect(lines.join('\n')).toMatch(
      /without a token: other machines can look, but every write from them is refused/,
    );
    expect(lines.join('\n')).toMatch(/from other machines .*read-only: no --token/);
    const res = await fetch(`${demo.controlUrl}/api/apps`);
    expect(res.status).toBe(200);
  });

  it('with --token the banner says remote writes need it, and there is no warning', async () => {
    const { lines } = await demoOn('0.0.0.0', 's3cret');
    expect(lines.join('\n')).toMatch(/writes need Authorization: Bearer <token>/);
    expect(lines.join('\n')).not.toMatch(/without a token/);
  });
});
