// The guard on a real HTTP server: what a rebinding page, another site, a sandboxed frame, a
// "simple" cross-site form, curl on this machine and a client on another machine each get.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardWrite, isLoopback, type GuardOptions } from './guard.js';

interface Answer {
  status: number;
  error?: string;
}

/** A server answering 200 {done: true} to whatever the guard lets through. */
async function guarded(options: GuardOptions) {
  let done = 0;
  const server = http.createServer((req, res) => {
    const refusal = guardWrite(req, options);
    req.resume();
    res.writeHead(refusal?.status ?? 200, { 'content-type': 'application/json' });
    if (!refusal) done++;
    res.end(JSON.stringify(refusal ? { error: refusal.error } : { done: true }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  /** node:http, since fetch() may not set Host. */
  const call = (method: string, headers: Record<string, string>, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: '/api/thing',
          headers: { host: `localhost:${port}`, ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            resolve({ status: res.statusCode!, ...(JSON.parse(text) as { error?: string }) }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    port,
    call,
    done: () => done,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const JSON_BODY = { 'content-type': 'application/json' };

describe('the HTTP guard, from this machine', () => {
  let s: Awaited<ReturnType<typeof guarded>>;
  beforeAll(async () => {
    s = await guarded({ allowedHosts: ['Classroom.Example'] });
  });
  afterAll(() => s.close());

  it('refuses a Host that is not a name of this server (DNS rebinding), for reads and writes', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await s.call(
        method,
        { host: `evil.example:${s.port}`, ...JSON_BODY },
        method === 'GET' ? undefined : '{}',
      );
      expect(res.status, method).toBe(403);
      expect(res.error).toMatch(/Host 'evil\.example:\d+' is not a name of this server/);
      expect(res.error).toMatch(/DNS rebinding/);
      expect(res.error).toContain('--allowed-host evil.example');
    }
  });

  it("accepts this machine's own names and the names allowed by option", async () => {
    for (const host of [
      `localhost:${s.port}`,
      `127.0.0.1:${s.port}`,
      `[::1]:${s.port}`,
      'localhost',
      `${os.hostname()}:${s.port}`,
      `classroom.example:${s.port}`,
    ])
      expect((await s.call('GET', { host })).status, host).toBe(200);
  });

  it('refuses writes from another site, even another port on localhost', async () => {
    for (const origin of [
      'http://evil.example',
      `http://localhost:${s.port + 1}`,
      `http://127.0.0.1:${s.port + 1}`,
      `https://evil.example:${s.port}`,
      'not a url',
    ]) {
      const res = await s.call('POST', { origin, ...JSON_BODY }, '{"rate": 5}');
      expect(res.status, origin).toBe(403);
      expect(res.error).toContain(`writes from another site (Origin: ${origin}) are refused`);
    }
  });

  it('refuses writes with Origin: null (sandboxed frames, file:// pages, redirects)', async () => {
    const res = await s.call('DELETE', { origin: 'null' });
    expect(res.status).toBe(403);
    expect(res.error).toMatch(/Origin: null/);
  });

  it('accepts writes from its own page (same origin) and from curl (no Origin)', async () => {
    for (const origin of [`http://localhost:${s.port}`, `http://127.0.0.1:${s.port}`])
      expect((await s.call('POST', { origin, ...JSON_BODY }, '{}')).status, origin).toBe(200);
    expect((await s.call('POST', JSON_BODY, '{}')).status).toBe(200);
    expect((await s.call('POST', {})).status).toBe(200); // no body, no Content-Type: e.g. …/kill
    expect((await s.call('DELETE', {})).status).toBe(200);
  });

  it('refuses bodies that are not JSON with 415 (the types a page may send cross-site without a preflight)', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await s.call('POST', { 'content-type': type }, '{"rate": 5}');
      expect(res.status, type).toBe(415);
      expect(res.error).toContain('Content-Type: application/json');
    }
    expect((await s.call('POST', {}, '{"rate": 5}')).status).toBe(415);
    expect((await s.call('POST', { 'content-type': 'application/json; charset=utf-8' }, '{}')).status).toBe(
      200,
    );
  });

  it('lets reads through whatever their Origin (the browser keeps a cross-site answer from the page)', async () => {
    expect((await s.call('GET', { origin: 'http://evil.example' })).status).toBe(200);
  });

  it('knows loopback addresses: all of 127.0.0.0/8 and ::1', () => {
    expect(['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['10.0.0.2', '::ffff:192.168.1.4', '127.example', undefined].some(isLoopback)).toBe(false);
  });
});

describe('the HTTP guard, for a client on another machine', () => {
  // Every address of 127.0.0.0/8 is this machine, so "another machine" is the injectable check.
  let withToken: Awaited<ReturnType<typeof guarded>>;
  let withoutToken: Awaited<ReturnType<typeof guarded>>;
  beforeAll(async () => {
    withToken = await guarded({ token: 's3cret', isLocal: () => false });
    withoutToken = await guarded({ isLocal: () => false, hints: { token: '--token {secret}' } });
  });
  afterAll(() => Promise.all([withToken.close(), withoutToken.close()]));

  it('needs the token to write, and refuses writes outright when the server has none', async () => {
    expect((await withToken.call('POST', JSON_BODY, '{}')).status).toBe(401);
    expect((await withToken.call('POST', { authorization: 'Bearer wrong', ...JSON_BODY }, '{}')).status).toBe(
      401,
    );
    expect(
      (await withToken.call('POST', { authorization: 'Bearer s3cret', ...JSON_BODY }, '{}')).status,
    ).toBe(200);
    const none = await withoutToken.call('POST', { authorization: 'Bearer s3cret', ...JSON_BODY }, '{}');
    expect(none.status).toBe(403);
    expect(none.error).toMatch(/started without a token; start it with --token/);
  });

  it('still refuses a foreign Origin and a rebinding Host with the token', async () => {
    const auth = { authorization: 'Bearer s3cret', ...JSON_BODY };
    expect((await withToken.call('POST', { origin: 'http://evil.example', ...auth }, '{}')).status).toBe(403);
    expect((await withToken.call('POST', { host: 'evil.example', ...auth }, '{}')).status).toBe(403);
  });

  it('lets reads through without the token', async () => {
    expect((await withoutToken.call('GET', {})).status).toBe(200);
  });
});
