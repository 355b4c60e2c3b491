// The confirmation e-mail's content: what a customer reads, and that their data cannot inject HTML.
import { buildOrderEvent } from '@orders/contracts';
import { describe, expect, it } from 'vitest';
import { html, messageIdFor, renderConfirmation } from './confirmation.js';

const order = buildOrderEvent(
  {
    customer: {
      email: 'ada@example.org',
      name: 'Ada <script>alert(1)</script> & Co',
      address: { line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    },
    lines: [
      { sku: 'MUG-001', qty: 2 },
      { sku: 'LAMP-012', qty: 1 },
    ],
    promoCode: 'SPRING',
  },
  { orderId: 'order-7', placedAt: new Date('2025-05-01T12:30:00Z'), currency: 'EUR' },
);

describe('the confirmation e-mail', () => {
  const mail = renderConfirmation(order);

  it('is addressed to the customer, about the order', () => {
    expect(mail.to).toEqual({ name: order.customer.name, address: 'ada@example.org' });
    expect(mail.subject).toBe('Your order order-7 is confirmed');
    expect(mail.messageId).toBe('<order-order-7@orders-stream.local>');
  });

  it('lists the lines, the total and the shipping address in its text', () => {
    expect(mail.text).toContain('order order-7, placed 2025-05-01 12:30 UTC');
    expect(mail.text).toContain('2 × Stream mug (MUG-001) at €12.90: €25.80');
    expect(mail.text).toContain('1 × Lag-o-meter desk lamp (LAMP-012) at €44.90: €44.90');
    expect(mail.text).toContain('Total: €70.70');
    expect(mail.text).toContain('Promo code: SPRING');
    expect(mail.text).toContain('  12 St James Sq\n  SW1Y 4JH London\n  GB');
  });

  it('shows the same in HTML, with the customer’s text escaped', () => {
    expect(mail.html).toMatch(/>Total<\/th>\s*<th [^>]*>€70\.70<\/th>/);
    expect(mail.html).toContain('Stream mug <small>(MUG-001)</small>');
    expect(mail.html).toContain('12 St James Sq<br />SW1Y 4JH London<br />GB');
    expect(mail.html).toContain('Ada &#60;script&#62;alert(1)&#60;/script&#62; &#38; Co');
    expect(mail.html).not.toContain('<script>');
  });

  it('is rendered the same way every time, Message-ID included', () => {
    expect(renderConfirmation(order)).toEqual(mail);
  });
});

describe('the Message-ID', () => {
  it('is derived from the order id alone, and keeps only characters a Message-ID may hold', () => {
    expect(messageIdFor('4f1c-9a')).toBe('<order-4f1c-9a@orders-stream.local>');
    expect(messageIdFor('a b>c@d.é')).toBe('<order-a%20b%3Ec%40d%2E%C3%A9@orders-stream.local>');
    expect(messageIdFor('a.b')).not.toBe(messageIdFor('a%2Eb'));
  });
});

describe('the html template tag', () => {
  it('escapes values, keeps nested html and joins arrays', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    // prettier-ignore
    const list = html`<ul>${items}</ul>${null}${'"'}`;
    expect(list.value).toBe('<ul><li>&#60;a&#62;</li><li>b</li></ul>&#34;');
  });
});
