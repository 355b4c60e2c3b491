// email's rule against a real SQLite file and a real SMTP server (the demo's mail catcher): each order's
// confirmation is sent once and logged after the server accepted it; nothing is logged when it did not.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildOrderEvent } from '@orders/contracts';
import { startMailCatcher, type MailCatcher } from '@orders/demo';
import type { Database } from '@orders/db';
import { TransientError } from '@orders/messaging';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Confirmations } from './confirmations.js';
import type { PrismaClient } from './generated/sqlite/client.js';
import { Mailer } from './mailer.js';
import { SentMailLog, openEmailDb } from './store.js';

let dir: string;
let db: Database<PrismaClient>;
let log: SentMailLog;
let catcher: MailCatcher;
let mailer: Mailer;
let confirmations: Confirmations;

const order = (orderId: string) =>
  buildOrderEvent(
    {
      customer: {
        email: 'grace@example.org',
        name: 'Grace Hopper',
        address: { line1: '1 Navy Yard', city: 'Arlington', postalCode: '22202', country: 'US' },
      },
      lines: [{ sku: 'BOOK-006', qty: 1 }],
    },
    { orderId, placedAt: new Date('2025-05-01T12:00:00Z'), currency: 'EUR' },
  );

/** A loopback port nothing listens on: an SMTP server that is down. */
async function deadPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'email-'));
  db = await openEmailDb({ DATABASE_URL: `file:${path.join(dir, 'email.db')}` });
  log = new SentMailLog(db);
  catcher = await startMailCatcher({ smtpPort: 0, httpPort: 0 });
  mailer = new Mailer({ smtpUrl: catcher.smtpUrl });
  confirmations = new Confirmations(mailer, log);
});
afterAll(async () => {
  mailer?.onApplicationShutdown(); // its pooled connection first, or the catcher waits for it to close
  await catcher?.close();
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('email', () => {
  it('sends the confirmation over SMTP and logs what it sent', async () => {
    expect(await confirmations.send(order('o-1'))).toBe('sent');
    const [mail] = await catcher.messages();
    expect(mail).toMatchObject({
      MessageID: 'order-o-1@orders-stream.local',
      Subject: 'Your order o-1 is confirmed',
      To: [{ Name: 'Grace Hopper', Address: 'grace@example.org' }],
      From: { Name: 'The orders stream shop', Address: 'shop@orders-stream.local' },
      Headers: expect.objectContaining({ 'X-Order-ID': ['o-1'] }),
    });
    expect(mail.Text).toContain('Total: €39.90');
    expect(mail.HTML).toContain('Logs and streams (paperback)');
    expect(await log.get('o-1')).toMatchObject({
      orderId: 'o-1',
      to: 'grace@example.org',
      subject: 'Your order o-1 is confirmed',
      messageId: '<order-o-1@orders-stream.local>',
      sentAt: expect.any(Date),
    });
  });

  it('sends nothing when the same order is delivered again', async () => {
    expect(await confirmations.send(order('o-1'))).toBe('already-sent');
    expect(await catcher.messages()).toHaveLength(1);
    expect(await log.count()).toBe(1);
  });

  it('logs nothing while the SMTP server is down, and says it is transient, so the order waits', async () => {
    const down = new Mailer({ smtpUrl: `smtp://user:secret@127.0.0.1:${await deadPort()}` });
    const failing = new Confirmations(down, log);
    const err = await failing.send(order('o-2')).catch((e: unknown) => e);
    down.onApplicationShutdown();
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/^SMTP server smtp:\/\/127\.0\.0\.1:\d+ unavailable/);
    expect(await log.get('o-2')).toBeNull();
    expect(await log.has('o-2')).toBe(false);

    expect(await confirmations.send(order('o-2'))).toBe('sent'); // the redelivery, once the server is back
    expect((await catcher.messages()).map((m) => m.MessageID)).toEqual([
      'order-o-1@orders-stream.local',
      'order-o-2@orders-stream.local',
    ]);
  });

  it('takes a refusal (5xx) as the order’s failure, and "try again later" (4xx) as a wait', async () => {
    // A real SMTP server that refuses one recipient for good and is too busy for another.
    const picky = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const reply = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
        if (address.address.endsWith('@refused.example')) return callback(reply(550, 'no such mailbox'));
        if (address.address.endsWith('@busy.example')) return callback(reply(451, 'try again later'));
        callback();
      },
    });
    await new Promise<void>((resolve) => picky.listen(0, '127.0.0.1', resolve));
    const { port } = picky.server.address() as net.AddressInfo;
    const strict = new Mailer({ smtpUrl: `smtp://127.0.0.1:${port}` });
    const to = (email: string) => ({ ...order('o-3'), customer: { ...order('o-3').customer, email } });
    try {
      const refused = await new Confirmations(strict, log).send(to('x@refused.example')).catch((e) => e);
      expect(refused).not.toBeInstanceOf(TransientError);
      expect(refused).toMatchObject({ responseCode: 550 });
      const busy = await new Confirmations(strict, log).send(to('x@busy.example')).catch((e) => e);
      expect(busy).toBeInstanceOf(TransientError);
      expect(await log.has('o-3')).toBe(false);
    } finally {
      strict.onApplicationShutdown();
      await new Promise<void>((resolve) => picky.close(() => resolve()));
    }
  });

  it('lists what was sent, newest first', async () => {
    expect((await log.list(10)).map((m) => m.orderId)).toEqual(['o-2', 'o-1']);
  });
});
