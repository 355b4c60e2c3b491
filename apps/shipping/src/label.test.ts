// The label is a real one-page PDF a viewer can read: ship-to, order id, carrier, the tracking number as
// text and as a barcode image.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelFileName, renderLabel, writeLabel } from './label.js';
import { readPdf } from '../test/read-pdf.js';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'labels-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

const label = {
  orderId: 'order-7',
  trackingNumber: 'PSX12345678901',
  carrier: 'Parcel Stream Express',
  shipTo: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    city: 'London',
    postalCode: 'N1 9GU',
    country: 'GB',
  },
  bookedAt: new Date('2025-05-01T10:00:00Z'),
};

describe('the shipping label', () => {
  it('is a one-page PDF with the ship-to address, order, carrier and tracking number, and a barcode', async () => {
    const pdf = await renderLabel(label);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(2_000);
    const read = await readPdf(pdf);
    expect(read.pages).toBe(1);
    for (const s of [
      'PSX12345678901',
      'Ada Lovelace',
      '12 Analytical Row',
      'N1 9GU London',
      'GB',
      'order-7',
      'Parcel Stream Express',
    ]) {
      expect(read.text).toContain(s);
    }
    expect(read.images).toBe(1); // the Code 128 barcode
  });

  it('is written atomically to <orderId>.pdf, and never where an odd order id points', async () => {
    const file = await writeLabel(dir, 'order-7', await renderLabel(label));
    expect(file).toBe(path.join(dir, 'order-7.pdf'));
    expect((await readFile(file)).subarray(0, 4).toString()).toBe('%PDF');
    expect(labelFileName('../../etc/passwd')).toMatch(/^order-[0-9a-f]{32}\.pdf$/);
    expect(labelFileName('.hidden')).not.toBe('.hidden.pdf');
    expect(await readdir(dir)).toEqual(['order-7.pdf']);
  });
});
