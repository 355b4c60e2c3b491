/** The shipping label: a 4×6 in PDF with the ship-to address and the tracking number as a Code 128 barcode. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Address } from '@orders/contracts';
// pdfkit and bwip-js (~40 MB with their fonts and encoders) load on the first label rendered, not at start.

export interface LabelData {
  orderId: string;
  trackingNumber: string;
  carrier: string;
  shipTo: { name: string } & Address;
  bookedAt: Date;
}

/** Who sends the parcels. */
export const SHIP_FROM = ['The orders stream shop', 'Returns: 1 Log Street, 10115 Berlin, DE'];

const WIDTH = 4 * 72;
const HEIGHT = 6 * 72;
const MARGIN = 18;

/** Renders the label. */
export async function renderLabel(label: LabelData): Promise<Buffer> {
  const [{ default: bwipjs }, { default: PDFDocument }] = await Promise.all([
    import('bwip-js'),
    import('pdfkit'),
  ]);
  const barcode = await bwipjs.toBuffer({
    bcid: 'code128',
    text: label.trackingNumber,
    scale: 3,
    height: 18, // mm
    includetext: false,
  });
  const doc = new PDFDocument({
    size: [WIDTH, HEIGHT],
    margin: MARGIN,
    info: {
      Title: `Shipping label for order ${label.orderId}`,
      Subject: `${label.carrier} ${label.trackingNumber}`,
      Producer: 'orders-stream shipping',
      CreationDate: label.bookedAt,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const inner = WIDTH - 2 * MARGIN;
  const rule = () => {
    const y = doc.y + 4;
    doc
      .moveTo(MARGIN, y)
      .lineTo(WIDTH - MARGIN, y)
      .lineWidth(1)
      .stroke();
    doc.y = y + 8;
  };

  doc.font('Helvetica-Bold').fontSize(16).text(label.carrier, { width: inner });
  doc.font('Helvetica').fontSize(7).text(SHIP_FROM.join(' · '), { width: inner });
  rule();

  const { shipTo } = label;
  doc.font('Helvetica').fontSize(8).text('SHIP TO');
  doc.font('Helvetica-Bold').fontSize(14).text(shipTo.name, { width: inner });
  doc.font('Helvetica').fontSize(12);
  doc.text(shipTo.line1, { width: inner });
  doc.text(`${shipTo.postalCode} ${shipTo.city}`, { width: inner });
  doc.font('Helvetica-Bold').text(shipTo.country);
  rule();

  doc.font('Helvetica').fontSize(8).text('TRACKING NUMBER');
  const top = doc.y + 4;
  doc.image(barcode, MARGIN, top, { fit: [inner, 80], align: 'center' });
  doc.y = top + 86;
  doc
    .font('Courier-Bold')
    .fontSize(14)
    .text(label.trackingNumber, MARGIN, doc.y, { width: inner, align: 'center' });
  rule();

  doc.font('Helvetica').fontSize(9);
  doc.text(`Order ${label.orderId}`, { width: inner });
  doc.text(`Booked ${label.bookedAt.toISOString()}`, { width: inner });
  doc.end();
  return done;
}

/**
 * The label's file name: `<orderId>.pdf` when the order id is a safe file name, else a hash of it (an
 * order id is any text, and must never choose where a file goes).
 */
export function labelFileName(orderId: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(orderId)) return `${orderId}.pdf`;
  return `order-${createHash('sha256').update(orderId).digest('hex').slice(0, 32)}.pdf`;
}

/** Writes the label under `dir` atomically (a reader never sees half a file); returns its path. */
export async function writeLabel(dir: string, orderId: string, pdf: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, labelFileName(orderId));
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, pdf);
  await rename(tmp, file);
  return file;
}
