// The demo runs its mail catcher and trace receiver in a worker thread (side-services.ts). Started
// here from TypeScript source, as the e2e and workshop suites start it: the worker must load, the
// console's /api/traces and the Mailpit API must answer from it, and stop() must free their ports.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_NAMES } from './apps.js';
import { startDemo } from './demo.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-side-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
const ms = (t: number) => String(BigInt(t) * 1_000_000n);

describe("the demo's mail catcher and trace receiver (in a worker thread)", () => {
  it("answers the console's order trace and the Mailpit API from the worker, and stop() frees their ports", async () => {
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const demo = await startDemo({
      rootDir: dir,
      workDir: dir,
      dataDir: path.join(dir, 'sps'),
      without: [...APP_NAMES],
      load: false,
      consoleDir: null,
      ports: { kafka: 0, http: 0, control: 0, smtp: 0, mailHttp: 0, otlp: 0, kinesis: null },
      color: false,
      output: () => undefined,
    }).finally(() => {
      if (saved !== undefined) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    });
    let stopped = false;
    try {
      expect(demo.otlpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const exported = await fetch(`${demo.otlpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [kv('service.name', 'storefront')] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: 'cafe',
                      spanId: '01',
                      name: 'orders publish',
                      kind: 4,
                      startTimeUnixNano: ms(1_700_000_000_000),
                      endTimeUnixNano: ms(1_700_000_000_002),
                      attributes: [kv('orders.order_id', 'o-side-1')],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(exported.status).toBe(200);
      const trace = (await (await fetch(`${demo.controlUrl}/api/traces?orderId=o-side-1`)).json()) as {
        traceId: string;
        spans: { service: string; name: string }[];
      };
      expect(trace.traceId).toBe('cafe');
      expect(trace.spans.map((s) => `${s.service}: ${s.name}`)).toEqual(['storefront: orders publish']);

      await nodemailer.createTransport(demo.mail!.smtpUrl).sendMail({
        from: 'shop@example.com',
        to: 'ada@example.com',
        subject: 'Order o-side-1 confirmed',
        text: 'Thank you.',
      });
      const listed = (await (await fetch(`${demo.mail!.httpUrl}/api/v1/messages`)).json()) as {
        messages: { Subject: string }[];
      };
      expect(listed.messages.map((m) => m.Subject)).toEqual(['Order o-side-1 confirmed']);

      await demo.stop();
      stopped = true;
      await expect(fetch(`${demo.otlpUrl}/v1/traces`, { method: 'POST' })).rejects.toThrow();
      await expect(fetch(`${demo.mail!.httpUrl}/api/v1/info`)).rejects.toThrow();
    } finally {
      if (!stopped) await demo.stop();
    }
  });
});
