import { Readable } from 'node:stream';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { run } from './cli.js';
import { captureIo } from './io.js';

async function sps(...args: string[]) {
  const io = captureIo(Readable.from([]));
  const code = await run(['node', 'sps', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

describe('sps command line', () => {
  it('--help lists the commands', async () => {
    const r = await sps('--help');
    expect(r.code).toBe(0);
    for (const c of ['serve', 'topics', 'groups', 'produce', 'consume']) expect(r.stdout).toContain(c);
  });

  it('produce and consume help show examples', async () => {
    for (const c of ['produce', 'consume']) {
      const r = await sps(c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`npx sps ${c} orders`);
    }
  });

  it('topics has its subcommands', async () => {
    const r = await sps('topics', '--help');
    for (const c of ['list', 'create', 'describe', 'alter', 'add-partitions', 'delete'])
      expect(r.stdout).toContain(c);
  });

  it('a bad option value is reported with the rule, exit 1', async () => {
    const r = await sps('topics', 'list', '--format', 'xml');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--format must be one of table, json, got 'xml'");
  });

  it('conflicting start positions are refused before connecting', async () => {
    const r = await sps('consume', 'orders', '--from-beginning', '--offset', '3');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('sps: use only one of --from-beginning, --offset and --from-time');
  });

  it('no broker: says how to start one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve)); // a port with nobody listening
    for (const args of [
      ['topics', 'list'],
      ['consume', 'orders'],
    ]) {
      const r = await sps('-b', `127.0.0.1:${port}`, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot connect to the broker at 127.0.0.1:${port}`);
      expect(r.stderr).toContain('npx sps serve');
    }
  });
});
