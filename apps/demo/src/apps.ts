/** The apps the demo runs, in start order, with their default ports (DESIGN.md's stable interface). */

export type AppKind = 'http' | 'consumer';

export interface AppDefinition {
  name: string;
  /** Default port of the first instance. */
  port: number;
  /** A consumer app is one consumer group: more instances share its partitions. */
  kind: AppKind;
  description: string;
}

export const APPS: readonly AppDefinition[] = [
  { name: 'carrier', port: 3007, kind: 'http', description: 'the simulated shipping company' },
  { name: 'storefront', port: 3000, kind: 'http', description: 'checkout API, the producer' },
  { name: 'order-db', port: 3001, kind: 'consumer', description: 'saves the order' },
  { name: 'email', port: 3002, kind: 'consumer', description: 'sends the confirmation e-mail' },
  { name: 'shipping', port: 3003, kind: 'consumer', description: 'books the shipment, renders the label' },
  { name: 'erp-stock', port: 3004, kind: 'consumer', description: 'decrements stock' },
  { name: 'crm', port: 3005, kind: 'consumer', description: 'upserts the customer' },
  { name: 'promo-counter', port: 3006, kind: 'consumer', description: 'counts orders per promo code' },
];

export const APP_NAMES: readonly string[] = APPS.map((a) => a.name);
