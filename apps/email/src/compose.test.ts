// The message email sends is byte for byte what nodemailer's own MIME streams write for the same tree,
// for plain confirmations and for content that makes the encoders work (non-ASCII, long lines, dots,
// trailing spaces, `=`, a long non-ASCII subject).
import { buildOrderEvent } from '@orders/contracts';
import { describe, expect, it } from 'vitest';
import MimeNode from 'nodemailer/lib/mime-node';
import { composeMessage, mimeTreeOf, normaliseHeaderKeyUncached, writeMessage } from './compose.js';
import { renderConfirmation, type Confirmation } from './confirmation.js';
import { DEFAULT_MAIL_FROM } from './mailer.js';

const plain = renderConfirmation(
  buildOrderEvent(
    {
      customer: {
        email: 'grace@example.org',
        name: 'Grace Hopper',
        address: { line1: '1 Navy Yard', city: 'Arlington', postalCode: '22202', country: 'US' },
      },
      lines: [{ sku: 'BOOK-006', qty: 1 }],
    },
    { orderId: 'o-1', placedAt: new Date('2025-05-01T12:00:00Z'), currency: 'EUR' },
  ),
);

const awkward: Confirmation = {
  ...plain,
  orderId: 'o-ü',
  to: { name: 'Zoë Ünal, "the" <boss>', address: 'zoe@example.org' },
  subject: `Your order o-ü is confirmed — ${'ünïcödé '.repeat(12)}`,
  text: `Hello Zoë,\n.a line that starts with a dot\ntrailing spaces   \nx=y and 100% \t\n${'long '.repeat(60)}\n`,
  html: `<p>${'€ '.repeat(80)}</p>\n.<b>=</b>`,
};

describe('composing a confirmation', () => {
  for (const [name, mail] of [
    ['a plain confirmation', plain],
    ['a confirmation whose content needs encoding', awkward],
  ] as const) {
    it(`writes ${name} exactly as nodemailer's MIME streams do`, async () => {
      const tree = mimeTreeOf(mail, DEFAULT_MAIL_FROM); // one tree: the same boundaries and Date both ways
      const written = writeMessage(tree);
      expect(written).toBe((await tree.build()).toString());
      expect(written).toContain(`Message-ID: ${mail.messageId}\r\n`);
      expect(written).toContain('Content-Type: multipart/alternative;');
    });
  }

  it('addresses the envelope to the customer, from the shop', () => {
    expect(composeMessage(plain, DEFAULT_MAIL_FROM).envelope).toEqual({
      from: 'shop@orders-stream.local',
      to: ['grace@example.org'],
    });
  });

  it('names headers as nodemailer does, also the second time and for names a header must not have', () => {
    const node = new MimeNode('text/plain');
    // The method every header passes through, as MimeNode itself calls it (the patched one).
    const normalise = (key: string) =>
      (node as unknown as { _normalizeHeaderKey(key: string): string })._normalizeHeaderKey(key);
    const names = ['x-order-id', 'content-type', 'MIME-VERSION', 'dkim-signature', 'X-SMTPAPI', 'otp-token'];
    const hostile = ['From: ceo@example.com (', 'Bcc\r\nX', ' to ', 'x\u0000y', 'content-features'];
    for (const key of [...names, ...hostile, ...names, ...hostile]) {
      const uncached = normaliseHeaderKeyUncached.call(node, key);
      expect(normalise(key)).toBe(uncached);
    }
    expect(normalise('x-order-id')).toBe('X-Order-ID');
    expect(normalise('From: ceo@example.com (')).toBe('Fromceo@example.com(');
  });
});
