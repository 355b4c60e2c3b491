// The mailer's SMTP connections against real SMTP servers that are less accommodating than the mail
// catcher: one that takes fewer connections than the mailer opens, and one that hangs up idle sessions.
import type net from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOrderEvent } from '@orders/contracts';
import { renderConfirmation } from './confirmation.js';
import { Mailer } from './mailer.js';

const confirmation = (orderId: string) =>
  renderConfirmation(
    buildOrderEvent(
      {
        customer: {
          email: 'ada@example.org',
          name: 'Ada Lovelace',
          address: { line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
        },
        lines: [{ sku: 'MUG-001', qty: 1 }],
      },
      { orderId, placedAt: new Date('2025-05-01T12:00:00Z'), currency: 'EUR' },
    ),
  );

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real SMTP server that keeps the Message-ID of every message it accepted. */
async function smtpServer(options: SMTPServerOptions) {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...options,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        received.push(/^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '?');
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as net.AddressInfo;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${port}`, received };
}

function mailerFor(url: string, connections: number) {
  const mailer = new Mailer({ smtpUrl: url, connections });
  cleanups.push(() => mailer.onApplicationShutdown());
  return mailer;
}

describe('the SMTP connections', () => {
  it('send everything over the connections a server accepts when it takes fewer than they open', async () => {
    const server = await smtpServer({ maxClients: 2 }); // the third connection gets "421 Too many connected clients"
    const mailer = mailerFor(server.url, 8);
    const mails = Array.from({ length: 40 }, (_, i) => confirmation(`few-${i}`));
    const accepted = await Promise.all(mails.map((m) => mailer.send(m)));
    expect(accepted.map((a) => a.messageId)).toEqual(mails.map((m) => m.messageId));
    expect([...server.received].sort()).toEqual(mails.map((m) => m.messageId).sort());
  });

  it('open a new connection when the server has hung up an idle one', async () => {
    let closedSessions = 0;
    // smtp-server ends a session idle for socketTimeout ("421 Timeout - closing connection").
    const server = await smtpServer({ socketTimeout: 200, onClose: () => void closedSessions++ });
    const mailer = mailerFor(server.url, 1);
    await mailer.send(confirmation('idle-1'));
    await until(() => closedSessions === 1);
    await mailer.send(confirmation('idle-2'));
    expect(server.received).toEqual([confirmation('idle-1').messageId, confirmation('idle-2').messageId]);
  });
});

/** Waits (up to 20 s) until `condition` holds. */
async function until(condition: () => boolean) {
  for (const deadline = Date.now() + 20_000; !condition();) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
