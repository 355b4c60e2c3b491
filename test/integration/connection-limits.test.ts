/**
 * Connection-level limits on the Kafka port, with raw sockets: max connections (total and per IP),
 * idle connections closed (connections.max.idle.ms), a shared budget of request bytes in flight
 * (queued.max.request.bytes) checked through the broker's own accounting, the open-file limit
 * respected, and warnings about bad frames rate-limited.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKey, encodeRequest } from '@orders/kafka-protocol';
import type { Logger } from '@orders/sps-broker';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';
import { selfSignedCert } from '../helpers/tls.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function captureLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => undefined;
  return {
    warnings,
    debug: none,
    info: none,
    warn: (m) => void warnings.push(m),
    error: (m) => void warnings.push(m),
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const apiVersionsOk = async (conn: RawConnection) =>
  (await conn.request(ApiKey.ApiVersions, 0, {})).errorCode === 0;

let broker: TestBroker | undefined;
const open: RawConnection[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await broker?.destroy();
  broker = undefined;
});

async function connect(port: number): Promise<RawConnection> {
  const c = await RawConnection.connect(port);
  open.push(c);
  return c;
}

describe('max connections', () => {
  it('accepts up to max.connections, closes the next at once with one log line, and accepts again when one leaves', async () => {
    const logger = captureLogger();
    broker = await startTestBroker({ logger, limits: { maxConnections: 3 } });
    const conns = [await connect(broker.port), await connect(broker.port), await connect(broker.port)];
    for (const c of conns) expect(await apiVersionsOk(c)).toBe(true);

    const extra = await connect(broker.port);
    await extra.onceClosed();
    const another = await connect(broker.port);
    await another.onceClosed();
    expect(logger.warnings.filter((w) => w.includes('refusing a connection'))).toEqual([
      'refusing a connection from 127.0.0.1: already 3 connections (max.connections)',
    ]);

    conns[0]!.close();
    await until(() => broker!.state.stats.connections === 2, 'the broker to see the close');
    expect(await apiVersionsOk(await connect(broker.port))).toBe(true);
  });

  it('caps connections per IP address (max.connections.per.ip); other addresses still get in', async () => {
    broker = await startTestBroker({ logger: captureLogger(), limits: { maxConnectionsPerIp: 2 } });
    await connect(broker.port);
    await connect(broker.port);
    const third = await connect(broker.port);
    await third.onceClosed();
    // Another loopback address is another IP for the limit.
    const socket = net.connect({ port: broker.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const answered = await new Promise<boolean>((resolve) => {
      socket.once('data', () => resolve(true));
      socket.once('close', () => resolve(false));
      socket.write(encodeRequest(ApiKey.ApiVersions, 0, 1, 'other-ip', {}));
    });
    socket.destroy();
    expect(answered).toBe(true);
  });
});

describe('max connections on a TLS port', () => {
  it('counts connections from the TCP accept, so clients stuck before the TLS handshake count too', async () => {
    const cert = await selfSignedCert();
    try {
      broker = await startTestBroker({
        logger: captureLogger(),
        tls: { cert: cert.cert, key: cert.key },
        limits: { maxConnections: 2 },
      });
      const tcp = async () => {
        const s = net.connect(broker!.port, '127.0.0.1');
        s.on('error', () => undefined);
        await new Promise<void>((resolve) => s.once('connect', resolve));
        return s;
      };
      const idle = [await tcp(), await tcp()]; // never start a handshake
      const third = await tcp();
      await new Promise<void>((resolve) => third.once('close', () => resolve()));
      for (const s of idle) s.destroy();
    } finally {
      await rm(cert.dir, { recursive: true, force: true });
    }
  });
});

describe('idle connections', () => {
  it('closes a connection with nothing to do after connections.max.idle.ms and logs why', async () => {
    const infos: string[] = [];
    const logger = {
      ...captureLogger(),
      info: (m: string, f?: Record<string, unknown>) => void infos.push(`${m} ${JSON.stringify(f)}`),
    };
    broker = await startTestBroker({ logger, limits: { idleMs: 300 } });
    const conn = await connect(broker.port);
    expect(await apiVersionsOk(conn)).toBe(true);
    await conn.onceClosed();
    expect(
      infos.some((l) => l.includes('closing idle connection') && l.includes('connections.max.idle.ms')),
    ).toBe(true);
  });

  it('a long-poll Fetch in progress is not idleness', async () => {
    broker = await startTestBroker({ logger: captureLogger(), limits: { idleMs: 200 } });
    const admin = await connect(broker.port);
    await admin.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: 'idle-poll', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const res = await admin.request(ApiKey.Fetch, 4, {
      replicaId: -1,
      maxWaitMs: 1500,
      minBytes: 1,
      maxBytes: 1024,
      isolationLevel: 0,
      topics: [
        { topic: 'idle-poll', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 }] },
      ],
    });
    expect(res.responses[0].partitions[0].errorCode).toBe(0);
  });
});

describe('request bytes in flight (queued.max.request.bytes)', () => {
  it('twelve concurrent large requests never hold more than the budget, and all are answered', async () => {
    const budget = 2 * 1024 * 1024;
    broker = await startTestBroker({ logger: captureLogger(), limits: { maxQueuedRequestBytes: budget } });
    // A valid ApiVersions v3 request of ~900 KiB (the client software name is long).
    const frame = (id: number) =>
      encodeRequest(ApiKey.ApiVersions, 3, id, 'big', {
        clientSoftwareName: 'x'.repeat(900 * 1024),
        clientSoftwareVersion: '1',
      });
    const frameSize = frame(0).length - 4;
    const sockets = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const s = net.connect(broker!.port, '127.0.0.1');
        await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
        return s;
      }),
    );
    const answers = sockets.map(
      (s) =>
        new Promise<number>((resolve, reject) => {
          let got = 0;
          s.on('data', (d: Buffer) => {
            got += d.length;
            if (got >= 4 && got >= 4 + d.readInt32BE(0)) resolve(got);
          });
          s.once('close', () => reject(new Error('closed before an answer')));
        }),
    );
    // Every client sends only the first half of its request: bytes are reserved as soon as a
    // size prefix is read, so two fit in the budget and the other ten must wait.
    const frames = sockets.map((_, i) => frame(i + 1));
    sockets.forEach((s, i) => s.write(frames[i]!.subarray(0, frames[i]!.length / 2)));
    const memory = broker.kafkaListener.requestMemory;
    await until(
      () => memory.used === 2 * frameSize && memory.waits >= 10,
      'two reservations and ten waiting',
    );
    expect(memory.used).toBeLessThanOrEqual(budget);
    // A small request from another client still gets through meanwhile.
    const small = await connect(broker.port);
    expect(await apiVersionsOk(small)).toBe(true);

    sockets.forEach((s, i) => s.write(frames[i]!.subarray(frames[i]!.length / 2)));
    await Promise.all(answers);
    expect(memory.peak).toBeLessThanOrEqual(budget);
    await until(() => memory.used === 0, 'the budget to be released');
    for (const s of sockets) s.destroy();
  });
});

describe('warnings', () => {
  it('bad frames from twenty clients make one warning line, not twenty', async () => {
    const logger = captureLogger();
    broker = await startTestBroker({ logger, limits: { warningIntervalMs: 3_600_000 } });
    for (let i = 0; i < 20; i++) {
      const c = await connect(broker.port);
      const bad = Buffer.alloc(4);
      bad.writeInt32BE(-5);
      c.writeRaw(bad);
      await c.onceClosed();
    }
    expect(logger.warnings.filter((w) => w.includes('outside 0..'))).toHaveLength(1);
    // and the broker still serves
    expect(await apiVersionsOk(await connect(broker.port))).toBe(true);
  });
});

describe('open-file limit', () => {
  it('under a low ulimit -n, sps serve caps connections below it, says how to raise it, and keeps serving', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sps-fd-'));
    const child = spawn(
      'bash',
      [
        '-c',
        `ulimit -n 256 && exec "${process.execPath}" --conditions=@orders/source --import tsx apps/sps/src/main.ts serve --port 0 --http-port off --kinesis-port off --data-dir "${dir}"`,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const clients: net.Socket[] = [];
    try {
      await until(() => /ready/.test(out) || child.exitCode !== null, 'sps serve to start', 30_000);
      const port = Number(/kafka on [\d.]+:(\d+)/.exec(out)?.[1]);
      expect(err).toContain('open-file limit (ulimit -n) is 256: accepting at most 192 Kafka connections');
      expect(err).toContain('ulimit -n 65536');
      // 230 idle clients: more than the cap, fewer than the fd limit of this test process.
      let closedByBroker = 0;
      for (let i = 0; i < 230; i++) {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        s.on('close', () => closedByBroker++);
        clients.push(s);
      }
      await until(() => closedByBroker >= 230 - 192, 'the connections over the cap to be closed');
      await until(() => err.includes('refusing a connection'), 'the refusal to be logged');
      expect(err.match(/refusing a connection/g)).toHaveLength(1); // rate-limited
      for (const s of clients) s.destroy();
      // Once they are gone, a client is served again.
      let served = false;
      for (let attempt = 0; attempt < 50 && !served; attempt++) {
        const conn = await RawConnection.connect(port).catch(() => null);
        served = !!conn && (await apiVersionsOk(conn).catch(() => false));
        conn?.close();
        if (!served) await new Promise((r) => setTimeout(r, 100));
      }
      expect(served).toBe(true);
    } finally {
      for (const s of clients) s.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
