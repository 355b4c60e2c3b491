/**
 * The simulated shipping company: shipments by idempotency key, kept in an append-only journal (one JSON
 * line per booking), plus failure switches. Appending costs the same at the first booking and at the
 * hundred-thousandth; the file is read once, at start.
 */
import { randomInt } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
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

  private readonly journal: number;

  /**
   * `file`: where shipments are kept across restarts — one `{"key", "trackingNumber", "carrier"}` line per
   * booking. A file in the earlier format (one JSON object of all shipments) is read too, and appended to.
   * A torn last line (the process died mid-write) is skipped: that booking was never answered.
   */
  constructor(private readonly file: string) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // no file yet
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof entry !== 'object' || entry === null) continue;
      const { key, ...shipment } = entry as { key?: unknown } & Shipment;
      if (typeof key === 'string') this.shipments.set(key, shipment);
      else for (const [k, v] of Object.entries(entry as Record<string, Shipment>)) this.shipments.set(k, v);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    // A file in the old one-object format gets a line break first, so the journal lines start on their own.
    this.journal = openSync(file, 'a');
    if (text && !text.endsWith('\n')) appendFileSync(this.journal, '\n');
  }

  /** The shipment for this key: the stored one for a key seen before, else a new one (stored first). */
  book(key: string): { shipment: Shipment; created: boolean } {
    return this.bookAll([key])[0]!;
  }

  /**
   * {@link book} for several keys at once (POST /shipments/batch), in their order; a key that appears
   * twice gets one shipment. The new shipments are journalled in ONE write before any is answered.
   */
  bookAll(keys: readonly string[]): { shipment: Shipment; created: boolean }[] {
    let journal = '';
    const results = keys.map((key) => {
      const existing = this.shipments.get(key);
      if (existing) {
        this.stats.repeated++;
        return { shipment: existing, created: false };
      }
      const shipment: Shipment = {
        trackingNumber: `PSX${String(randomInt(0, 1e9)).padStart(9, '0')}${String(this.shipments.size % 100).padStart(2, '0')}`,
        carrier: CARRIER_NAME,
      };
      journal += `${JSON.stringify({ key, ...shipment })}\n`;
      this.shipments.set(key, shipment);
      this.stats.created++;
      return { shipment, created: true };
    });
    // Written before it is answered, so a restarted carrier gives the same tracking numbers again. Should
    // the write fail, the bookings are forgotten too: the client was not answered, and will ask again.
    if (journal) {
      try {
        appendFileSync(this.journal, journal);
      } catch (err) {
        results.forEach((r, i) => {
          if (r.created && this.shipments.delete(keys[i]!)) this.stats.created--;
        });
        throw err;
      }
    }
    return results;
  }

  get size() {
    return this.shipments.size;
  }

  /** Closes the journal (the carrier module's shutdown). */
  close() {
    closeSync(this.journal);
  }
}
