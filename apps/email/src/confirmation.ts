/**
 * The order confirmation e-mail, as text and HTML, rendered from the order event alone (email reads no
 * other app's tables). HTML goes through the `html` tagged template, which escapes every interpolated
 * value unless it is itself `html` — so a customer named `<script>` is shown, never run.
 */
import type { OrderEvent } from '@orders/contracts';

/** The shop's domain in Message-IDs. */
export const MESSAGE_ID_DOMAIN = 'orders-stream.local';

/** A rendered confirmation, ready for the SMTP transport. */
export interface Confirmation {
  orderId: string;
  to: { name: string; address: string };
  subject: string;
  /** The Message-ID header, angle brackets included; the same for every rendering of one order. */
  messageId: string;
  text: string;
  html: string;
}

/**
 * The confirmation's Message-ID: derived from the order id only, so a resend of the same order carries the
 * same Message-ID and mail clients and deduplicating relays can recognise it. Characters that a Message-ID
 * may not hold are percent-encoded (byte by byte, UTF-8), which keeps different order ids apart.
 */
export function messageIdFor(orderId: string): string {
  const safe = Array.from(new TextEncoder().encode(orderId), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `<order-${safe}@${MESSAGE_ID_DOMAIN}>`;
}

export function renderConfirmation(order: OrderEvent): Confirmation {
  const { customer } = order;
  const money = moneyFormat(order.currency);
  const { line1, postalCode, city, country } = customer.address;
  const address = [customer.name, line1, `${postalCode} ${city}`, country];
  const placed = new Date(order.placedAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const subject = `Your order ${order.orderId} is confirmed`;

  const text = [
    `Hello ${customer.name},`,
    '',
    `thank you for your order ${order.orderId}, placed ${placed}. Here is what you ordered:`,
    '',
    ...order.lines.map(
      (l) =>
        `  ${l.qty} × ${l.name} (${l.sku}) at ${money(l.unitPriceCents)}: ${money(l.qty * l.unitPriceCents)}`,
    ),
    '',
    `Total: ${money(order.totalCents)}`,
    ...(order.promoCode ? [`Promo code: ${order.promoCode}`] : []),
    '',
    'We will ship it to:',
    ...address.map((a) => `  ${a}`),
    '',
    'The orders stream shop',
    '',
  ].join('\n');

  const cell = 'padding:4px 8px;border-bottom:1px solid #ddd';
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${subject}</title>
      </head>
      <body style="font-family:sans-serif;color:#222">
        <p>Hello ${customer.name},</p>
        <p>
          thank you for your order <strong>${order.orderId}</strong>, placed ${placed}. Here is what you
          ordered:
        </p>
        <table style="border-collapse:collapse">
          <thead>
            <tr>
              <th style="${cell};text-align:left">Item</th>
              <th style="${cell}">Qty</th>
              <th style="${cell};text-align:right">Unit price</th>
              <th style="${cell};text-align:right">Amount</th>
            </tr>
          </thead>
          <tbody>
            ${order.lines.map(
              (l) =>
                html`<tr>
                  <td style="${cell}">${l.name} <small>(${l.sku})</small></td>
                  <td style="${cell};text-align:center">${l.qty}</td>
                  <td style="${cell};text-align:right">${money(l.unitPriceCents)}</td>
                  <td style="${cell};text-align:right">${money(l.qty * l.unitPriceCents)}</td>
                </tr> `,
            )}
          </tbody>
          <tfoot>
            <tr>
              <th colspan="3" style="${cell};text-align:right">Total</th>
              <th style="${cell};text-align:right">${money(order.totalCents)}</th>
            </tr>
          </tfoot>
        </table>
        ${order.promoCode ? html`<p>Promo code: ${order.promoCode}</p>` : ''}
        <p>We will ship it to:</p>
        <address style="font-style:normal">
          ${address.map((a, i) => (i === 0 ? html`${a}` : html`<br />${a}`))}
        </address>
        <p>The orders stream shop</p>
      </body>
    </html> `;

  return {
    orderId: order.orderId,
    to: { name: customer.name, address: customer.email },
    subject,
    messageId: messageIdFor(order.orderId),
    text,
    html: body.value,
  };
}

/** One formatter per currency: building an Intl.NumberFormat costs more than rendering the rest of a mail. */
const formats = new Map<string, (cents: number) => string>();

function moneyFormat(currency: string): (cents: number) => string {
  let money = formats.get(currency);
  if (!money) {
    const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    money = (cents) => format.format(cents / 100);
    formats.set(currency, money);
  }
  return money;
}

/** HTML that is already safe: the result of {@link html}. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/**
 * A template literal tag for HTML: interpolated values are escaped, nested `html` and arrays of it are not.
 * The template's own line breaks and indentation are squeezed to one space (once per template, cached):
 * HTML renders them alike, and every mail is then a third smaller to encode, send and store.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const parts = squeezed(strings);
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) out += interpolate(values[i]) + parts[i + 1]!;
  return new Html(out);
}

const squeezedTemplates = new WeakMap<TemplateStringsArray, string[]>();

function squeezed(strings: TemplateStringsArray): string[] {
  let parts = squeezedTemplates.get(strings);
  if (!parts) {
    parts = strings.map((s) => s.replace(/\s*\n\s*/g, ' '));
    squeezedTemplates.set(strings, parts);
  }
  return parts;
}

function interpolate(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
