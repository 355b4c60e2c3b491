import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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

/** What an app's package.json says to be discovered: `"orders-stream": {"consumer": true, "port": 3100}`. */
interface DiscoveryField {
  consumer?: boolean;
  port?: number;
  description?: string;
}

/**
 * Consumer apps beyond the six: every `apps/<name>/package.json` with `"orders-stream": {"consumer":
 * true}` (what `npm run new-consumer` writes), so a new consumer joins the demo and the console without
 * editing this file. Sorted by name; the six above are never rediscovered.
 */
export function discoverApps(rootDir: string): AppDefinition[] {
  const dir = path.join(rootDir, 'apps');
  if (!existsSync(dir)) return [];
  const found: AppDefinition[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (APPS.some((a) => a.name === name)) continue;
    const file = path.join(dir, name, 'package.json');
    if (!existsSync(file)) continue;
    let pkg: { description?: string; 'orders-stream'?: DiscoveryField };
    try {
      pkg = JSON.parse(readFileSync(file, 'utf8')) as typeof pkg;
    } catch {
      continue; // a broken package.json is npm's to report, not the demo's
    }
    const field = pkg['orders-stream'];
    if (!field?.consumer) continue;
    found.push({
      name,
      port: Number.isInteger(field.port) ? field.port! : 3100 + found.length,
      kind: 'consumer',
      description: field.description ?? pkg.description ?? 'a consumer group',
    });
  }
  return found;
}
