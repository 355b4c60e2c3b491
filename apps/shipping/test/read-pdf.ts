// Reads a PDF the way a viewer does (Mozilla's pdf.js), for tests: pages, text, images.
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ReadPdf {
  pages: number;
  /** The text of page 1, items joined by spaces. */
  text: string;
  /** Images painted on page 1. */
  images: number;
}

export async function readPdf(pdf: Uint8Array): Promise<ReadPdf> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  try {
    const page = await doc.getPage(1);
    const content = await page.getTextContent();
    const text = content.items.map((i) => ('str' in i ? i.str : '')).join(' ');
    const ops = await page.getOperatorList();
    const images = ops.fnArray.filter((op) => op === OPS.paintImageXObject).length;
    return { pages: doc.numPages, text, images };
  } finally {
    await doc.destroy();
  }
}
