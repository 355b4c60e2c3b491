// The `sps` commands against a real broker: ours, started in-process on a free port — or, with
// SPS_TEST_BOOTSTRAP=host:port, any Kafka (e.g. `scripts/kafka/kafka.sh start` → 127.0.0.1:19092).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startBroker, silentLogger, type BrokerHandle } from '@orders/sps-broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './cli.js';
import { captureIo } from './io.js';

const external = process.env.SPS_TEST_BOOTSTRAP;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const topicName = (base: string) => `${base}-${suffix}`;

let broker: BrokerHandle | undefined;
let dataDir: string;
let bootstrap: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sps-cli-'));
  if (external) bootstrap = external;
  else {
    broker = await startBroker({ port: 0, httpPort: null, dataDir, logger: silentLogger });
    bootstrap = broker.bootstrap;
  }
});

afterAll(async () => {
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs `sps -b <broker> …args` in-process; stdin is the given text. */
async function sps(args: string[], stdin = '', io = captureIo(Readable.from(stdin ? [stdin] : []))) {
  const code = await run(['node', 'sps', '-b', bootstrap, ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

const jsonLines = (s: string) =>
  s
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('sps topics', () => {
  it('creates, lists, describes, alters, adds partitions to and deletes a topic', async () => {
    const t = topicName('lifecycle');
    let r = await sps(['topics', 'create', t, '--partitions', '2', '--config', 'retention.ms=3600000']);
    expect(r).toMatchObject({
      code: 0,
      stderr: `created topic ${t} with 2 partitions (retention.ms=3600000)`,
    });

    r = await sps(['topics', 'create', t]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`topic '${t}' already exists (2 partitions)`);

    r = await sps(['topics', 'list', '--format', 'json']);
    expect(JSON.parse(r.stdout)).toContainEqual({ name: t, partitions: 2 });
    r = await sps(['topics', 'list']);
    expect(r.stdout).toMatch(/^NAME\s+PARTITIONS/);
    expect(r.stdout).toMatch(new RegExp(`^${t}\\s+2$`, 'm'));

    r = await sps(['topics', 'describe', t]);
    expect(r.stdout).toContain(`topic ${t}: 2 partitions, 0 records`);
    expect(r.stdout).toMatch(/PARTITION\s+LEADER\s+REPLICAS\s+ISR\s+LOG-START\s+HIGH-WATERMARK\s+RECORDS/);
    expect(r.stdout).toMatch(/^retention\.ms\s+3600000\s+topic$/m);

    // Altering one config keeps the others (AlterConfigs replaces the whole set on the broker).
    r = await sps(['topics', 'alter', t, '--config', 'retention.bytes=1048576']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${t}: retention.bytes=1048576`);
    let d = JSON.parse((await sps(['topics', 'describe', t, '--format', 'json'])).stdout);
    const value = (name: string) => d.configs.find((c: { name: string }) => c.name === name);
    expect(value('retention.ms')).toMatchObject({ value: '3600000', source: 'topic' });
    expect(value('retention.bytes')).toMatchObject({ value: '1048576', source: 'topic' });

    r = await sps(['topics', 'alter', t, '--delete-config', 'retention.ms']);
    expect(r.stderr).toContain(`${t}: retention.ms back to its default`);
    d = JSON.parse((await sps(['topics', 'describe', t, '--format', 'json'])).stdout);
    expect(value('retention.ms').source).not.toBe('topic');
    expect(value('retention.bytes')).toMatchObject({ value: '1048576', source: 'topic' });

    r = await sps(['topics', 'add-partitions', t, '--total', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already has 2 partitions; --total must be more than 2');
    r = await sps(['topics', 'add-partitions', t, '--total', '4']);
    expect(r.stderr).toContain(`${t} now has 4 partitions (was 2)`);
    d = JSON.parse((await sps(['topics', 'describe', t, '--format', 'json'])).stdout);
    expect(d.partitions.map((p: { partition: number }) => p.partition)).toEqual([0, 1, 2, 3]);

    r = await sps(['topics', 'delete', t]);
    expect(r).toMatchObject({ code: 0, stderr: `deleted topic ${t}` });
    await expect
      .poll(async () => (await sps(['topics', 'list'])).stdout, { timeout: 10_000 })
      .not.toContain(t);
  });

  it('an unknown topic is named, with the topics there are', async () => {
    const t = topicName('orders');
    await sps(['topics', 'create', t]);
    const typo = t.replace('orders', 'ordres');
    for (const args of [
      ['topics', 'describe', typo],
      ['consume', typo],
      ['topics', 'delete', typo],
    ]) {
      const r = await sps(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`^sps: topic '${typo}' does not exist \\(did you mean '${t}'\\?\\); topics: .*${t}`),
      );
    }
    const r = await sps(['produce', typo], 'x\n');
    expect(r.stderr).toContain(`topic '${typo}' does not exist`);
  });
});

describe('sps produce and consume', () => {
  it('key:value lines with a header come back exactly, with --from-beginning', async () => {
    const t = topicName('roundtrip');
    await sps(['topics', 'create', t, '--partitions', '3']);
    const lines = ['c-1:{"orderId":"o-1"}', 'c-2:{"orderId":"o-2"}', 'c-3:{"orderId":"o-3"}'];
    const p = await sps(
      ['produce', t, '--key-separator', ':', '-H', 'schema-version=1', '--verbose'],
      lines.join('\n') + '\n',
    );
    expect(p.code).toBe(0);
    expect(p.stderr).toContain(`produced 3 records to ${t}`);
    expect(p.stderr.match(/partition \d offset \d+ key c-\d/g)).toHaveLength(3);

    const c = await sps(['consume', t, '--from-beginning', '--format', 'json']);
    expect(c.code).toBe(0);
    expect(c.stderr).toBe(`consumed 3 records from ${t}`);
    const records = jsonLines(c.stdout);
    expect(records.map((r) => [r.key, r.value, r.headers]).sort()).toEqual([
      ['c-1', '{"orderId":"o-1"}', { 'schema-version': '1' }],
      ['c-2', '{"orderId":"o-2"}', { 'schema-version': '1' }],
      ['c-3', '{"orderId":"o-3"}', { 'schema-version': '1' }],
    ]);
    for (const r of records) {
      expect(r.topic).toBe(t);
      expect(typeof r.timestamp).toBe('number');
      expect(Math.abs(Date.now() - (r.timestamp as number))).toBeLessThan(60_000);
    }

    // The same key always lands in the same partition: produce c-1 again, it follows the first.
    const first = records.find((r) => r.key === 'c-1')!;
    await sps(['produce', t, '--key', 'c-1'], 'again\n');
    const c1 = jsonLines(
      (
        await sps([
          'consume',
          t,
          '--from-beginning',
          '--partition',
          String(first.partition),
          '--format',
          'json',
        ])
      ).stdout,
    );
    expect(c1.filter((r) => r.key === 'c-1').map((r) => r.value)).toEqual(['{"orderId":"o-1"}', 'again']);

    // Text output: value per line, with the columns asked for.
    const text = await sps([
      'consume',
      t,
      '--from-beginning',
      '--partition',
      String(first.partition),
      '-O',
      '-K',
    ]);
    expect(text.stdout.split('\n')).toContain(`${first.partition}:${first.offset}\tc-1\t{"orderId":"o-1"}`);
  });

  it('--offset starts there; an offset out of range tells the valid range', async () => {
    const t = topicName('offsets');
    await sps(['topics', 'create', t, '--partitions', '1']);
    await sps(['produce', t], ['zero', 'one', 'two', 'three'].join('\n'));
    let r = await sps(['consume', t, '--offset', '2']);
    expect(r.stdout).toBe('two\nthree');
    r = await sps(['consume', t, '--offset', '1', '--max-messages', '2', '-O']);
    expect(r.stdout).toBe('0:1\tone\n0:2\ttwo');
    r = await sps(['consume', t, '--offset', '9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `sps: offset 9 is out of range: valid offsets in ${t} partition 0 are 0..3 (log start 0, high watermark 4; 4 waits for the next record)`,
    );
    r = await sps(['consume', t, '--partition', '1']);
    expect(r.stderr).toBe(`sps: partition 1 does not exist: ${t} has 1 partition (0..0)`);
  });

  it('without --from-beginning reads only new records; --from-time finds records by time', async () => {
    const t = topicName('latest');
    await sps(['topics', 'create', t, '--partitions', '2']);
    await sps(['produce', t, '--key', 'k'], 'old\n');
    expect((await sps(['consume', t])).stdout).toBe('');
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await sps(['produce', t, '--key', 'k'], 'new\n');
    expect((await sps(['consume', t, '--from-time', String(before)])).stdout).toBe('new');
    expect(
      (await sps(['consume', t, '--from-time', new Date(before + 3_600_000).toISOString()])).stdout,
    ).toBe('');
  });

  it('--follow waits for new records until stopped', async () => {
    const t = topicName('follow');
    await sps(['topics', 'create', t, '--partitions', '2']);
    const io = captureIo(Readable.from([]));
    const following = sps(['consume', t, '--follow', '--format', 'json'], '', io);
    await new Promise((r) => setTimeout(r, 700));
    await sps(['produce', t, '-K', ':'], 'a:1\nb:2\n');
    await expect
      .poll(() => io.stdout.join('\n').split('\n').filter(Boolean).length, { timeout: 10_000 })
      .toBe(2);
    io.stop(); // Ctrl-C
    const r = await following;
    expect(r.code).toBe(0);
    expect(
      jsonLines(r.stdout)
        .map((x) => x.value)
        .sort(),
    ).toEqual(['1', '2']);
    expect(r.stderr).toBe(`consumed 2 records from ${t}`);
  });
});

describe.skipIf(!!external)('sps serve (as a process)', () => {
  const cli = ['--conditions=@orders/source', '--import', 'tsx', 'apps/sps/src/main.ts'];

  function startServe(args: string[]) {
    const child = spawn(process.execPath, [...cli, 'serve', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, out: () => stdout, err: () => stderr };
  }

  it('prints a ready line, then stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sps-serve-'));
    const s = startServe(['--port', '0', '--http-port', 'off', '--kinesis-port', 'off', '--data-dir', dir]);
    await expect.poll(s.out, { timeout: 20_000 }).toContain('ready');
    expect(s.out()).toMatch(
      /^sps ready: kafka on 127\.0\.0\.1:\d+, http off, data in .* \(started in \d+ ms\)$/m,
    );
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.out()).toContain('sps stopped');
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the Kinesis API with --kinesis-port and names its endpoint in the ready line', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sps-serve-'));
    const s = startServe(['--port', '0', '--http-port', 'off', '--kinesis-port', '0', '--data-dir', dir]);
    await expect.poll(s.out, { timeout: 20_000 }).toContain('ready');
    const endpoint = /kinesis on (http:\/\/127\.0\.0\.1:\d+),/.exec(s.out())?.[1];
    expect(endpoint, s.out()).toBeTruthy();
    const res = await fetch(endpoint!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
      },
      body: '{}',
    });
    expect(await res.json()).toMatchObject({ StreamNames: [], HasMoreStreams: false });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('a port in use gives a one-line error and exit 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = await mkdtemp(path.join(tmpdir(), 'sps-serve-'));
    try {
      const s = startServe([
        '--port',
        String(port),
        '--http-port',
        'off',
        '--kinesis-port',
        'off',
        '--data-dir',
        dir,
      ]);
      expect(await s.exited).toBe(1);
      expect(s.err().trim()).toBe(
        `sps: port ${port} is in use: is another broker running? pick another with --port`,
      );
    } finally {
      blocker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
