/** The shop's seeded catalogue: the storefront prices orders from it, erp-stock seeds stock from it. */

export interface Product {
  sku: string;
  name: string;
  /** Unit price in the smallest unit of {@link CURRENCY}. */
  priceCents: number;
  /** Stock level erp-stock starts with. */
  initialStock: number;
}

/** The one currency of the shop (ISO 4217). */
export const CURRENCY = 'EUR';

export const CATALOGUE: readonly Product[] = Object.freeze([
  { sku: 'MUG-001', name: 'Stream mug', priceCents: 1290, initialStock: 500 },
  { sku: 'TEE-002', name: 'Partition T-shirt', priceCents: 2490, initialStock: 300 },
  { sku: 'HOOD-003', name: 'Consumer-group hoodie', priceCents: 5490, initialStock: 150 },
  { sku: 'CAP-004', name: 'Offset cap', priceCents: 1990, initialStock: 250 },
  { sku: 'STK-005', name: 'Sticker pack', priceCents: 490, initialStock: 2000 },
  { sku: 'BOOK-006', name: 'Logs and streams (paperback)', priceCents: 3990, initialStock: 120 },
  { sku: 'NOTE-007', name: 'Append-only notebook', priceCents: 890, initialStock: 800 },
  { sku: 'PEN-008', name: 'At-least-once pen', priceCents: 350, initialStock: 1500 },
  { sku: 'BAG-009', name: 'Retention tote bag', priceCents: 1490, initialStock: 400 },
  { sku: 'SOCK-010', name: 'Idempotent socks (pair)', priceCents: 990, initialStock: 600 },
  { sku: 'USB-011', name: 'Replica USB stick, 32 GB', priceCents: 1590, initialStock: 350 },
  { sku: 'LAMP-012', name: 'Lag-o-meter desk lamp', priceCents: 4490, initialStock: 80 },
]) as readonly Product[];

const bySku = new Map(CATALOGUE.map((p) => [p.sku, p]));

/** The product with this SKU, or undefined. */
export function findProduct(sku: string): Product | undefined {
  return bySku.get(sku);
}
