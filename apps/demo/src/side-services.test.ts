import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailCatcher } from './mail-catcher.js';
import { startSideServices, type SideServices } from './side-services.js';
import { tracesApi } from './traces.js';

const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
const ms = (t: number) => String(BigInt(t) * 1_000_000n);

describe("the demo's worker thread for the mail catcher and the trace receiver", () => {
  let side: SideServices;
  let mail: MailCatcher;
  beforeAll(async () => {
    // Started from TypeScript source here, as the e2e and workshop suites start the demo.
    side = await startSideServices({ niceness: 0 });
    mail = await side.startMail({ smtpPort: 0, httpPort: 0 });
  });
  afterAll(() => side.close());

  it('catches real SMTP mail in the worker: messages() gives parsed messages with their raw bytes as a Buffer, and the Mailpit API lists them', async () => {
    const info = await nodemailer.createTransport(mail.smtpUrl).sendMail({
      from: 'Orders Stream <shop@example.com>',
      to: 'Ada Lovelace <ada@example.com>',
      subject: 'Order o-7 confirmed',
      messageId: '<o7@orders.example>',
      text: 'Thank you for your order o-7.',
    });
    expect(info.accepted).toEqual(['ada@example.com']);

    const messages = await mail.messages();
    expect(messages.map((m) => [m.Subject, m.MessageID, m.To[0]?.Address])).toEqual([
      ['Order o-7 confirmed', 'o7@orders.example', 'ada@example.com'],
    ]);
    expect(Buffer.isBuffer(messages[0]!.raw)).toBe(true);
    expect(messages[0]!.raw.toString('utf8')).toContain('Subject: Order o-7 confirmed');

    const listed = (await (await fetch(`${mail.httpUrl}/api/v1/messages`)).json()) as {
      total: number;
      messages: { Subject: string }[];
    };
    expect(listed.total).toBe(1);
    expect(listed.messages[0]!.Subject).toBe('Order o-7 confirmed');
  });

  it("refuses a port that is taken with the error's code (the demo then uses what is there)", async () => {
    await expect(side.startMail({ smtpPort: mail.smtpPort, httpPort: 0 })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    // The first catcher still serves.
    expect((await fetch(`${mail.httpUrl}/api/v1/info`)).status).toBe(200);
  });

  it("receives OTLP spans in the worker and answers the console's /api/traces from them", async () => {
    const receiver = await side.startTraces(0);
    const res = await fetch(`${receiver.url}/v1/traces`, {
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
                    traceId: 'ab',
                    spanId: '01',
                    name: 'orders publish',
                    kind: 4,
                    startTimeUnixNano: ms(1_700_000_000_000),
                    endTimeUnixNano: ms(1_700_000_000_003),
                    attributes: [kv('orders.order_id', 'o-7')],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);

    const route = tracesApi(receiver.queries);
    const api = http.createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/traces`;
      const recent = (await (await fetch(base)).json()) as { orders: { orderId: string; spans: number }[] };
      expect(recent.orders).toEqual([expect.objectContaining({ orderId: 'o-7', traceId: 'ab', spans: 1 })]);
      const trace = (await (await fetch(`${base}?orderId=o-7`)).json()) as {
        spans: { service: string; name: string; durationMs: number }[];
      };
      expect(trace.spans).toEqual([
        expect.objectContaining({ service: 'storefront', name: 'orders publish', durationMs: 3 }),
      ]);
      expect((await fetch(`${base}?orderId=o-8`)).status).toBe(404);
    } finally {
      api.close();
      await receiver.close();
    }
  });

  it('stops with close(): its ports are free again, and a later call says the worker is gone', async () => {
    const extra = await startSideServices({ niceness: 0 });
    const catcher = await extra.startMail({ smtpPort: 0, httpPort: 0 });
    await extra.close();
    await expect(fetch(`${catcher.httpUrl}/api/v1/info`)).rejects.toThrow();
    await expect(catcher.messages()).rejects.toThrow(/worker exited/);
  });
});
