/**
 * The order event (topic `orders`) and the storefront's POST /orders input, as zod schemas.
 * One schema, validated on produce (storefront) and on consume (every app, via @orders/messaging).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { findProduct } from './catalogue.js';

const text = (max: number) => z.string().trim().min(1, { error: 'must not be empty' }).max(max);

export const addressSchema = z.object({
  line1: text(200),
  city: text(100),
  postalCode: text(20),
  /** ISO 3166-1 alpha-2, e.g. `DE`. */
  country: z.string().regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 code such as DE' }),
});

export const orderLineSchema = z.object({
  sku: text(64),
  name: text(200),
  qty: z.int().min(1),
  unitPriceCents: z.int().min(0),
});

/** The value of a message on `orders` (JSON). Unknown extra fields are ignored (forward compatible). */
export const orderEventSchema = z
  .object({
    orderId: text(64),
    /** ISO 8601 with offset, e.g. `2025-05-01T12:00:00.000Z`. */
    placedAt: z.iso.datetime({ offset: true }),
    customer: z.object({
      id: text(64),
      email: z.email(),
      name: text(200),
      address: addressSchema,
    }),
    lines: z.array(orderLineSchema).min(1),
    /** ISO 4217, e.g. `EUR`. */
    currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as EUR' }),
    /** Sum of qty × unitPriceCents over the lines. Promo codes are counted, they change no price. */
    totalCents: z.int().min(0),
    promoCode: z.string().nullable(),
  })
  .refine((o) => o.totalCents === o.lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0), {
    error: 'must equal the sum of qty × unitPriceCents over the lines',
    path: ['totalCents'],
  });

export type OrderEvent = z.infer<typeof orderEventSchema>;
export type OrderLine = OrderEvent['lines'][number];
export type Address = z.infer<typeof addressSchema>;

/** Body of `POST /orders`. Names and prices are not accepted from the client: they come from the catalogue. */
export const placeOrderSchema = z.object({
  customer: z.object({
    /** Optional: derived from the e-mail when missing ({@link customerIdFromEmail}). */
    id: text(64).optional(),
    email: z.email(),
    name: text(200),
    address: addressSchema,
  }),
  lines: z
    .array(
      z.object({
        sku: z.string().refine((sku) => findProduct(sku) !== undefined, {
          error: 'unknown sku (see GET /products)',
        }),
        qty: z.int().min(1).max(100),
      }),
    )
    .min(1, { error: 'an order needs at least one line' })
    .max(50),
  promoCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9-]{2,32}$/, { error: '2 to 32 letters, digits or dashes' })
    .nullish(),
});

export type PlaceOrderRequest = z.infer<typeof placeOrderSchema>;

/** One reason a value was rejected: `field` is a path such as `lines[0].qty` (`` for the whole value). */
export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Formats a zod path the way a JS reader writes it: `customer.address.city`, `lines[1].sku`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function validate<T>(schema: z.ZodType<T>, value: unknown): Validated<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })),
  };
}

/** Validates a POST /orders body. On failure, one {@link FieldError} per invalid field. */
export function validatePlaceOrder(body: unknown): Validated<PlaceOrderRequest> {
  return validate(placeOrderSchema, body);
}

/** Validates an already-parsed order event. */
export function validateOrderEvent(value: unknown): Validated<OrderEvent> {
  return validate(orderEventSchema, value);
}

/**
 * Parses a message value from `orders` (bytes or text) into an order event.
 * Never throws: invalid JSON or an invalid event gives `{ ok: false, errors }`.
 */
export function parseOrderEvent(value: Buffer | string | null | undefined): Validated<OrderEvent> {
  if (value === null || value === undefined)
    return { ok: false, errors: [{ field: '', message: 'empty message' }] };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return { ok: false, errors: [{ field: '', message: `not JSON: ${(err as Error).message}` }] };
  }
  return validateOrderEvent(json);
}

/** One line summarising validation errors: `customer.email: Invalid email address; lines[0].qty: …`. */
export function describeErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
}

/** The customer id used when a POST /orders gives none: stable for an e-mail address, case-insensitive. */
export function customerIdFromEmail(email: string): string {
  return 'c-' + createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);
}

/**
 * Turns a validated POST /orders body into the order event: names and prices from the catalogue,
 * the customer id derived from the e-mail when missing, the total computed.
 */
export function buildOrderEvent(
  request: PlaceOrderRequest,
  meta: { orderId: string; placedAt: Date; currency: string },
): OrderEvent {
  const lines = request.lines.map((l) => {
    const product = findProduct(l.sku);
    if (!product) throw new Error(`unknown sku ${l.sku} (validate the request first)`);
    return { sku: product.sku, name: product.name, qty: l.qty, unitPriceCents: product.priceCents };
  });
  const { customer } = request;
  return {
    orderId: meta.orderId,
    placedAt: meta.placedAt.toISOString(),
    customer: {
      id: customer.id ?? customerIdFromEmail(customer.email),
      email: customer.email,
      name: customer.name,
      address: customer.address,
    },
    lines,
    currency: meta.currency,
    totalCents: lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0),
    promoCode: request.promoCode ?? null,
  };
}
