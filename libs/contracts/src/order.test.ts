import { describe, expect, it } from 'vitest';
import {
  buildOrderEvent,
  CATALOGUE,
  customerIdFromEmail,
  parseOrderEvent,
  validatePlaceOrder,
  type PlaceOrderRequest,
} from './index.js';

const request: PlaceOrderRequest = {
  customer: {
    email: 'Ada@Example.org',
    name: 'Ada Lovelace',
    address: { line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  },
  lines: [
    { sku: 'MUG-001', qty: 2 },
    { sku: 'LAMP-012', qty: 1 },
  ],
};

describe('POST /orders input', () => {
  it('accepts a valid order and upper-cases the promo code', () => {
    const result = validatePlaceOrder({ ...request, promoCode: ' spring-24 ' });
    expect(result).toMatchObject({ ok: true, value: { promoCode: 'SPRING-24' } });
  });

  it('names each invalid field, with its path', () => {
    const result = validatePlaceOrder({
      customer: {
        email: 'not-an-email',
        address: { line1: '', city: 'X', postalCode: '1', country: 'Germany' },
      },
      lines: [{ sku: 'NOPE', qty: 0 }],
    });
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((e) => e.field);
    expect(fields).toEqual([
      'customer.email',
      'customer.name',
      'customer.address.line1',
      'customer.address.country',
      'lines[0].sku',
      'lines[0].qty',
    ]);
  });

  it('refuses an order without lines', () => {
    const result = validatePlaceOrder({ ...request, lines: [] });
    expect(result).toEqual({
      ok: false,
      errors: [{ field: 'lines', message: 'an order needs at least one line' }],
    });
  });
});

describe('the order event', () => {
  const event = buildOrderEvent(request, {
    orderId: 'o-1',
    placedAt: new Date('2025-05-01T12:00:00Z'),
    currency: 'EUR',
  });

  it('takes names and prices from the catalogue and derives the customer id from the e-mail', () => {
    const mug = CATALOGUE.find((p) => p.sku === 'MUG-001')!;
    expect(event.lines[0]).toEqual({
      sku: 'MUG-001',
      name: mug.name,
      qty: 2,
      unitPriceCents: mug.priceCents,
    });
    expect(event.totalCents).toBe(2 * 1290 + 4490);
    expect(event.customer.id).toBe(customerIdFromEmail('ada@example.org'));
    expect(event.promoCode).toBeNull();
  });

  it('round-trips through JSON bytes', () => {
    expect(parseOrderEvent(Buffer.from(JSON.stringify(event)))).toEqual({ ok: true, value: event });
  });

  it('rejects a total that does not match the lines, and non-JSON, with reasons', () => {
    const wrong = parseOrderEvent(JSON.stringify({ ...event, totalCents: 1 }));
    expect(wrong).toMatchObject({ ok: false, errors: [{ field: 'totalCents' }] });
    const garbage = parseOrderEvent('{nope');
    expect(garbage).toMatchObject({
      ok: false,
      errors: [{ field: '', message: expect.stringMatching(/^not JSON/) }],
    });
    expect(parseOrderEvent(null)).toMatchObject({ ok: false });
  });

  it('gives the same customer id for the same address in any case', () => {
    expect(customerIdFromEmail(' A@B.de')).toBe(customerIdFromEmail('a@b.DE'));
    expect(customerIdFromEmail('a@b.de')).toMatch(/^c-[0-9a-f]{16}$/);
  });
});
