/** The simulated shipping company: shipments by idempotency key, kept in a JSON file, plus failure switches. */
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Shipment {
  trackingNumber: string;
  carrier: string;
  labelUrl?: string;
}

export interface Switches {
  /** Added to every POST /shipments answer. */
  latencyMs: number;
  /** Share of POST /shipments answered 500 (0 … 1). */
  errorRate: number;
  /** Answer 503 to every POST /shipments. */
  down: boolean;
}

export const CARRIER_NAME = 'Parcel Stream Express';

export class Carrier {
  readonly switches: Switches = { latencyMs: 0, errorRate: 0, down: false };
  private readonly shipments = new Map<string, Shipment>();
  stats = { created: 0, repeated: 0, failed: 0 };

  /** `file`: where shipments are kept across restarts. */
  constructor(private readonly file: string) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Shipment>;
      for (const [key, shipment] of Object.entries(saved)) this.shipments.set(key, shipment);
    } catch {
      // no file yet
    }
  }

  /** The shipment for this key: the stored one for a key seen before, else a new one (stored first). */
  book(key: string): { shipment: Shipment; created: boolean } {
    const existing = this.shipments.get(key);
    if (existing) {
      this.stats.repeated++;
      return { shipment: existing, created: false };
    }
    const shipment: Shipment = {
      trackingNumber: `PSX${String(randomInt(0, 1e9)).padStart(9, '0')}${String(this.shipments.size % 100).padStart(2, '0')}`,
      carrier: CARRIER_NAME,
    };
    this.shipments.set(key, shipment);
    this.save();
    this.stats.created++;
    return { shipment, created: true };
  }

  get size() {
    return this.shipments.size;
  }

  private save() {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.shipments)));
    renameSync(tmp, this.file);
  }
}
